import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { rateLimited } from '@/lib/server/errors/app-error'

/**
 * Requests refused before their sender is known (bad secret or signature, an address not allowed)
 * recorded per trader per minute, in each web process. Anyone who knows a webhook URL can send
 * them: past this many, they are answered 429 with Retry-After and not written, so they cannot
 * fill the signal log. Signals with the right secret are never counted.
 */
export const REFUSALS_RECORDED_PER_MINUTE = 30

const limiter = new RateLimiterMemory({ keyPrefix: 'webhook-refusals', points: REFUSALS_RECORDED_PER_MINUTE, duration: 60 })

/** Counts one refusal of the trader's webhook; throws 429 RATE_LIMITED once the minute's allowance is spent. */
export async function countRefusal(traderId: string): Promise<void> {
  try {
    await limiter.consume(traderId)
  } catch (e) {
    if (!(e instanceof RateLimiterRes)) throw e
    const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000))
    throw rateLimited(`too many refused requests to this webhook: try again in ${seconds} s`, seconds)
  }
}
