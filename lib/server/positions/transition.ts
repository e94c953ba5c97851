import { writeAhead, type SqlTx } from '@/lib/db/sql-tx'
import { Prisma } from '@/lib/generated/prisma/client'
import { transitionPosition, type PositionEvent, type PositionStatus } from '@/lib/domain/positions/position-lifecycle'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordPositionEvent } from '@/lib/server/audit/record-position-event'

type MovablePosition = { id: string; status: PositionStatus; userId: string }
type MoveExtra = { statusReason?: string | null; openedAt?: Date; closedAt?: Date | null }
/** The ledger's cached columns (readLedger), exact decimal strings. */
export type LedgerColumns = Record<'openQty' | 'entryQty' | 'exitQty' | 'avgEntryPrice' | 'avgExitPrice' | 'realizedPnl' | 'fees', string>

// Each column the UPDATE may set, with how its value is cast.
const CAST: Record<keyof LedgerColumns | keyof MoveExtra | 'status', Prisma.Sql> = {
  openQty: Prisma.sql`numeric`, entryQty: Prisma.sql`numeric`, exitQty: Prisma.sql`numeric`, avgEntryPrice: Prisma.sql`numeric`,
  avgExitPrice: Prisma.sql`numeric`, realizedPnl: Prisma.sql`numeric`, fees: Prisma.sql`numeric`,
  statusReason: Prisma.sql`text`, openedAt: Prisma.sql`timestamp(3)`, closedAt: Prisma.sql`timestamp(3)`, status: Prisma.sql`"PositionStatus"`,
}

/**
 * Lifecycle events applied to a locked position one after another (illegal transitions throw
 * at once), then written with a single UPDATE together with any other columns of the same
 * change (the ledger's), each step audited. `p.status` follows every step.
 */
export class PositionMoves {
  private readonly steps: { from: PositionStatus; to: PositionStatus; message: string }[] = []
  private readonly extra: MoveExtra = {}
  private readonly initial: PositionStatus

  constructor(
    private readonly p: MovablePosition,
    private readonly actor: ActorRef,
  ) {
    this.initial = p.status
  }

  move(event: PositionEvent, message: string, extra: MoveExtra = {}): PositionStatus {
    const next = transitionPosition(this.p.status, event)
    if (!next.ok) throw next.error
    // A step that changes nothing is not recorded, unless it says why (a new status reason).
    if (next.value === this.p.status && !extra.statusReason) return this.p.status
    Object.assign(this.extra, extra)
    this.steps.push({ from: this.p.status, to: next.value, message })
    this.p.status = next.value
    return next.value
  }

  /** One UPDATE of the steps' status and columns plus `columns`; nothing when there is neither. */
  async write(tx: SqlTx, columns?: LedgerColumns): Promise<void> {
    const data: Partial<Record<keyof typeof CAST, string | Date | null>> = { ...columns, ...this.extra, ...(this.steps.length ? { status: this.p.status } : {}) }
    const keys = (Object.keys(data) as (keyof typeof CAST)[]).filter((k) => data[k] !== undefined)
    if (keys.length === 0) return
    const set = keys.map((k) => Prisma.sql`${Prisma.raw(`"${k}"`)} = ${data[k]}::${CAST[k]}`)
    const update = Prisma.sql`UPDATE "Position" SET ${Prisma.join(set)}, "updatedAt" = ${new Date()}::timestamp(3) WHERE id = ${this.p.id}`
    // Closing, or changing a closed position's books (a late fill), moves its trader's totals.
    if (this.initial === 'CLOSED' && this.p.status !== 'CLOSED') await reopening(tx, this.p.id, update)
    else await writeAhead(tx, this.p.status === 'CLOSED' ? keepingTotals(this.p.id, update) : update)
    for (const s of this.steps) {
      await recordPositionEvent(tx, { positionId: this.p.id, userId: this.p.userId, type: 'STATUS_CHANGED', actor: this.actor, fromStatus: s.from, toStatus: s.to, message: s.message })
    }
  }
}

// What a position in this state adds to its trader's closed total.
const closedPart = (p: string) => Prisma.raw(`CASE WHEN ${p}.status = 'CLOSED' THEN ${p}."realizedPnl" ELSE 0 END`)

/**
 * `update` (of the locked position `id`) with its trader's TraderTotals kept in the same statement:
 * the closed total moved by the change in what the position adds to it, and the latest close
 * moved up to its closedAt when it is CLOSED now. Every statement of a WITH sees the row as it was
 * before the UPDATE, so `before` is the old row and `moved` the new one.
 */
function keepingTotals(id: string, update: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    WITH before AS (SELECT status, "realizedPnl" FROM "Position" WHERE id = ${id}),
    moved AS (${update} RETURNING "traderId", status, "realizedPnl", "closedAt"),
    change AS (
      SELECT m."traderId", ${closedPart('m')} - ${closedPart('b')} AS realized, CASE WHEN m.status = 'CLOSED' THEN m."closedAt" END AS "closedAt"
      FROM moved m CROSS JOIN before b)
    INSERT INTO "TraderTotals" ("traderId", "closedRealizedPnl", "lastClosedAt")
    SELECT "traderId", realized, "closedAt" FROM change WHERE realized <> 0 OR "closedAt" IS NOT NULL
    ON CONFLICT ("traderId") DO UPDATE SET
      "closedRealizedPnl" = "TraderTotals"."closedRealizedPnl" + EXCLUDED."closedRealizedPnl",
      "lastClosedAt" = GREATEST("TraderTotals"."lastClosedAt", EXCLUDED."lastClosedAt")`
}

/**
 * A closed position open again (an entry filled after it closed): its PnL leaves the closed total,
 * and the trader's latest close is read again from its other closes. That read comes after the
 * totals row is locked, in a statement of its own, so it sees every close committed before: a
 * close still being written waits for the lock, then moves the latest close up itself.
 */
async function reopening(tx: SqlTx, id: string, update: Prisma.Sql): Promise<void> {
  const traderOf = Prisma.sql`(SELECT "traderId" FROM "Position" WHERE id = ${id})`
  await tx.$queryRaw`SELECT 1 FROM "TraderTotals" WHERE "traderId" = ${traderOf} FOR UPDATE`
  await tx.$executeRaw(keepingTotals(id, update))
  await tx.$executeRaw`
    UPDATE "TraderTotals" tt SET "lastClosedAt" = (SELECT max(p."closedAt") FROM "Position" p WHERE p."traderId" = tt."traderId" AND p.status = 'CLOSED')
    WHERE tt."traderId" = ${traderOf}`
}

/** Applies one lifecycle event to a locked position and audits it; illegal transitions throw. */
export async function movePosition(tx: SqlTx, p: MovablePosition, event: PositionEvent, actor: ActorRef, message: string, extra: MoveExtra = {}): Promise<PositionStatus> {
  const moves = new PositionMoves(p, actor)
  const status = moves.move(event, message, extra)
  await moves.write(tx)
  return status
}
