import { createAnthropic } from '@ai-sdk/anthropic'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import {
  APICallError,
  JSONParseError,
  NoObjectGeneratedError,
  NoOutputGeneratedError,
  Output,
  RetryError,
  generateText,
  jsonSchema,
  type JSONSchema7,
  type LanguageModel,
  type LanguageModelUsage,
} from 'ai'
import type { DecisionContext } from '@/lib/ai/decision-context'
import { PROMPT_VERSION, renderDecisionPrompt } from '@/lib/ai/prompt'
import type { ProviderConfig } from '@/lib/ai/provider-config'
import { MODEL_DECISION_JSON_SCHEMA, ZModelDecision, toTradeDecision } from '@/lib/ai/trade-decision-schema'
import { ZERO, dec } from '@/lib/domain/decimal'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'

export type ModelCallErrorKind = 'TIMEOUT' | 'HTTP' | 'MALFORMED' | 'SCHEMA' | 'NETWORK' | 'WRONG_SYMBOL'

export interface ModelCallError {
  kind: ModelCallErrorKind
  /** Human-readable, safe to show and store: never contains the API key. */
  message: string
  /**
   * True when sending the same request again soon may succeed: timeouts, connection failures,
   * HTTP 408/409/429/5xx. An answer that arrived but was unusable (MALFORMED, SCHEMA,
   * WRONG_SYMBOL) or a refused request (401, 404, 400) is not retryable.
   */
  retryable: boolean
  /** HTTP status, for kind HTTP. */
  status?: number
}

/** Exactly what was sent, kept with the decision so it can be audited and replayed. */
export interface ModelPrompt {
  system: string
  user: string
  model: string
  provider: ProviderConfig['provider']
  promptVersion: string
}

export interface ModelUsage {
  promptTokens: number
  completionTokens: number
}

interface ModelCallCommon {
  prompt: ModelPrompt
  /** Tokens billed by the answer that was used or rejected (failed HTTP attempts bill none). */
  usage: ModelUsage
  /** USD, exact decimal string: tokens × the configured per-million prices. */
  costUsd: string
  /** Wall time of the whole call: every attempt and the back-off between them. */
  modelLatencyMs: number
  /** HTTP requests made (1 + retries, + 1 when the server refused json_schema and json_object was used). */
  attempts: number
}

export type ModelCallResult =
  | (ModelCallCommon & { ok: true; decision: TradeDecision; raw: string })
  | (ModelCallCommon & { ok: false; error: ModelCallError; raw: string | null })

export interface CallDecisionModelOptions {
  /** Cancels the call (e.g. worker shutdown); reported as a retryable NETWORK error. */
  abortSignal?: AbortSignal
}

const MAX_RETRIES_CAP = 10
const MAX_MESSAGE_CHARS = 500
const MAX_RAW_ERROR_CHARS = 20_000
const OPENAI_COMPATIBLE_NAME = 'openai-compatible'

type ResponseFormatMode = 'json_schema' | 'json_object'

/**
 * The AI SDK model for a provider config. OPENAI_COMPATIBLE sends `response_format:
 * {type: "json_schema", strict: true}` when a schema is given (OpenAI, vLLM, Ollama >= 0.5,
 * LM Studio, llama.cpp server, Groq, Mistral, Together all accept it; LM Studio accepts nothing
 * else); `json_object` is the fallback mode for servers that refuse json_schema.
 * `fetch` lets the caller count the HTTP attempts.
 */
export function languageModelFor(cfg: ProviderConfig, fetchFn: typeof fetch, mode: ResponseFormatMode = 'json_schema'): LanguageModel {
  const baseURL = cfg.baseUrl.trim().replace(/\/+$/, '')
  if (cfg.provider === 'ANTHROPIC') {
    // An explicit key (even empty) so the SDK never falls back to ANTHROPIC_API_KEY from the env.
    return createAnthropic({ baseURL, apiKey: cfg.apiKey ?? '', fetch: fetchFn })(cfg.model)
  }
  return createOpenAICompatible({
    name: OPENAI_COMPATIBLE_NAME,
    baseURL,
    apiKey: cfg.apiKey ?? undefined,
    supportsStructuredOutputs: mode === 'json_schema',
    fetch: fetchFn,
  }).chatModel(cfg.model)
}

const FALLBACK_TIMEOUT_MS = 60_000
const MAX_TIMER_MS = 2_147_483_647

/** The call's deadline in ms, made safe for AbortSignal.timeout whatever the config holds. */
export function deadlineMs(cfg: Pick<ProviderConfig, 'timeoutMs'>): number {
  return Number.isFinite(cfg.timeoutMs) ? Math.min(MAX_TIMER_MS, Math.max(1, Math.round(cfg.timeoutMs))) : FALLBACK_TIMEOUT_MS
}

