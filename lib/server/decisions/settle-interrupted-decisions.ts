import { sqlOf, type Db } from '@/lib/db/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { INTERRUPTED_AFTER_MS } from '@/lib/server/approvals/decide-approval'
import { notify } from '@/lib/server/events/notify'
import { describeStep, type PlanStep } from './decision-plan'
import type { StepResult } from './settle-decision'
import { positionTouchedBy } from './step-trace'

// A journal entry still listing a step as PLANNED: its cycle never wrote what its steps did.
const STEPS_AS_PLANNED = Prisma.sql`executed @> '{"steps":[{"status":"PLANNED"}]}'`

/**
 * The journal entries made before `before` that a stopped worker left unsettled: still EXECUTING,
 * or answered by a person while EXECUTING (see decide-approval's finish) but with their steps
 * still as planned. Read through the partial index Decision_unsettled_idx (its predicate is this
 * one), so the worker's housekeeping does not read the whole journal every heartbeat.
 */
export function unsettledDecisionsSql(before: Date): Prisma.Sql {
  return Prisma.sql`SELECT id FROM "Decision" WHERE (outcome = 'EXECUTING' OR ${STEPS_AS_PLANNED}) AND "createdAt" <= ${before}::timestamp(3)`
}

/**
 * Ends the journal entries left unsettled by a worker that stopped while carrying them out (the
 * worker calls this): each planned step is read from what it leaves behind before it sends
 * anything (see positionTouchedBy) or from its approval request, so the entry says exactly what
 * was done. An EXECUTING entry becomes EXECUTED when any step was, PENDING_APPROVAL when any
 * waits, else FAILED (nothing was sent). An entry a person's answer already ended keeps that
 * outcome (EXECUTED instead when another of its steps was carried out) and gets its steps.
 * Returns how many were settled.
 */
export async function settleInterruptedDecisions(db: Db, now = Date.now()): Promise<number> {
  const ids = (await sqlOf(db).$queryRaw<{ id: string }[]>(unsettledDecisionsSql(new Date(now - INTERRUPTED_AFTER_MS)))).map((r) => r.id)
  if (ids.length === 0) return 0
  const stuck = await db.decision.findMany({
    where: { id: { in: ids } },
    select: { id: true, createdAt: true, executed: true, outcome: true, traderId: true, trader: { select: { userId: true } } },
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
    const record = JSON.stringify({ ...(executed.sizing ? { sizing: executed.sizing } : {}), steps })
    const ended = await db.$transaction(async (tx) => {
      let count: number
      if (d.outcome === 'EXECUTING') {
        const outcome = done ? 'EXECUTED' : steps.some((s) => s.status === 'QUEUED') ? 'PENDING_APPROVAL' : 'FAILED'
        const error = outcome === 'FAILED' ? 'interrupted: the worker stopped while carrying out this decision, before anything was sent' : null
        count = await tx.$executeRaw`
          UPDATE "Decision" SET outcome = ${outcome}::"DecisionOutcome", error = ${error}, executed = ${record}::jsonb, "positionId" = COALESCE(${done?.positionId ?? null}, "positionId")
          WHERE id = ${d.id} AND outcome = 'EXECUTING'`
      } else {
        count = await tx.$executeRaw`
          UPDATE "Decision" SET executed = ${record}::jsonb, "positionId" = COALESCE("positionId", ${done?.positionId ?? null}),
            outcome = CASE WHEN ${Boolean(done)}::boolean THEN 'EXECUTED' ELSE outcome END, error = CASE WHEN ${Boolean(done)}::boolean THEN NULL ELSE error END
          WHERE id = ${d.id} AND outcome <> 'EXECUTING' AND ${STEPS_AS_PLANNED}`
      }
      if (count) await notify(tx, { kind: 'decision', userId: d.trader.userId, traderId: d.traderId, decisionId: d.id })
      return count
    })
    settled += ended
  }
  return settled
}
