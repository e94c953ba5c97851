import type { Db } from '@/lib/db/client'
import { channelUrl } from './channels'
import { DUE_STATUSES, type DeliveryStatus } from './delivery-status'
import { candidateEventWhere, notifiableEvents, type NotifiableEvent } from './load-notifiable-events'
import { sendWebhook, type WebhookOutcome } from './send-webhook'
import { webhookPayload } from './webhook-payload'
import type { WebhookFormat } from './webhook-url'

/** Waits after the 1st, 2nd, … failed attempt; one more failure after the last gives up. */
export const DELIVERY_BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000] as const
export const MAX_DELIVERY_ATTEMPTS = DELIVERY_BACKOFF_MS.length + 1
/** A receiver's Retry-After is honoured up to this long. */
export const MAX_RETRY_AFTER_MS = 3_600_000
/** How long a claimed delivery belongs to its worker; after that (the worker died) it is due again. */
export const CLAIM_LEASE_MS = 60_000
/** Events this recent may still have neighbours with lower ids in uncommitted transactions. */
export const EVENT_SETTLE_MS = 30_000

const ENQUEUE_BATCH = 500
const SEND_BATCH = 50

/** The wait before the next attempt after `attempts` failed ones, or null when they are used up. */
export function retryDelayMs(attempts: number, retryAfterMs: number | null = null): number | null {
  if (attempts >= MAX_DELIVERY_ATTEMPTS) return null
  const backoff = DELIVERY_BACKOFF_MS[Math.max(0, attempts - 1)]
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS))
}

export interface ChannelForEnqueue {
  id: string
  userId: string
  enabled: boolean
  createdAt: Date
}

/**
 * Where a fresh scan of a channel starts (a worker starting, or taking over as the primary one):
 * EVENT_SETTLE_MS before the newest event it already has a delivery for, as the scan that
 * enqueued that one would have gone on: an event with a lower id may have committed after it.
 * Enqueueing is idempotent, so what is scanned twice is delivered once.
 */
