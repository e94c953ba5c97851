import type { DbTx } from '@/lib/db/client'
import type { Prisma } from '@/lib/generated/prisma/client'
import { transitionPosition, type PositionEvent, type PositionStatus } from '@/lib/domain/positions/position-lifecycle'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordPositionEvent } from '@/lib/server/audit/record-position-event'

type MovablePosition = { id: string; status: PositionStatus; userId: string }
type MoveExtra = { statusReason?: string | null; openedAt?: Date; closedAt?: Date }

/**
 * Lifecycle events applied to a locked position one after another (illegal transitions throw
 * at once), then written with a single UPDATE together with any other columns of the same
 * change (the ledger's), each step audited. `p.status` follows every step.
 */
export class PositionMoves {
  private readonly steps: { from: PositionStatus; to: PositionStatus; message: string }[] = []
  private readonly extra: MoveExtra = {}

  constructor(
    private readonly p: MovablePosition,
    private readonly actor: ActorRef,
  ) {}

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
  async write(tx: DbTx, columns: Prisma.PositionUpdateInput = {}): Promise<void> {
    const data: Prisma.PositionUpdateInput = { ...columns, ...this.extra, ...(this.steps.length ? { status: this.p.status } : {}) }
    if (Object.keys(data).length === 0) return
    await tx.position.update({ where: { id: this.p.id }, data })
    for (const s of this.steps) {
      await recordPositionEvent(tx, { positionId: this.p.id, userId: this.p.userId, type: 'STATUS_CHANGED', actor: this.actor, fromStatus: s.from, toStatus: s.to, message: s.message })
    }
  }
}

/** Applies one lifecycle event to a locked position and audits it; illegal transitions throw. */
export async function movePosition(tx: DbTx, p: MovablePosition, event: PositionEvent, actor: ActorRef, message: string, extra: MoveExtra = {}): Promise<PositionStatus> {
  const moves = new PositionMoves(p, actor)
  const status = moves.move(event, message, extra)
  await moves.write(tx)
  return status
}
