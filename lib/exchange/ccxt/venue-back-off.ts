import type { Exchange } from 'ccxt'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { roundPriceToTick } from '@/lib/domain/market/precision'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'

/**
 * A venue's "back off" (429, Binance's 418 ban) for one adapter: it limits the key or address,
 * not one request, so after one every later request waits out the Retry-After instead of
 * hammering. Retry-After is only in the response headers, which ccxt's errors do not carry, so it
 * is read as each answer arrives.
 */
export class VenueBackOff {
  private blockedUntil = 0

  constructor(
    private readonly venue: string,
    /** Stay-away when the answer carries no Retry-After. */
    private readonly defaultMs = 60_000,
    private readonly statuses: readonly number[] = [429],
  ) {}

  /** Hooks into ccxt's response callback of `exchange` to note every back-off it answers. */
  watch(exchange: Exchange): void {
    const onRestResponse = exchange.onRestResponse.bind(exchange)
    exchange.onRestResponse = (status, statusText, url, method, headers, body, reqHeaders, reqBody) => {
      if (this.statuses.includes(status)) {
        const seconds = Number(headerValue(headers, 'retry-after'))
        const ms = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : this.defaultMs
        this.blockedUntil = Math.max(this.blockedUntil, Date.now() + ms)
      }
      return onRestResponse(status, statusText, url, method, headers, body, reqHeaders, reqBody)
    }
  }

  /** How long is left to wait, or undefined when requests may go out. */
  retryAfterMs(): number | undefined {
    const left = this.blockedUntil - Date.now()
    return left > 0 ? left : undefined
  }

  /** Throws a retryable ExchangeError (nothing sent) while the back-off lasts. */
  guard(): void {
    const left = this.retryAfterMs()
    if (left !== undefined) {
      throw new ExchangeError(`${this.venue} asked us to back off (${this.statuses.join('/')}): nothing sent for another ${Math.ceil(left / 1000)} s`, true, { retryAfterMs: left })
    }
  }
}

/** A header by name, whatever its case (ccxt hands headers over as it received them). */
export function headerValue(headers: unknown, name: string): string | undefined {
  for (const [k, v] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    if (k.toLowerCase() === name) return String(v)
  }
  return undefined
}

/** The report of an order refused before anything was sent. */
export function refusedReport(req: PlaceOrderRequest, reason: string): OrderReport {
  return { clientOrderId: req.clientOrderId, exchangeOrderId: null, status: 'REJECTED', filledQty: dec(0), fills: [], rejectReason: reason }
}
