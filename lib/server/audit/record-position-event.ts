import { randomUUID } from 'node:crypto'
import { Prisma } from '@/lib/generated/prisma/client'
import { writeAhead, type SqlTx } from '@/lib/db/sql-tx'
import { activityInsert, type ActivityRow } from '@/lib/server/activity/record-activity'
import { notifyAllSelect, type AppEvent } from '@/lib/server/events/notify'
import type { ActorRef } from './actor'

export interface PositionEventInput {
  positionId: string
  userId: string
  type: string
  actor: ActorRef
  message: string
  fromStatus?: string
  toStatus?: string
  before?: Prisma.InputJsonValue
  after?: Prisma.InputJsonValue
  /** For stop/target changes: what caused them. */
  trigger?: 'AI_ANALYSIS' | 'RULE_ENGINE' | 'USER_MANUAL'
  /** The journal entry that led to this change, if a decision did. */
  decisionId?: string
}

type Pending = { e: PositionEventInput; at: Date }
type Timed = Pending & { id: string }

// Transactions whose audit rows are being collected by withBatchedAudit, keyed by the
// transaction client (the same object for every call inside one interactive transaction).
const batches = new WeakMap<object, Pending[]>()

/** Writes one audit-trail row, mirrors it to the activity feed and notifies on commit. */
export async function recordPositionEvent(tx: SqlTx, e: PositionEventInput): Promise<void> {
  const batch = batches.get(tx)
  if (batch) {
    batch.push({ e, at: new Date() })
    return
  }
  await writeAudits(tx, [{ e, at: new Date() }])
}

/**
 * Runs `fn` (the whole body of an interactive transaction, on `tx`) collecting the audit rows
 * recordPositionEvent is asked for, then writes them all in the same transaction with one
 * statement (events, activity rows, one NOTIFY per event) instead of one per event. The rows
 * keep the order and the times they were recorded at. If `fn` throws nothing is written: let the
 * error end the transaction (never catch it inside the same transaction and commit).
 */
export async function withBatchedAudit<T>(tx: SqlTx, fn: () => Promise<T>): Promise<T> {
  if (batches.has(tx)) return fn()
  const pending: Pending[] = []
  batches.set(tx, pending)
  let result: T
  try {
    result = await fn()
  } finally {
    batches.delete(tx)
  }
  await writeAudits(tx, pending)
  return result
}

/**
 * The audit rows, their activity-feed copies and their notifications in one statement (two
 * data-modifying WITH clauses and the NOTIFYs): it sits in every transaction that changes a
 * position, where each statement is a round trip that the position's lock is held across.
 */
async function writeAudits(tx: SqlTx, pending: Pending[]) {
  if (pending.length === 0) return
  // Strictly increasing times: the trail is read in (createdAt, id) order.
  let last = 0
  const timed = pending.map(({ e, at }): Timed => {
    last = Math.max(at.getTime(), last + 1)
    return { e, at: new Date(last), id: randomUUID() }
  })
  await writeAhead(
    tx,
    Prisma.sql`
    WITH events AS (${eventInsert(timed)}), activity AS (${activityInsert(timed.map(activityRow))})
    ${notifyAllSelect(timed.map(({ e }) => notification(e)))}`,
  )
}

function eventInsert(timed: Timed[]): Prisma.Sql {
  const rows = timed.map(({ e, at, id }) => ({
    id,
    positionId: e.positionId,
    type: e.type,
    actor: e.actor.kind,
    actorId: e.actor.id ?? null,
    trigger: e.trigger ?? null,
    decisionId: e.decisionId ?? null,
    fromStatus: e.fromStatus ?? null,
    toStatus: e.toStatus ?? null,
    // Absent, not JSON null: the column is NULL when there is nothing before or after.
    before: e.before,
    after: e.after,
    message: e.message,
    createdAt: at.toISOString(),
  }))
  return Prisma.sql`
    INSERT INTO "PositionEvent" (id, "positionId", type, actor, "actorId", trigger, "decisionId", "fromStatus", "toStatus", before, after, message, "createdAt")
    SELECT v.id, v."positionId", v.type, v.actor::"Actor", v."actorId", v.trigger::"ModificationTrigger", v."decisionId", v."fromStatus", v."toStatus",
      v.before, v.after, v.message, v."createdAt"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS v(id text, "positionId" text, type text, actor text, "actorId" text, trigger text, "decisionId" text, "fromStatus" text, "toStatus" text,
        before jsonb, after jsonb, message text, "createdAt" timestamp(3))`
}

// The row's symbol is the position's, which activityInsert reads (the callers know the id).
function activityRow({ e, at, id }: Timed): ActivityRow {
  return { userId: e.userId, type: e.type, message: e.message, severity: 'info', traderId: null, positionId: e.positionId, symbol: null, positionEventId: id, createdAt: at }
}

function notification(e: PositionEventInput): AppEvent {
  return { kind: 'position', userId: e.userId, positionId: e.positionId, type: e.type, message: e.message }
}
