import type { Exchange, Ticker } from 'ccxt'
import { dec, type Decimal } from '@/lib/domain/decimal'
import type { VolumeTicker } from '@/lib/domain/market/top-by-volume'

/**
 * ccxt's 24 h tickers as VolumeTickers (what ranking by volume reads), each with its market's
 * base, quote and whether it is an active spot market; a ticker of a market ccxt did not load is
 * left out. `quoteVolumeOf` reads the volume in the quote currency the way the venue reports it.
 */
export function volumeTickers(exchange: Exchange, tickers: Record<string, Ticker>, quoteVolumeOf: (t: Ticker) => Decimal | null = reportedQuoteVolume): VolumeTicker[] {
  return Object.values(tickers).flatMap((t) => {
    const m = t.symbol === undefined ? undefined : exchange.markets?.[t.symbol]
    if (!m) return []
    return [{ symbol: m.symbol, base: m.base, quote: m.quote, spot: m.spot === true && m.active !== false, quoteVolume24h: quoteVolumeOf(t) }]
  })
}

const DECIMAL = /^\d+(\.\d+)?$/

/** The exchange's own string where it sent one (Binance does), so the volume stays exact; else ccxt's number. */
export function reportedQuoteVolume(t: Ticker): Decimal | null {
  const raw = (t.info as Record<string, unknown> | undefined)?.['quoteVolume']
  if (typeof raw === 'string' && DECIMAL.test(raw)) return dec(raw)
  return typeof t.quoteVolume === 'number' && Number.isFinite(t.quoteVolume) ? dec(t.quoteVolume) : null
}

/**
 * Coinbase's products carry the 24 h volume in base units (`volume_24h`, which ccxt reports as
 * baseVolume, with no quoteVolume) and, approximately, in the quote currency
 * (`approximate_quote_24h_volume`): that one, else the base volume at the last price.
 */
export function coinbaseQuoteVolume(info: Record<string, unknown> | undefined): Decimal | null {
  const quote = info?.['approximate_quote_24h_volume']
  if (typeof quote === 'string' && DECIMAL.test(quote)) return dec(quote)
  const base = info?.['volume_24h']
  const price = info?.['price']
  if (typeof base === 'string' && DECIMAL.test(base) && typeof price === 'string' && DECIMAL.test(price)) return dec(base).mul(price)
  return null
}
