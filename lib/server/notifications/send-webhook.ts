import { env } from '@/lib/config/env'
import { privateAddressRefusal, publicOnlyFetch } from './public-only-fetch'
import { redactWebhookSecrets } from './webhook-url'

export const WEBHOOK_TIMEOUT_MS = 5_000
const ERROR_BODY_CHARS = 300

export type WebhookResult = 'delivered' | 'retry' | 'failed'

export interface WebhookOutcome {
  result: WebhookResult
  httpStatus: number | null
  /** From a Retry-After header (429/503), in milliseconds. */
  retryAfterMs: number | null
  /** Why it did not go through, with the URL and its secrets removed; null when delivered. */
  error: string | null
}

/**
 * What an answer means for a delivery: 2xx delivered; throttling, timeouts and server errors are
 * worth retrying; any other status (a wrong URL, a revoked token, a redirect) will not get better.
 */
export function webhookResultFor(status: number): WebhookResult {
  if (status >= 200 && status < 300) return 'delivered'
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry'
  return 'failed'
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | null {
  if (!value) return null
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000)
  const at = Date.parse(v)
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs)
}

/** How notifications reach their URLs: only public addresses, unless the server allows its own network. */
export function webhookFetchFor(config: { NOTIFY_ALLOW_PRIVATE_HOSTS: boolean }): typeof fetch {
  return config.NOTIFY_ALLOW_PRIVATE_HOSTS ? fetch : publicOnlyFetch
}

/**
 * POSTs one JSON body with a timeout and reports the outcome; never throws for a network or
 * HTTP failure. Redirects are not followed: a POST turned into a GET elsewhere is not a delivery.
 * A URL at a private address (see publicOnlyFetch) fails for good.
 */
export async function sendWebhook(o: { url: URL; body: unknown; fetchImpl?: typeof fetch; timeoutMs?: number }): Promise<WebhookOutcome> {
  const fetchImpl = o.fetchImpl ?? webhookFetchFor(env())
  const timeoutMs = o.timeoutMs ?? WEBHOOK_TIMEOUT_MS
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  const clean = (text: string) => redactWebhookSecrets(text, o.url)
  try {
    const res = await fetchImpl(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'tradeloop-notifications/1' },
      body: JSON.stringify(o.body),
      redirect: 'manual',
      signal: controller.signal,
    })
    const result = webhookResultFor(res.status)
    if (result === 'delivered') {
      await res.body?.cancel().catch(() => {})
      return { result, httpStatus: res.status, retryAfterMs: null, error: null }
    }
    const snippet = (await readSome(res, ERROR_BODY_CHARS).catch(() => '')).replace(/\s+/g, ' ').trim()
    const redirected = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''
    return {
      result,
      httpStatus: res.status,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
      error: clean(`HTTP ${res.status}${redirected}${snippet ? `: ${snippet}` : ''}`),
    }
  } catch (e) {
    const refused = privateAddressRefusal(e)
    if (refused) return { result: 'failed', httpStatus: null, retryAfterMs: null, error: clean(`refused: ${refused.message}`) }
    const error = controller.signal.aborted ? `timed out after ${timeoutMs} ms` : `network error: ${networkCause(e)}`
    return { result: 'retry', httpStatus: null, retryAfterMs: null, error: clean(error) }
  } finally {
    clearTimeout(timer)
  }
}

/** Node's fetch says only "fetch failed"; the cause has the useful part (ECONNREFUSED, ENOTFOUND…). */
function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause
  if (cause?.code) return cause.code
  return cause?.message ?? (e as Error)?.message ?? String(e)
}

/** The start of a response body, without reading a large one to its end. */
async function readSome(res: Response, maxChars: number): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    while (text.length < maxChars) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text
}