export async function initialEventCursor(db: Db, channel: { id: string; userId: string }): Promise<bigint> {
  const agg = await db.notificationDelivery.aggregate({ where: { channelId: channel.id }, _max: { eventId: true } })
  const newest = agg._max.eventId
  if (newest === null) return 0n
  const at = await db.activityEvent.findUnique({ where: { id: newest }, select: { createdAt: true } })
  if (!at) return newest
  const settled = await db.activityEvent.findFirst({
    where: { userId: channel.userId, createdAt: { lt: new Date(at.createdAt.getTime() - EVENT_SETTLE_MS) } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { id: true },
  })
  return settled?.id ?? 0n
}

/**
 * Adds a delivery for each notifiable event of the channel's user after `afterId` (and not
 * older than the channel). Idempotent through the (channelId, eventId) key, so overlapping scans
 * and several workers are harmless. A disabled channel gets them as SKIPPED, so enabling it
 * later does not flood the destination with old events.
 *
 * Returns the new cursor: the last scanned id before the first event younger than
 * EVENT_SETTLE_MS, because ids are taken at insert and a transaction holding a lower one may
 * commit after a higher one is visible; young events are scanned again next time.
 */
export async function enqueueChannelDeliveries(opts: {
  db: Db
  channel: ChannelForEnqueue
  afterId: bigint
  now: Date
}): Promise<{ enqueued: number; cursor: bigint }> {
  const { db, channel } = opts
  const rows = await db.activityEvent.findMany({
    where: { AND: [{ userId: channel.userId, id: { gt: opts.afterId }, createdAt: { gte: channel.createdAt } }, candidateEventWhere] },
    orderBy: { id: 'asc' },
    take: ENQUEUE_BATCH,
    select: { id: true, type: true, severity: true, message: true, positionId: true, traderId: true, symbol: true, createdAt: true },
  })
  const events = await notifiableEvents(db, rows)
  // The logs viewer filters deliveries by their event's symbol, kept on the delivery.
  const symbolOf = new Map(rows.map((r) => [r.id, r.symbol]))
  let enqueued = 0
  if (events.length) {
    const status: DeliveryStatus = channel.enabled ? 'PENDING' : 'SKIPPED'
    const res = await db.notificationDelivery.createMany({
      data: events.map((e) => ({
        channelId: channel.id,
        eventId: e.id,
        symbol: symbolOf.get(e.id) ?? null,
        status,
        nextAttemptAt: opts.now,
        lastError: channel.enabled ? null : 'channel disabled when the event happened',
      })),
      skipDuplicates: true,
    })
    enqueued = res.count
  }
  const settledBefore = opts.now.getTime() - EVENT_SETTLE_MS
  let cursor = opts.afterId
  for (const r of rows) {
    if (r.createdAt.getTime() >= settledBefore) break
    cursor = r.id
  }
  return { enqueued, cursor }
}

export interface SendSummary {
  delivered: number
  retrying: number
  failed: number
}

export interface SendOptions {
  db: Db
  now: Date
  fetchImpl?: typeof fetch
  timeoutMs?: number
  log?: (m: string) => void
}

/**
 * Sends every due delivery of enabled channels once. Each row is claimed with a conditional
 * UPDATE (still due, still unclaimed) before its request goes out, so two workers never send the
 * same one. A channel's deliveries go out in order, one at a time; after a retryable failure the
 * rest of its queue waits as long as the failed one (a 429's Retry-After covers the channel).
 */
export async function sendDueDeliveries(opts: SendOptions): Promise<SendSummary> {
  const { db, now } = opts
  const summary: SendSummary = { delivered: 0, retrying: 0, failed: 0 }
  const due = await db.notificationDelivery.findMany({
    where: { status: { in: DUE_STATUSES }, nextAttemptAt: { lte: now }, channel: { enabled: true } },
    orderBy: [{ nextAttemptAt: 'asc' }, { eventId: 'asc' }],
    take: SEND_BATCH,
    select: { id: true, channelId: true, eventId: true, attempts: true },
  })
  if (due.length === 0) return summary

  const [channels, eventRows] = await Promise.all([
    db.notificationChannel.findMany({ where: { id: { in: [...new Set(due.map((d) => d.channelId))] } } }),
    db.activityEvent.findMany({
      where: { id: { in: [...new Set(due.map((d) => d.eventId))] } },
      select: { id: true, type: true, severity: true, message: true, positionId: true, traderId: true, createdAt: true },
    }),
  ])
  const events = new Map((await notifiableEvents(db, eventRows)).map((e) => [e.id, e]))

  await Promise.all(
    channels.map(async (channel) => {
      let url: URL | null = null
      let urlError: string | null = null
      try {
        url = channelUrl(channel)
      } catch {
        urlError = 'the stored URL cannot be read (was SECRETS_KEY changed?)'
      }
      for (const d of due.filter((x) => x.channelId === channel.id).sort((a, b) => (a.eventId < b.eventId ? -1 : 1))) {
        if (!(await claim(db, d, now))) continue
        const event = events.get(d.eventId)
        const outcome: WebhookOutcome = !url
          ? failure(urlError!)
          : !event
            ? failure('the event no longer exists or is no longer notifiable')
            : await send(url, channel.format as WebhookFormat, event, opts)
        const { status, nextAttemptAt } = await record(db, d, outcome, now)
        if (status === 'DELIVERED') summary.delivered++
        else if (status === 'RETRYING') summary.retrying++
        else summary.failed++
        if (status !== 'DELIVERED') {
          // The channel id only: the URL is a secret and never logged.
          opts.log?.(`notification ${d.id} to channel ${channel.id}: ${status.toLowerCase()} after attempt ${d.attempts + 1} (${outcome.error})`)
        }
        if (nextAttemptAt) {
          await deferChannel(db, channel.id, nextAttemptAt)
          break
        }
      }
    }),
  )
  return summary
}

const failure = (error: string): WebhookOutcome => ({ result: 'failed', httpStatus: null, retryAfterMs: null, error })

async function send(url: URL, format: WebhookFormat, event: NotifiableEvent, opts: SendOptions): Promise<WebhookOutcome> {
  let body: Record<string, unknown>
  try {
    body = webhookPayload(format, url, toMessage(event))
  } catch (e) {
    return failure((e as Error).message)
  }
  return sendWebhook({ url, body, fetchImpl: opts.fetchImpl, timeoutMs: opts.timeoutMs })
}

/**
 * Takes a due delivery for this worker; false when another worker got it first or it is no
 * longer due. Matching the attempts read earlier makes a stale read lose rather than miscount.
 */
async function claim(db: Db, d: { id: string; attempts: number }, now: Date): Promise<boolean> {
  const { count } = await db.notificationDelivery.updateMany({
    where: { id: d.id, attempts: d.attempts, status: { in: DUE_STATUSES }, nextAttemptAt: { lte: now }, channel: { is: { enabled: true } } },
    data: { status: 'SENDING', nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) },
  })
  return count === 1
}

/** Writes an attempt's outcome; a retry comes back with its time. */
async function record(
  db: Db,
  d: { id: string; attempts: number },
  outcome: WebhookOutcome,
  now: Date,
): Promise<{ status: DeliveryStatus; nextAttemptAt?: Date }> {
  const attempts = d.attempts + 1
  if (outcome.result === 'delivered') {
    await db.notificationDelivery.update({ where: { id: d.id }, data: { status: 'DELIVERED', attempts, deliveredAt: now, lastError: null } })
    return { status: 'DELIVERED' }
  }
  const delay = outcome.result === 'retry' ? retryDelayMs(attempts, outcome.retryAfterMs) : null
  if (delay === null) {
    const why = outcome.result === 'retry' ? `${outcome.error}; gave up after ${attempts} attempts` : outcome.error
    await db.notificationDelivery.update({ where: { id: d.id }, data: { status: 'FAILED', attempts, lastError: why } })
    return { status: 'FAILED' }
  }
  const nextAttemptAt = new Date(now.getTime() + delay)
  await db.notificationDelivery.update({ where: { id: d.id }, data: { status: 'RETRYING', attempts, lastError: outcome.error, nextAttemptAt } })
  return { status: 'RETRYING', nextAttemptAt }
}

/** The channel's other waiting deliveries go no earlier than `until`; their attempts are not counted. */
async function deferChannel(db: Db, channelId: string, until: Date): Promise<void> {
  await db.notificationDelivery.updateMany({
    where: { channelId, status: { in: ['PENDING', 'RETRYING'] }, nextAttemptAt: { lt: until } },
    data: { nextAttemptAt: until },
  })
}

function toMessage(e: NotifiableEvent) {
  return {
    id: e.id.toString(),
    type: e.kind,
    severity: e.severity,
    message: e.message,
    positionId: e.positionId,
    traderId: e.traderId,
    traderName: e.traderName,
    symbol: e.symbol,
    side: e.side,
    at: e.at,
  }
}
