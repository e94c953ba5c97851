/** The most bars one candles request asks a feed for (Binance answers at most 1000 klines at once). */
export const MAX_CANDLES = 1000
