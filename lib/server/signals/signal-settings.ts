import { z } from 'zod'
import { dec } from '@/lib/domain/decimal'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { ZDecimal } from '@/lib/server/validation/decimal-field'

const dz = (min: string, max: string) => ZDecimal.refine((d) => d.gte(min) && d.lte(max), { message: `must be between ${min} and ${max}` })
const intz = (min: number, max: number) => z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `at most ${max}`)

/**
 * How a trader takes webhook signals, stored as JSON in Trader.signalSettings (decimals as
 * strings). Every default lives here; the same schema checks what a person submits.
 */
export const ZSignalSettings = z.strictObject({
  /** A signal older than this (from its `timestamp`, else from arrival) is refused, at intake and again when processed. */
  maxLagSeconds: intz(1, 3600).default(60),
  /** A signal whose `price` is further than this from the market's quote is refused. */
  maxPriceDeviationPct: dz('0.01', '50').default(dec(1)),
  /** A signal without an `id` that repeats the same fields within this many seconds is a duplicate (0: never). */
  duplicateWindowSeconds: intz(0, 3600).default(60),
  /** The stop for an entry whose signal names none: this far from the entry price. */
  defaultStopPct: dz('0.1', '50').default(dec(2)),
  /**
   * The size of an entry whose signal names none, in the quote currency; null: the trader's
   * sizing settings (fixed amount, % of equity or % risked to the stop) decide.
   */
  defaultSizeQuote: z.preprocess((v) => (v === '' || v === undefined ? null : v), dz('0.00000001', '1000000000').nullable()).default(null),
  /** Only requests from TradingView's documented addresses (TRADINGVIEW_ADDRESSES) are taken; others are refused 403. */
  tradingViewAddressesOnly: ZFormBoolean.default(false),
})

/**
 * The addresses TradingView sends webhooks from (its support article on webhooks). Behind a
 * reverse proxy the address is the last hop of X-Forwarded-For (see clientAddress).
 */
export const TRADINGVIEW_ADDRESSES: readonly string[] = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7']
export type SignalSettings = z.output<typeof ZSignalSettings>

/** A trader's stored signal settings; unreadable (an older shape) reads as the defaults. */
export function readSignalSettings(stored: unknown): SignalSettings {
  const r = ZSignalSettings.safeParse(stored ?? {})
  return r.success ? r.data : ZSignalSettings.parse({})
}

/** Settings as they are stored and shown: decimals as exact strings. */
export function storedSignalSettings(s: SignalSettings) {
  return {
    maxLagSeconds: s.maxLagSeconds,
    maxPriceDeviationPct: s.maxPriceDeviationPct.toFixed(),
    duplicateWindowSeconds: s.duplicateWindowSeconds,
    defaultStopPct: s.defaultStopPct.toFixed(),
    defaultSizeQuote: s.defaultSizeQuote?.toFixed() ?? null,
    tradingViewAddressesOnly: s.tradingViewAddressesOnly,
  }
}
export type StoredSignalSettings = ReturnType<typeof storedSignalSettings>