/** Replaces every occurrence of the key; servers do echo keys back in 401 messages. */
export function redactSecret(text: string, secret: string | null): string {
  return secret ? text.split(secret).join('[redacted]') : text
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let e = error; e != null && chain.length < 8 && !chain.includes(e); e = (e as { cause?: unknown }).cause) chain.push(e)
  return chain
}

/** A short description of a connection failure from the Node error codes in the cause chain. */
export function describeNetworkFailure(error: unknown, baseUrl: string): string {
  let host = baseUrl
  try {
    host = new URL(baseUrl).host
  } catch {
    // keep the raw string
  }
  const codes = errorChain(error).map((e) => (e as { code?: unknown }).code).filter((c): c is string => typeof c === 'string')
  const code = codes[0]
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host} (is the server running on that port?)`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${host} could not be resolved`
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection to ${host} was reset`
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${host} timed out`
    default:
      if (code && /CERT|SSL|TLS/.test(code)) return `TLS error talking to ${host} (${code})`
      return `cannot reach ${host}${code ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`
  }
}

function isTimeoutError(error: unknown): boolean {
  return errorChain(error).some((e) => (e as { name?: unknown }).name === 'TimeoutError')
}

function lastAttemptError(error: unknown): unknown {
  return RetryError.isInstance(error) ? (error.lastError ?? error) : error
}

/**
 * Translates an error thrown by the AI SDK call into our error kinds. `raw` is the server's error
 * body and `serverMessage` the message it carried, when there was an HTTP answer. Not redacted.
 */
export function classifyCallError(
  error: unknown,
  cfg: ProviderConfig,
  signals: { timeout: AbortSignal; caller?: AbortSignal },
): { error: ModelCallError; raw: string | null; serverMessage?: string } {
  const last = lastAttemptError(error)
  if (signals.timeout.aborted || isTimeoutError(last)) {
    return { error: { kind: 'TIMEOUT', message: `no answer from ${cfg.model} within ${cfg.timeoutMs} ms`, retryable: true }, raw: null }
  }
  if (signals.caller?.aborted) {
    return { error: { kind: 'NETWORK', message: 'the call was cancelled', retryable: true }, raw: null }
  }
  if (APICallError.isInstance(last)) {
    if (last.statusCode != null) {
      const serverMessage = last.message || `HTTP ${last.statusCode}`
      return {
        error: {
          kind: 'HTTP',
          status: last.statusCode,
          message: `HTTP ${last.statusCode} from ${cfg.model} at ${cfg.baseUrl}: ${clip(serverMessage, MAX_MESSAGE_CHARS)}`,
          retryable: last.isRetryable,
        },
        raw: last.responseBody ? clip(last.responseBody, MAX_RAW_ERROR_CHARS) : null,
        serverMessage: clip(serverMessage, MAX_MESSAGE_CHARS),
      }
    }
    return { error: { kind: 'NETWORK', message: describeNetworkFailure(last, cfg.baseUrl), retryable: true }, raw: null }
  }
  const message = last instanceof Error ? last.message : String(last)
  return { error: { kind: 'NETWORK', message: `unexpected failure: ${clip(message, MAX_MESSAGE_CHARS)}`, retryable: false }, raw: null }
}

/** Exact cost in USD of the tokens at the configured per-million prices. */
export function costOf(cfg: Pick<ProviderConfig, 'inputCostPerMTok' | 'outputCostPerMTok'>, usage: ModelUsage): string {
  const price = (n: number) => (Number.isFinite(n) && n > 0 ? dec(String(n)) : ZERO)
  return dec(usage.promptTokens)
    .times(price(cfg.inputCostPerMTok))
    .plus(dec(usage.completionTokens).times(price(cfg.outputCostPerMTok)))
    .div(1_000_000)
    .toFixed()
}

function usageFrom(u: LanguageModelUsage | undefined): ModelUsage {
  return { promptTokens: u?.inputTokens ?? 0, completionTokens: u?.outputTokens ?? 0 }
}

/**
 * Models that were not constrained by a schema sometimes wrap the object in a ```json fence or
 * prefix a <think> block. Only those two wrappers are removed; anything else stays malformed.
 */
function unwrapJson(text: string): unknown | undefined {
  let t = text.trim().replace(/^<think>[\s\S]*?<\/think>/, '').trim()
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/.exec(t)
  if (fenced) t = fenced[1].trim()
  if (t === text.trim()) return undefined
  try {
    return JSON.parse(t)
  } catch {
    return undefined
  }
}

function normalizedSymbol(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '')
}

function refusesJsonSchema(error: unknown): boolean {
  const last = lastAttemptError(error)
  if (!APICallError.isInstance(last) || (last.statusCode !== 400 && last.statusCode !== 422)) return false
  return /response_format|json_schema|structured/i.test(`${last.message} ${last.responseBody ?? ''}`)
}

