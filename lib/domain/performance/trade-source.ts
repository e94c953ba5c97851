/**
 * What opened a trade: a person (MANUAL: the UI or the API), the built-in rules provider, an AI
 * provider, or a signal: a webhook signal that opened it, or a decision that a signal started (an
 * analysis asked for one symbol).
 */
export const TRADE_SOURCES = ['MANUAL', 'RULES', 'AI', 'SIGNAL'] as const
export type TradeSource = (typeof TRADE_SOURCES)[number]

export const TRADE_SOURCE_LABELS: Record<TradeSource, string> = { MANUAL: 'Manual', RULES: 'Rules', AI: 'AI', SIGNAL: 'Signal' }

/**
 * The source of a trade: a webhook signal when one opened it (the position's signalId), else from
 * the entry decision that opened it (null: no decision did).
 */
export function tradeSource(opening: { provider: string; trigger: string } | null, openedBySignal = false): TradeSource {
  if (openedBySignal) return 'SIGNAL'
  if (!opening) return 'MANUAL'
  if (opening.trigger === 'SIGNAL') return 'SIGNAL'
  return opening.provider === 'RULES' ? 'RULES' : 'AI'
}
