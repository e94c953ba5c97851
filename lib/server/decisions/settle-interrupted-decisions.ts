import type { Db } from '@/lib/db/client'
import { INTERRUPTED_AFTER_MS } from '@/lib/server/approvals/decide-approval'
import { notify } from '@/lib/server/events/notify'
import { describeStep, type PlanStep } from './decision-plan'
import type { StepResult } from './settle-decision'
import { positionTouchedBy } from './step-trace'

/**
 * Ends the journal entries left EXECUTING by a worker that stopped while carrying them out (the
 * worker calls this): each planned step is read from what it leaves behind before it sends
 * anything (see positionTouchedBy) or from its approval request, so the entry says exactly what
 * was done. EXECUTED when any step was, PENDING_APPROVAL when any waits, else FAILED (nothing
 * was sent). Returns how many were settled.
 */
export async function settleInterruptedDecisions(db: Db, now = Date.now()): Promise<number> {
  const stuck = await db.decision.findMany({
    where: { outcome: 'EXECUTING', createdAt: { lte: new Date(now - INTERRUPTED_AFTER_MS) } },
    select: { id: true, createdAt: true, executed: true, traderId: true, trader: { select: { userId: true } } },
  })
  let settled = 0
  for (const d of stuck) {
    const executed = (d.executed ?? {}) as { plan?: PlanStep[]; sizing?: unknown }
    const approvals = await db.approval.findMany({ where: { decisionId: d.id }, select: { id: true, request: true } })
    const steps: StepResult[] = []
    for (const st of executed.plan ?? []) {
      const step = describeStep(st)
      const approval = approvals.find((a) => describeStep(a.request as unknown as PlanStep) === step)
      const positionId = approval ? undefined : await positionTouchedBy(db, st, { decisionId: d.id, since: d.createdAt, exitBy: 'WORKER' })
      steps.push(
        approval ? { step, status: 'QUEUED', approvalId: approval.id }
        : positionId ? { step, status: 'EXECUTED', summary: 'carried out; recorded after the worker stopped before it could say so', positionId }
        : { step, status: 'FAILED', error: 'not sent: the worker stopped first' },
      )
    }
    const done = steps.find((s) => s.status === 'EXECUTED')
    const outcome = done ? 'EXECUTED' : steps.some((s) => s.status === 'QUEUED') ? 'PENDING_APPROVAL' : 'FAILED'
    const error = outcome === 'FAILED' ? 'interrupted: the worker stopped while carrying out this decision, before anything was sent' : null
    const ended = await db.$transaction(async (tx) => {
      const { count } = await tx.decision.updateMany({
        where: { id: d.id, outcome: 'EXECUTING' },
        data: { outcome, error, executed: { ...(executed.sizing ? { sizing: executed.sizing } : {}), steps }, ...(done?.positionId ? { positionId: done.positionId } : {}) },
      })
      if (count) await notify(tx, { kind: 'decision', userId: d.trader.userId, traderId: d.traderId, decisionId: d.id })
      return count
    })
    settled += ended
  }
  return settled
}
