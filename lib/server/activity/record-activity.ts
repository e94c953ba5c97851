import type { DbTx } from '@/lib/db/client'
import { notify } from '@/lib/server/events/notify'

export type Severity = 'info' | 'warning' | 'error'

export interface ActivityInput {
  userId: string
  /** e.g. APPROVAL_NEEDED, LIMIT_BREACHED, BREAKER_TRIPPED, PANIC, DECISION_FAILED */
  type: string
  message: string
  severity?: Severity
  traderId?: string
  positionId?: string
}

/**
 * One row of the user's notification feed for something that is not a position event
 * (those go through recordPositionEvent, which mirrors them here). Notified on commit.
 */
export async function recordActivity(tx: DbTx, a: ActivityInput): Promise<void> {
  const severity = a.severity ?? 'info'
  await tx.activityEvent.create({
    data: { userId: a.userId, type: a.type, message: a.message, severity, traderId: a.traderId, positionId: a.positionId },
  })
  await notify(tx, { kind: 'activity', userId: a.userId, type: a.type, message: a.message, severity, traderId: a.traderId })
}
