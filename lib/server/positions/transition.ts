import type { DbTx } from '@/lib/db/client'
import { transitionPosition, type PositionEvent, type PositionStatus } from '@/lib/domain/positions/position-lifecycle'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordPositionEvent } from '@/lib/server/audit/record-position-event'

/** Applies a lifecycle event to a locked position and audits it; illegal transitions throw. */
export async function movePosition(
  tx: DbTx,
  p: { id: string; status: PositionStatus; userId: string },
  event: PositionEvent,
  actor: ActorRef,
  message: string,
  extra: { statusReason?: string | null; openedAt?: Date; closedAt?: Date } = {},
): Promise<PositionStatus> {
  const next = transitionPosition(p.status, event)
  if (!next.ok) throw next.error
  if (next.value === p.status && !extra.statusReason) return p.status
  await tx.position.update({ where: { id: p.id }, data: { status: next.value, ...extra } })
  await recordPositionEvent(tx, {
    positionId: p.id,
    userId: p.userId,
    type: 'STATUS_CHANGED',
    actor,
    fromStatus: p.status,
    toStatus: next.value,
    message,
  })
  p.status = next.value
  return next.value
}
