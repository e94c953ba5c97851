/** What a signal asks for. */
export const SIGNAL_INTENTS = ['entry', 'pyramid', 'exit', 'close', 'reverse'] as const
export type SignalIntent = (typeof SIGNAL_INTENTS)[number]

/**
 * The signal's intent: the one it names, else `close` when the strategy reports itself flat after
 * the order (`{{strategy.market_position}}` = flat: a strategy's exit alert, which must not open
 * the opposite side), else `entry`.
 */
export function resolveIntent(o: { intent?: SignalIntent; marketPosition?: 'long' | 'short' | 'flat' }): SignalIntent {
  if (o.intent) return o.intent
  if (o.marketPosition === 'flat') return 'close'
  return 'entry'
}

/** The side an entry opens for an action: buy → LONG, sell → SHORT. */
export function sideForAction(action: 'buy' | 'sell'): 'LONG' | 'SHORT' {
  return action === 'buy' ? 'LONG' : 'SHORT'
}
