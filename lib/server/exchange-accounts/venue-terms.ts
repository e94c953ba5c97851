import type { Venue } from '@/lib/server/exchange/venue-adapter'

/**
 * Fee rates an exchange account starts with: each venue's base tier for spot, which is what a new
 * key pays until its 30-day volume earns a lower one. Binance spot: 0.1 % maker and taker.
 * Coinbase Advanced Trade: 0.40 % maker, 0.60 % taker.
 */
export const BINANCE_SPOT_MAKER_FEE = '0.001'
export const BINANCE_SPOT_TAKER_FEE = '0.001'
export const COINBASE_MAKER_FEE = '0.004'
export const COINBASE_TAKER_FEE = '0.006'

export const VENUE_FEES: Record<Venue, { maker: string; taker: string }> = {
  binance: { maker: BINANCE_SPOT_MAKER_FEE, taker: BINANCE_SPOT_TAKER_FEE },
  coinbase: { maker: COINBASE_MAKER_FEE, taker: COINBASE_TAKER_FEE },
}

/** The quote currency an account trades in unless the request names one: what each venue's books are mostly quoted in. */
export const VENUE_DEFAULT_QUOTE: Record<Venue, string> = { binance: 'USDT', coinbase: 'USD' }

/** Why a key that works is still refused: it could read but never place an order. */
export const CANNOT_TRADE = 'this key cannot trade (enable spot trading for it)'

/** Shown whenever the exchange says the key may withdraw. */
export const CAN_WITHDRAW_WARNING = 'this key can withdraw funds; a trading key should not'
