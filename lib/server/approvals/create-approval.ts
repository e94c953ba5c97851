import type { Db } from '@/lib/db/client'
import { toJsonColumn } from '@/lib/db/json-column'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { describeStep, type PlanStep } from '@/lib/server/decisions/decision-plan'
import { notify } from '@/lib/server/events/notify'
import { approvalKind } from './waiting-approval'

/** Queues one step of a decision for a person, with an expiry; notifies on commit. */
export async function createApproval(o: {
  db: Db
  traderId: string
  userId: string
  decisionId: string | null
  step: PlanStep
  expiryMinutes: number
  summary: unknown
  now?: number
}): Promise<string> {
  const now = o.now ?? Date.now()
  return o.db.$transaction(async (tx) => {
    const a = await tx.approval.create({
      data: {
        traderId: o.traderId,
        decisionId: o.decisionId,
        positionId: 'positionId' in o.step ? o.step.positionId : null,
        kind: approvalKind(o.step),
        symbol: o.step.symbol,
        request: toJsonColumn(o.step),
        summary: toJsonColumn(o.summary),
        expiresAt: new Date(now + o.expiryMinutes * 60_000),
      },
    })
    await recordActivity(tx, { userId: o.userId, traderId: o.traderId, symbol: o.step.symbol, type: 'APPROVAL_NEEDED', severity: 'warning', message: `Approval needed: ${describeStep(o.step)} (expires in ${o.expiryMinutes} min)` })
    await notify(tx, { kind: 'approval', userId: o.userId, traderId: o.traderId, approvalId: a.id })
    return a.id
  })
}
