/** What a signal asks for. */
export const SIGNAL_INTENTS = ['entry', 'pyramid', 'exit', 'close', 'reverse'] as const
export type SignalIntent = (typeof SIGNAL_INTENTS)[number]

/**
 * The signal's intent: the one it names, else what the strategy's position after the order
 * (`{{strategy.market_position}}`) says the order was. Flat: `close` (a strategy's exit alert,
 * which must not open the opposite side). Still on the other side of the action (a sell that
 * leaves it long: a partial take-profit; a buy that leaves it short): `exit`, which sells `size`
 * or `contracts` of the position, never an entry the other way. Otherwise `entry` (which
 * reverses an opposite open position when the strategy reports the action's side: see
 * `reversesOnEntry`).
 */
export function resolveIntent(o: { intent?: SignalIntent; action: 'buy' | 'sell'; marketPosition?: 'long' | 'short' | 'flat' }): SignalIntent {
  if (o.intent) return o.intent
  if (o.marketPosition === 'flat') return 'close'
  if (o.marketPosition && o.marketPosition !== strategySideOf(o.action)) return 'exit'
  return 'entry'
}

/**
 * An entry whose strategy reports itself on the action's side (a sell leaving it short) while
 * the opposite position is open here: TradingView's reversal, one order from long to short.
 * Carried out as close, then entry; refusing it would leave the old side open.
 */
export function reversesOnEntry(o: { action: 'buy' | 'sell'; marketPosition?: string; openSide: 'LONG' | 'SHORT' | null }): boolean {
  return o.openSide !== null && o.marketPosition === strategySideOf(o.action) && o.openSide !== sideForAction(o.action)
}

const strategySideOf = (action: 'buy' | 'sell') => (action === 'buy' ? 'long' : 'short')

/** The side an entry opens for an action: buy → LONG, sell → SHORT. */
export function sideForAction(action: 'buy' | 'sell'): 'LONG' | 'SHORT' {
  return action === 'buy' ? 'LONG' : 'SHORT'
}
