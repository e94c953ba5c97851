import type { Db } from '@/lib/db/client'
import { fromZodError, notFound, validationError } from '@/lib/server/errors/app-error'
import { openSecret, sealSecret } from '@/lib/server/secrets/secret-box'
import { ZCreateNotificationChannelRequest, ZUpdateNotificationChannelRequest, type ChannelFormatInput } from './channel-input'
import { OUTSTANDING_STATUSES } from './delivery-status'
import { sendWebhook } from './send-webhook'
import { webhookPayload, type WebhookMessage } from './webhook-payload'
import { detectWebhookFormat, parseWebhookUrl, redactWebhookSecrets, telegramChatId, webhookUrlHint, type WebhookFormat } from './webhook-url'

/** A channel as it leaves the server: the URL itself never does, only its hint. */
export interface ChannelView {
  id: string
  name: string
  format: WebhookFormat
  urlHint: string
  enabled: boolean
  createdAt: string
}

type ChannelRow = { id: string; name: string; format: string; urlHint: string; enabled: boolean; createdAt: Date }

function toView(c: ChannelRow): ChannelView {
  return { id: c.id, name: c.name, format: c.format as WebhookFormat, urlHint: c.urlHint, enabled: c.enabled, createdAt: c.createdAt.toISOString() }
}

/** 'auto' becomes the format the URL is recognised as; a Telegram URL must name its chat. */
function resolveFormat(url: URL, format: ChannelFormatInput): WebhookFormat {
  const resolved = format === 'auto' ? detectWebhookFormat(url) : format
  if (resolved === 'telegram' && !telegramChatId(url)) {
    throw validationError([{ field: 'url', message: 'a Telegram URL must name the chat: …/bot<token>/sendMessage?chat_id=<chat id>' }])
  }
  return resolved
}

/** The stored URL of a channel, decrypted; for the sender only. */
export function channelUrl(c: { urlEnc: string }): URL {
  const url = parseWebhookUrl(openSecret(c.urlEnc))
  if (!url) throw new Error('the stored webhook URL is not an http(s) URL')
  return url
}

async function ownChannel(db: Db, userId: string, channelId: string) {
  const c = await db.notificationChannel.findFirst({ where: { id: channelId, userId } })
  if (!c) throw notFound('notification channel')
  return c
}

/** Saves a webhook destination; the URL is stored sealed, with a masked hint for display. */
export async function createChannel(opts: { db: Db; userId: string; input: unknown }): Promise<ChannelView> {
  const parsed = ZCreateNotificationChannelRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const v = parsed.data
  const url = parseWebhookUrl(v.url)!
  const format = resolveFormat(url, v.format)
  const c = await opts.db.notificationChannel.create({
    data: { userId: opts.userId, name: v.name, format, urlEnc: sealSecret(url.href), urlHint: webhookUrlHint(url, format), enabled: v.enabled },
  })
  return toView(c)
}