/**
 * Asks the configured model for one decision about `ctx.symbol`. Never throws: every failure is
 * a typed error with the raw answer (when there was one), the prompt, the tokens billed and
 * their cost, so the caller can journal it.
 *
 * - Structured output through `generateText` + `Output.object` (the ai@6 way; generateObject is
 *   deprecated). The model is given MODEL_DECISION_JSON_SCHEMA; its answer is validated here with
 *   ZModelDecision, so MALFORMED (not JSON) and SCHEMA (JSON of the wrong shape) are told apart
 *   and the raw text is kept in both cases.
 * - Timeout: one deadline, `AbortSignal.timeout(timeoutMs)`, for the whole call including retries.
 * - Retries: the SDK's (`maxRetries`; exponential back-off from 2 s, honouring Retry-After),
 *   only for retryable HTTP statuses and connection errors. Attempts are counted at `fetch`.
 */
export async function callDecisionModel(
  cfg: ProviderConfig,
  ctx: DecisionContext,
  options: CallDecisionModelOptions = {},
): Promise<ModelCallResult> {
  const started = performance.now()
  let attempts = 0
  let usage: ModelUsage = { promptTokens: 0, completionTokens: 0 }
  const prompt: ModelPrompt = { system: '', user: '', model: cfg.model, provider: cfg.provider, promptVersion: PROMPT_VERSION }

  const common = (): ModelCallCommon => ({
    prompt,
    usage,
    costUsd: costOf(cfg, usage),
    modelLatencyMs: Math.round(performance.now() - started),
    attempts,
  })
  const fail = (error: ModelCallError, raw: string | null): ModelCallResult => ({
    ok: false,
    error: { ...error, message: redactSecret(error.message, cfg.apiKey) },
    raw: raw === null ? null : redactSecret(raw, cfg.apiKey),
    ...common(),
  })

  const timeout = AbortSignal.timeout(deadlineMs(cfg))
  const abortSignal = options.abortSignal ? AbortSignal.any([timeout, options.abortSignal]) : timeout
  const countingFetch: typeof fetch = (input, init) => {
    attempts += 1
    return fetch(input, init)
  }
  const maxRetries = Math.min(MAX_RETRIES_CAP, Math.max(0, Math.floor(cfg.maxRetries) || 0))

  const outputName = { name: 'trade_decision', description: `One trading decision for ${ctx.symbol}` }
  const ask = (mode: ResponseFormatMode) =>
    generateText({
      model: languageModelFor(cfg, countingFetch, mode),
      system: prompt.system,
      prompt: prompt.user,
      // Validation is ours (below), so the SDK only parses JSON; json_object mode sends no schema.
      output:
        mode === 'json_schema'
          ? Output.object({ schema: jsonSchema<unknown>(MODEL_DECISION_JSON_SCHEMA as JSONSchema7), ...outputName })
          : Output.json(outputName),
      maxRetries,
      abortSignal,
    })

  try {
    Object.assign(prompt, renderDecisionPrompt(ctx))

    let raw: string
    let value: unknown
    try {
      let result: Awaited<ReturnType<typeof ask>>
      try {
        result = await ask('json_schema')
      } catch (error) {
        if (cfg.provider !== 'OPENAI_COMPATIBLE' || !refusesJsonSchema(error)) throw error
        result = await ask('json_object')
      }
      raw = result.text
      usage = usageFrom(result.usage)
      try {
        value = result.output
      } catch (error) {
        if (!NoOutputGeneratedError.isInstance(error)) throw error
        return fail(
          { kind: 'MALFORMED', message: `the model returned no decision (finish reason: ${result.finishReason})`, retryable: false },
          raw,
        )
      }
    } catch (error) {
      if (!NoObjectGeneratedError.isInstance(error)) throw error
      raw = error.text ?? ''
      usage = usageFrom(error.usage)
      value = JSONParseError.isInstance(error.cause) ? unwrapJson(raw) : undefined
      if (value === undefined) {
        const why = error.finishReason === 'length' ? ' (cut off at the output token limit)' : ''
        return fail({ kind: 'MALFORMED', message: `the model's answer is not a JSON object${why}`, retryable: false }, raw)
      }
    }

    const parsed = ZModelDecision.safeParse(value)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
      return fail({ kind: 'SCHEMA', message: clip(`the decision does not match the schema: ${issues}`, MAX_MESSAGE_CHARS), retryable: false }, raw)
    }
    if (normalizedSymbol(parsed.data.symbol) !== normalizedSymbol(ctx.symbol)) {
      return fail(
        { kind: 'WRONG_SYMBOL', message: `asked about ${ctx.symbol}, the model answered for ${clip(parsed.data.symbol, 40)}`, retryable: false },
        raw,
      )
    }
    return { ok: true, decision: toTradeDecision({ ...parsed.data, symbol: ctx.symbol }), raw, ...common() }
  } catch (error) {
    const classified = classifyCallError(error, cfg, { timeout, caller: options.abortSignal })
    return fail(classified.error, classified.raw)
  }
}
