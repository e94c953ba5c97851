import type { Prisma } from '@/lib/generated/prisma/client'
import type { DbTx } from '@/lib/db/client'
import { notify } from '@/lib/server/events/notify'
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

/** Writes one audit-trail row, mirrors it to the activity feed and notifies on commit. */
export async function recordPositionEvent(tx: DbTx, e: PositionEventInput): Promise<void> {
  await tx.positionEvent.create({
    data: {
      positionId: e.positionId,
      type: e.type,
      actor: e.actor.kind,
      actorId: e.actor.id,
      trigger: e.trigger,
      decisionId: e.decisionId,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      before: e.before,
      after: e.after,
      message: e.message,
    },
  })
  await tx.activityEvent.create({ data: { userId: e.userId, type: e.type, positionId: e.positionId, message: e.message } })
  await notify(tx, { kind: 'position', userId: e.userId, positionId: e.positionId, type: e.type, message: e.message })
}
