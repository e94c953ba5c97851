import type { SqlTx } from '@/lib/db/sql-tx'
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
    // Closing, or changing a closed position's books (a late fill), moves its trader's total.
    if (this.initial === 'CLOSED' || this.p.status === 'CLOSED') await tx.$executeRaw(keepingTotals(this.p.id, update))
    else await tx.$executeRaw(update)
    for (const s of this.steps) {
      await recordPositionEvent(tx, { positionId: this.p.id, userId: this.p.userId, type: 'STATUS_CHANGED', actor: this.actor, fromStatus: s.from, toStatus: s.to, message: s.message })
    }
  }
}

// What a position in this state adds to its trader's closed total.
const closedPart = (p: string) => Prisma.raw(`CASE WHEN ${p}.status = 'CLOSED' THEN ${p}."realizedPnl" ELSE 0 END`)

/**
 * `update` (of the locked position `id`) with its trader's TraderTotals moved by the change in
 * what the position adds to the closed total, in the same statement: every statement of a WITH
 * sees the row as it was before the UPDATE, so `before` is the old row and `moved` the new one.
 */
function keepingTotals(id: string, update: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    WITH before AS (SELECT status, "realizedPnl" FROM "Position" WHERE id = ${id}),
    moved AS (${update} RETURNING "traderId", status, "realizedPnl"),
    change AS (SELECT m."traderId", ${closedPart('m')} - ${closedPart('b')} AS realized FROM moved m CROSS JOIN before b)
    INSERT INTO "TraderTotals" ("traderId", "closedRealizedPnl") SELECT "traderId", realized FROM change WHERE realized <> 0
    ON CONFLICT ("traderId") DO UPDATE SET "closedRealizedPnl" = "TraderTotals"."closedRealizedPnl" + EXCLUDED."closedRealizedPnl"`
}

/** Applies one lifecycle event to a locked position and audits it; illegal transitions throw. */
export async function movePosition(tx: SqlTx, p: MovablePosition, event: PositionEvent, actor: ActorRef, message: string, extra: MoveExtra = {}): Promise<PositionStatus> {
  const moves = new PositionMoves(p, actor)
  const status = moves.move(event, message, extra)
  await moves.write(tx)
  return status
}
