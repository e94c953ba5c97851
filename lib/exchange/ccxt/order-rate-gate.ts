import { z } from 'zod'
import { ExchangeError } from '@/lib/exchange/exchange-error'

/** At most `limit` new orders in any `intervalMs` (Binance's ORDERS rate limits, per account). */
export interface OrderRateLimit {
  intervalMs: number
  limit: number
}

const INTERVAL_MS = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const

const binanceRateLimit = z.object({
  rateLimitType: z.string(),
  interval: z.enum(['SECOND', 'MINUTE', 'HOUR', 'DAY']),
  intervalNum: z.number().int().positive(),
  limit: z.number().int().positive(),
})

/** The ORDERS entries of Binance's exchangeInfo `rateLimits` (anything unreadable is skipped). */
export function orderLimitsFromBinance(rateLimits: unknown): OrderRateLimit[] {
  if (!Array.isArray(rateLimits)) return []
  return rateLimits.flatMap((raw) => {
    const r = binanceRateLimit.safeParse(raw)
    if (!r.success || r.data.rateLimitType !== 'ORDERS') return []
    return [{ intervalMs: INTERVAL_MS[r.data.interval] * r.data.intervalNum, limit: r.data.limit }]
  })
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Spaces new orders so that no window of any of the exchange's order-count limits holds more
 * than it allows: the exchange answers an excess with 429 and nothing done, and keeps doing so
 * (then bans, 418) for a client that does not slow down. A log of send times rather than a
 * fixed-window counter (rate-limiter-flexible's memory limiter): a fixed window misaligned with
 * the exchange's lets twice the limit through across a boundary. One gate per account adapter,
 * so per process: other processes or clients on the same key are not counted, and their excess
 * still comes back as a 429, which the adapter's back-off honours.
 */
export class OrderRateGate {
  private limits: OrderRateLimit[] = []
  /**
   * The new orders let through, oldest first (as many as the largest limit): when each answer
   * came back, or Infinity while it is on its way. The exchange counted it on arrival, which is
   * no later than its answer, so windows measured from the answer are never too short.
   */
  private readonly sent: { at: number }[] = []

  constructor(
    private readonly venue: string,
    private readonly o: {
      /** The longest wait for a slot before giving up with a retryable error. */
      maxWaitMs: number
      /** Added to every window, for the spread between our clock and the exchange's counting. */
      marginMs?: number
    } = { maxWaitMs: 5000 },
  ) {}

  setLimits(limits: OrderRateLimit[]) {
    this.limits = limits
  }

  /**
   * Sends one new order (`send`) once a slot is free under every limit. A slot further off than
   * maxWaitMs is not waited for: a retryable ExchangeError (nothing sent) says when to come back.
   */
  async run<T>(send: () => Promise<T>): Promise<T> {
    const slot = await this.take()
    try {
      return await send()
    } finally {
      slot.at = Date.now()
    }
  }

  private async take(): Promise<{ at: number }> {
    for (;;) {
      const now = Date.now()
      const wait = this.waitMs(now)
      if (wait === 0) {
        const slot = { at: Infinity }
        this.sent.push(slot)
        const keep = Math.max(0, ...this.limits.map((l) => l.limit))
        if (this.sent.length > keep) this.sent.splice(0, this.sent.length - keep)
        return slot
      }
      if (wait > this.o.maxWaitMs) {
        throw new ExchangeError(`${this.venue}'s order-rate limit is reached: the next new order may go in ${wait} ms; nothing sent`, true, { retryAfterMs: wait })
      }
      await sleep(wait)
    }
  }

  /** How long until one more order fits every limit (0: now). An answer still awaited is looked at again shortly. */
  private waitMs(now: number): number {
    let wait = 0
    for (const l of this.limits) {
      if (this.sent.length < l.limit) continue
      // The order that must leave this limit's window first: the limit-th most recent.
      const oldest = this.sent[this.sent.length - l.limit]!.at
      wait = Math.max(wait, oldest === Infinity ? IN_FLIGHT_RECHECK_MS : oldest + l.intervalMs + (this.o.marginMs ?? 100) - now)
    }
    return Math.max(0, wait)
  }
}

/** How soon to look again when the order that would free a slot has not been answered yet. */
const IN_FLIGHT_RECHECK_MS = 20