export async function listChannels(opts: { db: Db; userId: string }): Promise<ChannelView[]> {
  const rows = await opts.db.notificationChannel.findMany({ where: { userId: opts.userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
  return rows.map(toView)
}

/**
 * Renames, enables/disables, replaces the URL or changes the format. A new URL without a format
 * is detected again. Disabling skips what was still waiting to be sent, so enabling the channel
 * later does not send a backlog of stale events.
 */
export async function updateChannel(opts: { db: Db; userId: string; channelId: string; input: unknown }): Promise<ChannelView> {
  const parsed = ZUpdateNotificationChannelRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const v = parsed.data
  const current = await ownChannel(opts.db, opts.userId, opts.channelId)
  const data: { name?: string; enabled?: boolean; format?: string; urlEnc?: string; urlHint?: string } = { name: v.name, enabled: v.enabled }
  if (v.url !== undefined || v.format !== undefined) {
    const url = v.url !== undefined ? parseWebhookUrl(v.url)! : channelUrl(current)
    const format = resolveFormat(url, v.format ?? (v.url !== undefined ? 'auto' : (current.format as WebhookFormat)))
    Object.assign(data, { format, urlHint: webhookUrlHint(url, format) }, v.url !== undefined ? { urlEnc: sealSecret(url.href) } : {})
  }
  return opts.db.$transaction(async (tx) => {
    const c = await tx.notificationChannel.update({ where: { id: current.id }, data })
    if (v.enabled === false && current.enabled) {
      await tx.notificationDelivery.updateMany({
        where: { channelId: c.id, status: { in: OUTSTANDING_STATUSES } },
        data: { status: 'SKIPPED', lastError: 'channel disabled before delivery' },
      })
    }
    return toView(c)
  })
}

/** Deletes the channel and its delivery log. */
export async function deleteChannel(opts: { db: Db; userId: string; channelId: string }): Promise<void> {
  const { count } = await opts.db.notificationChannel.deleteMany({ where: { id: opts.channelId, userId: opts.userId } })
  if (count === 0) throw notFound('notification channel')
}

export interface TestNotificationOutcome {
  delivered: boolean
  /** The receiver's HTTP status; null when it could not be reached. */
  httpStatus: number | null
  /** Why not, with the URL and its secrets removed. */
  error: string | null
}

/** Sends a test message to the channel now (enabled or not) and says how it went; nothing is logged as a delivery. */
export async function sendTestNotification(opts: {
  db: Db
  userId: string
  channelId: string
  fetchImpl?: typeof fetch
  now?: Date
}): Promise<TestNotificationOutcome> {
  const c = await ownChannel(opts.db, opts.userId, opts.channelId)
  const url = channelUrl(c)
  const message: WebhookMessage = {
    id: null,
    type: 'TEST',
    severity: 'info',
    message: `Notifications for "${c.name}" reach this destination.`,
    positionId: null,
    traderId: null,
    traderName: null,
    symbol: null,
    side: null,
    at: opts.now ?? new Date(),
  }
  const outcome = await sendWebhook({ url, body: webhookPayload(c.format as WebhookFormat, url, message), fetchImpl: opts.fetchImpl })
  return { delivered: outcome.result === 'delivered', httpStatus: outcome.httpStatus, error: outcome.error }
}

export interface DeliveryView {
  id: string
  channelId: string
  channelName: string
  eventId: string
  eventType: string | null
  severity: string | null
  message: string | null
  status: string
  attempts: number
  lastError: string | null
  nextAttemptAt: string | null
  deliveredAt: string | null
  createdAt: string
}

/** The delivery log, newest first: what was sent where, how often it was tried and why it failed. */
export async function listDeliveries(opts: { db: Db; userId: string; channelId?: string; limit?: number }): Promise<DeliveryView[]> {
  if (opts.channelId) await ownChannel(opts.db, opts.userId, opts.channelId)
  const rows = await opts.db.notificationDelivery.findMany({
    where: { channelId: opts.channelId, channel: { userId: opts.userId } },
    orderBy: [{ createdAt: 'desc' }, { eventId: 'desc' }],
    take: opts.limit ?? 50,
    include: { channel: { select: { name: true } } },
  })
  const events = await opts.db.activityEvent.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.eventId))] } },
    select: { id: true, type: true, severity: true, message: true },
  })
  const byId = new Map(events.map((e) => [e.id, e]))
  return rows.map((r) => {
    const e = byId.get(r.eventId)
    const waiting = r.status === 'PENDING' || r.status === 'RETRYING'
    return {
      id: r.id,
      channelId: r.channelId,
      channelName: r.channel.name,
      eventId: r.eventId.toString(),
      eventType: e?.type ?? null,
      severity: e?.severity ?? null,
      message: e?.message ?? null,
      status: r.status,
      attempts: r.attempts,
      // Redacted when written; again here, in case an older row slipped through.
      lastError: r.lastError === null ? null : redactWebhookSecrets(r.lastError),
      nextAttemptAt: waiting ? r.nextAttemptAt.toISOString() : null,
      deliveredAt: r.deliveredAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    }
  })
}
