import { generateText } from 'ai'
import { classifyCallError, deadlineMs, languageModelFor, redactSecret } from '@/lib/ai/call-decision-model'
import type { ProviderConfig } from '@/lib/ai/provider-config'

export interface ConnectionTestResult {
  ok: boolean
  /** One sentence for the settings page; never contains the API key. */
  message: string
  latencyMs: number
  /** The model id the server says answered (may differ from the configured alias). */
  model?: string
}

const MODEL_LIST_TIMEOUT_MS = 5_000

function endpointPath(cfg: ProviderConfig): string {
  return cfg.provider === 'ANTHROPIC' ? '/messages' : '/chat/completions'
}

function baseOf(cfg: ProviderConfig): string {
  return cfg.baseUrl.trim().replace(/\/+$/, '')
}

/** Model ids the server lists at GET {baseUrl}/models, or null when it lists none. */
async function listModels(cfg: ProviderConfig): Promise<string[] | null> {
  const headers: Record<string, string> =
    cfg.provider === 'ANTHROPIC'
      ? { 'x-api-key': cfg.apiKey ?? '', 'anthropic-version': '2023-06-01' }
      : cfg.apiKey
        ? { authorization: `Bearer ${cfg.apiKey}` }
        : {}
  try {
    const res = await fetch(`${baseOf(cfg)}/models`, { headers, signal: AbortSignal.timeout(MODEL_LIST_TIMEOUT_MS) })
    if (!res.ok) return null
    const body = (await res.json()) as { data?: { id?: unknown }[] }
    const ids = (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string')
    return ids.length > 0 ? ids : null
  } catch {
    return null
  }
}

async function explainNotFound(cfg: ProviderConfig, serverMessage: string): Promise<string> {
  const models = await listModels(cfg)
  if (models && !models.includes(cfg.model)) {
    const shown = models.slice(0, 10).join(', ') + (models.length > 10 ? `, … (${models.length} in all)` : '')
    return `Model "${cfg.model}" was not found (HTTP 404). The server offers: ${shown}.`
  }
  if (/model/i.test(serverMessage)) return `Model "${cfg.model}" was not found (HTTP 404): ${serverMessage}`
  return (
    `Nothing answers at ${baseOf(cfg)}${endpointPath(cfg)} (HTTP 404). ` +
    `Check the base URL: it is the API root, usually ending in /v1.`
  )
}

/**
 * A tiny real request (a one-word answer, no retries) so the settings page can prove the base
 * URL, the key and the model name together. Never throws.
 */
export async function testConnection(cfg: ProviderConfig): Promise<ConnectionTestResult> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const timeout = AbortSignal.timeout(deadlineMs(cfg))
  try {
    const result = await generateText({
      model: languageModelFor(cfg, fetch),
      prompt: 'This is a connection test. Reply with the single word OK.',
      maxRetries: 0,
      abortSignal: timeout,
    })
    const latencyMs = elapsed()
    const answered = result.response.modelId || cfg.model
    const said = result.text.trim().slice(0, 40)
    return {
      ok: true,
      message: redactSecret(`Connected: ${answered} answered${said ? ` "${said}"` : ''} in ${latencyMs} ms.`, cfg.apiKey),
      latencyMs,
      model: answered,
    }
  } catch (error) {
    const latencyMs = elapsed()
    const { error: e, serverMessage = '' } = classifyCallError(error, cfg, { timeout })
    let message: string
    if (e.kind === 'TIMEOUT') {
      message = `No answer within ${cfg.timeoutMs} ms from ${baseOf(cfg)}. The server may be busy or still loading the model; check the URL or raise the timeout.`
    } else if (e.kind === 'NETWORK' && e.retryable) {
      message = `Could not connect: ${e.message}.`
    } else if (e.status === 401 || e.status === 403) {
      message = `The server refused the API key (HTTP ${e.status}). ${cfg.apiKey ? 'Check the key.' : 'This server needs an API key.'}`
    } else if (e.status === 404) {
      message = await explainNotFound(cfg, serverMessage)
    } else {
      message = e.message
    }
    return { ok: false, message: redactSecret(message, cfg.apiKey), latencyMs }
  }
}
