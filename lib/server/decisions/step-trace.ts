import type { Db } from '@/lib/db/client'
import type { PlanStep } from './decision-plan'

/**
 * The position a decision's step left its mark on since `since`, read from what the step writes
 * before it sends anything (an entry's position, created with the decision's id; an exit's order;
 * a change's audit line), or undefined when it did not get that far: so a step whose process
 * stopped is known exactly to have been carried out or not, and is never carried out twice.
 * `exitBy` is who an exit's order was created by (the worker, or the person who approved it).
 */
export async function positionTouchedBy(db: Db, step: PlanStep, o: { decisionId: string; since: Date; exitBy: 'USER' | 'WORKER' }): Promise<string | undefined> {
  if (step.kind === 'ENTRY') {
    return (await db.positionEvent.findFirst({ where: { decisionId: o.decisionId, type: 'CREATED', createdAt: { gte: o.since } }, select: { positionId: true } }))?.positionId
  }
  if (step.kind === 'MODIFY') {
    const changed = { positionId: step.positionId, decisionId: o.decisionId, type: { in: ['SL_CHANGED' as const, 'TP_CHANGED' as const] }, createdAt: { gte: o.since } }
    return (await db.positionEvent.findFirst({ where: changed, select: { positionId: true } }))?.positionId
  }
  return (await db.order.findFirst({ where: { positionId: step.positionId, purpose: 'MANUAL_EXIT', createdBy: o.exitBy, createdAt: { gte: o.since } }, select: { positionId: true } }))?.positionId ?? undefined
}
