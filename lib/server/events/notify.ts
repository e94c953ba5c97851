import { Prisma } from '@/lib/generated/prisma/client'
import type { SqlTx } from '@/lib/db/sql-tx'

/**
 * Postgres NOTIFY is the bus between worker and web. Sent inside the writing transaction,
 * it is delivered only if and when that transaction commits — never for a rolled-back change.
 */
export const EVENTS_CHANNEL = 'tradeloop_events'
export const QUOTES_CHANNEL = 'tradeloop_quotes'

export type AppEvent =
  | { kind: 'position'; userId: string; positionId: string; type: string; message: string }
  | { kind: 'trader'; userId: string; traderId: string }
  | { kind: 'activity'; userId: string; type: string; message: string; severity: string; traderId?: string }
  | { kind: 'decision'; userId: string; traderId: string; decisionId: string }
  | { kind: 'approval'; userId: string; traderId: string; approvalId: string }
  /** Ask the worker to run a trader's analysis cycle now (a signal or a person's "analyze now"). */
  | { kind: 'analyze'; traderId: string; symbol?: string }
  | { kind: 'protection'; positionId: string }
  /** Ask the worker to resolve a trader's top-N universe now (its settings changed). */
  | { kind: 'universe'; traderId: string }
  | { kind: 'settings' }
  | { kind: 'worker' }

/**
 * PostgreSQL refuses a NOTIFY payload over 8,000 bytes by failing the whole transaction, which
 * would lose the change it announces (an exchange's error page quoted in an event's message is
 * 10 KB). Listeners only learn what changed from it; the full message is in the row. 1,000
 * characters stay under the limit even at 6 bytes each (JSON's \u escapes).
 */
const MESSAGE_MAX = 1000

/** The event as sent on the channel, its message cut to MESSAGE_MAX characters. */
export function notificationPayload(event: AppEvent): string {
  if (!('message' in event) || event.message.length <= MESSAGE_MAX) return JSON.stringify(event)
  return JSON.stringify({ ...event, message: `${event.message.slice(0, MESSAGE_MAX - 1)}…` })
}

export async function notify(tx: SqlTx, event: AppEvent): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${notificationPayload(event)})`
}

/** Several notifications in one statement, delivered in this order (each with notify's payload). */
export async function notifyAll(tx: SqlTx, events: AppEvent[]): Promise<void> {
  if (events.length === 0) return
  if (events.length === 1) return notify(tx, events[0]!)
  await tx.$executeRaw`${notifyAllSelect(events)}`
}

/** notifyAll's statement (a SELECT), for a writer that sends it as part of a larger one. */
export function notifyAllSelect(events: AppEvent[]): Prisma.Sql {
  return Prisma.sql`
    SELECT pg_notify(${EVENTS_CHANNEL}, t.payload)
    FROM jsonb_array_elements_text(${JSON.stringify(events.map(notificationPayload))}::jsonb) WITH ORDINALITY AS t(payload, n)
    ORDER BY t.n`
}
