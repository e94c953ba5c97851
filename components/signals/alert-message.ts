/** The fields of a signal as the Signals page documents them (the webhook's own rules are in lib/server/signals/signal-payload.ts). */
export const SIGNAL_FIELD_DOCS: { field: string; required: boolean; placeholder: string; meaning: string }[] = [
  { field: 'secret', required: true, placeholder: '—', meaning: "This trader's webhook secret. A wrong or missing one is answered 401 and logged without it." },
  { field: 'symbol', required: true, placeholder: '{{ticker}}', meaning: 'BTCUSDT, BINANCE:BTCUSDT (the exchange prefix is dropped) or BTC/USDT; must name a market of the watchlist, else 422.' },
  { field: 'action', required: true, placeholder: '{{strategy.order.action}}', meaning: 'buy or sell. An entry buys LONG or sells SHORT (a spot account cannot go SHORT: refused).' },
  { field: 'intent', required: false, placeholder: 'entry', meaning: 'entry, exit, close or reverse (close, then open the other side). pyramid adds a pyramid to the open position group of the symbol (only for a trader with position groups on; refused otherwise). Without it, from market_position: flat is close; the other side of the action (a sell leaving the strategy long) is exit, which sells size or contracts, else all; else entry, which reverses an opposite open position when market_position is the action\'s side (without position groups).' },
  { field: 'id', required: false, placeholder: '{{strategy.order.id}}-{{timenow}}', meaning: 'Idempotency key, per symbol: a repeat for the same symbol is answered with the first signal\'s id and does nothing. Without one, the same fields within the duplicate window are a repeat.' },
  { field: 'timestamp', required: false, placeholder: '{{timenow}}', meaning: 'When the alert fired (ISO 8601 or seconds). Older than the max lag: refused, at arrival and again when processed.' },
  { field: 'price', required: false, placeholder: '{{close}}', meaning: 'The price the strategy saw: an entry further than the max deviation from the market is refused.' },
  { field: 'contracts', required: false, placeholder: '{{strategy.order.contracts}}', meaning: 'Base quantity, used as the size when size is not given. Left out of the message below on purpose: with it, the strategy sizes orders.' },
  { field: 'size', required: false, placeholder: '0.01', meaning: 'Base quantity of the entry (or of a partial exit). Without size and contracts: the default size below, else the trader\'s sizing settings.' },
  { field: 'stop_loss', required: false, placeholder: '59000', meaning: 'Stop price of the entry. Without it: the default stop % below from the entry price.' },
  { field: 'take_profit', required: false, placeholder: '62000,64000', meaning: 'Up to 4 target prices, comma-separated, in equal shares.' },
  { field: 'position_size', required: false, placeholder: '{{strategy.position_size}}', meaning: 'Logged only.' },
  { field: 'market_position', required: false, placeholder: '{{strategy.market_position}}', meaning: 'long, short or flat, after the order. Without an intent it decides what the signal does (see intent).' },
  { field: 'interval', required: false, placeholder: '{{interval}}', meaning: "Logged only, without position groups. With them on, it names the group's timeframe: one open group per symbol and timeframe, and a close closes that timeframe's group (all of the symbol's without it)." },
  { field: 'exchange', required: false, placeholder: '{{exchange}}', meaning: 'Logged only.' },
  { field: 'comment', required: false, placeholder: '{{strategy.order.comment}}', meaning: 'Logged only (at most 200 characters).' },
]

/** The alert message to paste into TradingView (JSON, so TradingView sends it as application/json). */
export function alertMessage(secret: string): string {
  return JSON.stringify(
    {
      secret,
      symbol: '{{ticker}}',
      action: '{{strategy.order.action}}',
      id: '{{strategy.order.id}}-{{timenow}}',
      timestamp: '{{timenow}}',
      price: '{{close}}',
      position_size: '{{strategy.position_size}}',
      market_position: '{{strategy.market_position}}',
      interval: '{{interval}}',
    },
    null,
    2,
  )
}

/** The same as key=value lines (sent as text/plain). */
export function alertLines(secret: string): string {
  return [`secret=${secret}`, 'symbol={{ticker}}', 'action={{strategy.order.action}}', 'id={{strategy.order.id}}-{{timenow}}', 'timestamp={{timenow}}', 'price={{close}}'].join('\n')
}
