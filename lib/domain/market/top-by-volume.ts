import type { Decimal } from '@/lib/domain/decimal'

/** One market's 24 h ticker, as much of it as ranking needs. */
export interface VolumeTicker {
  /** Unified, e.g. 'BTC/USDT'. */
  symbol: string
  base: string
  quote: string
  /** Only spot markets are traded here; futures and margin tickers are skipped. */
  spot: boolean
  /** 24 h volume in the quote currency; null when the exchange did not report one. */
  quoteVolume24h: Decimal | null
}

export interface TopByVolumeRule {
  n: number
  excludeStablecoins: boolean
  excludeLeveraged: boolean
  /** Symbols the user never wants, e.g. 'LUNA/USDT'. */
  exclude: string[]
}

/**
 * Bases that track a fiat currency, so trading them against a stable quote is pointless: the
 * dollar stablecoins by market capitalisation (CoinGecko's "Stablecoins" category, 2024–2025)
 * and the fiat currencies Binance lists as spot bases (EUR/USDT, TRY …). Kept by hand: a new
 * stablecoin can be excluded through the user list until it is added here.
 */
export const STABLECOIN_BASES: ReadonlySet<string> = new Set([
  'USDT', 'USDC', 'BUSD', 'DAI', 'TUSD', 'FDUSD', 'USDP', 'PYUSD', 'USDD', 'USDE', 'USDS', 'USD1',
  'GUSD', 'LUSD', 'FRAX', 'SUSD', 'UST', 'USTC', 'PAX', 'USDJ', 'RLUSD', 'EURI', 'AEUR', 'EURC',
  'EUR', 'GBP', 'AUD', 'TRY', 'BRL', 'JPY', 'RUB', 'UAH', 'NGN', 'ZAR', 'PLN', 'RON', 'ARS', 'MXN', 'COP', 'CZK',
])

/**
 * Leveraged tokens, as exchanges name them: BTCUP/BTCDOWN (Binance's, delisted 2024), BULL/BEAR
 * (FTX's) and 3L/3S, 5L/5S (Gate, MEXC, KuCoin). A suffix alone is not enough: SYRUP and JUP are
 * real coins ending in UP. So the rest of the name must be a coin listed on the same exchange
 * (BTCUP is BTC with UP): the underlying of a leveraged token is always one.
 */
const LEVERAGED_SUFFIX = /^(.+?)(UP|DOWN|BULL|BEAR|\d+[LS])$/

export function isLeveragedBase(base: string, listedBases: ReadonlySet<string>): boolean {
  const m = LEVERAGED_SUFFIX.exec(base)
  return m !== null && listedBases.has(m[1]!)
}

/**
 * The symbols of the N spot markets in `quote` with the highest 24 h quote volume, highest
 * first; equal volumes by symbol, so the same tickers always give the same list. Markets with
 * no reported volume are left out (they cannot be ranked).
 */
export function topByVolume(tickers: readonly VolumeTicker[], rule: TopByVolumeRule, quote: string): string[] {
  const excluded = new Set(rule.exclude.map((s) => s.toUpperCase()))
  const listedBases = new Set(tickers.map((t) => t.base))
  const seen = new Set<string>()
  const eligible = tickers.filter((t) => {
    if (!t.spot || t.quote !== quote || t.quoteVolume24h === null || seen.has(t.symbol)) return false
    if (excluded.has(t.symbol)) return false
    if (rule.excludeStablecoins && STABLECOIN_BASES.has(t.base)) return false
    if (rule.excludeLeveraged && isLeveragedBase(t.base, listedBases)) return false
    seen.add(t.symbol)
    return true
  })
  eligible.sort((a, b) => b.quoteVolume24h!.comparedTo(a.quoteVolume24h!) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0))
  return eligible.slice(0, rule.n).map((t) => t.symbol)
}
