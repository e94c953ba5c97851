/**
 * The trader's market for a TradingView ticker: `{{ticker}}` gives `BTCUSDT` (or, with the
 * exchange prefix some alerts carry, `BINANCE:BTCUSDT`; perpetuals end in `.P`). It names one of
 * the trader's watchlist markets when the base and quote written together are the ticker
 * (`BTC/USDT` ↔ `BTCUSDT`). A unified symbol (`BTC/USDT`) is taken as it is. Null: no watchlist
 * market matches, so the signal cannot be traded.
 */
export function symbolForTicker(ticker: string, watchlist: readonly string[]): string | null {
  const bare = ticker.trim().toUpperCase().replace(/^[A-Z0-9_.]+:/, '').replace(/\.P$/, '')
  if (!bare) return null
  if (bare.includes('/')) return watchlist.includes(bare) ? bare : null
  return watchlist.find((s) => s.replace('/', '') === bare) ?? null
}
