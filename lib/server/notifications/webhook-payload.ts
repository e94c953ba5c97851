import { NOTIFICATION_TITLES, type NotificationKind } from './notifiable-events'
import { telegramChatId, type WebhookFormat } from './webhook-url'

/** One notification as every format sees it. */
export interface WebhookMessage {
  /** The activity event id (a decimal string); null for a test message. */
  id: string | null
  type: NotificationKind | 'TEST'
  severity: string
  message: string
  positionId: string | null
  traderId: string | null
  traderName: string | null
  symbol: string | null
  side: string | null
  at: Date
}

export const DISCORD_MAX_CONTENT = 2000
export const TELEGRAM_MAX_TEXT = 4096

/**
 * The JSON body to POST for a format. Generic receivers get the fields; Telegram and Discord
 * get one readable text. `id` lets a receiver drop the duplicate a retry after a lost answer sends.
 */
export function webhookPayload(format: WebhookFormat, url: URL, m: WebhookMessage): Record<string, unknown> {
  switch (format) {
    case 'generic':
      return {
        id: m.id,
        type: m.type,
        severity: m.severity,
        message: m.message,
        positionId: m.positionId,
        traderId: m.traderId,
        symbol: m.symbol,
        at: m.at.toISOString(),
      }
    case 'telegram': {
      const chatId = telegramChatId(url)
      // Checked when the channel is saved; a stored URL without one cannot be delivered.
      if (!chatId) throw new Error('the Telegram URL has no chat_id')
      return { chat_id: chatId, text: truncate(notificationText(m), TELEGRAM_MAX_TEXT) }
    }
    case 'discord':
      // Event text can quote an AI's reasoning; never let it ping @everyone or a role.
      return { content: truncate(notificationText(m), DISCORD_MAX_CONTENT), allowed_mentions: { parse: [] } }
  }
}

/** "Stopped out · BTC/USDT LONG · Momentum" on the first line, the event's message below. */
export function notificationText(m: WebhookMessage): string {
  const marker = m.severity === 'error' ? '⛔ ' : m.severity === 'warning' ? '⚠️ ' : ''
  const context = [[m.symbol, m.side].filter(Boolean).join(' '), m.traderName].filter(Boolean)
  return `${marker}${[NOTIFICATION_TITLES[m.type], ...context].join(' · ')}\n${m.message}`
}

/** At most `max` UTF-16 units, ending in "…" when cut, never splitting a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s
  let cut = s.slice(0, max - 1)
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}
