import { z } from 'zod'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { sqlOf, type Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { validateDecision } from '@/lib/domain/decisions/validate-decision'
import { Prisma } from '@/lib/generated/prisma/client'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { describeStep, type PlanStep } from '@/lib/server/decisions/decision-plan'
import { decisionSettingsFor } from '@/lib/server/decisions/decision-settings-for'
import { executeStep } from '@/lib/server/decisions/execute-step'
import { positionTouchedBy } from '@/lib/server/decisions/step-trace'
import { decisionFromStep } from '@/lib/server/decisions/step-decision'
import { loadSymbolSnapshot } from '@/lib/server/decisions/symbol-snapshot'
import { AppError, conflict, fromZodError, isAppError, notFound, validationError } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { EntryUnconfirmed } from '@/lib/server/positions/entry-unconfirmed'
import { readTraderSettings } from '@/lib/server/traders/trader-settings'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { env } from '@/lib/config/env'
import { textField } from '@/lib/server/validation/text-field'

export const ZApproveRequest = z.strictObject({
  /** Edits a person may make before approving; everything is validated again with them. */
  qty: ZPositiveDecimal.optional(),
  stopLoss: ZPositiveDecimal.optional(),
  takeProfits: z.array(z.strictObject({ price: ZPositiveDecimal, sharePct: ZPositiveDecimal })).max(10).optional(),
  note: textField({ max: 500, multiline: true }).optional(),
})
export const ZRejectRequest = z.strictObject({ note: textField({ max: 500, multiline: true }).default('') })

type Summary = { confidence?: string; reasoning?: string }

/** Failures that leave nothing sent and answer 503 with Retry-After. */
const NOTHING_SENT_TRY_AGAIN = new Set(['BUSY', 'MARKET_UNAVAILABLE', 'EXCHANGE_UNAVAILABLE'])

/**
 * Approves a queued step: re-validated against the current market, the validation layer and the
 * risk limits (by executing through the regular services). A stale or now-invalid request is
 * refused with the reasons and stays pending; an expired one is marked expired.
 */
export async function approveApproval(o: { db: Db; userId: string; approvalId: string; input: unknown; now?: number }) {
  const parsed = ZApproveRequest.safeParse(o.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const edits = parsed.data
  const now = o.now ?? Date.now()
  const a = await loadPending(o.db, o.userId, o.approvalId, now)
  const step = applyEdits(a.request as unknown as PlanStep, edits)
  const trader = a.trader
  const settings = readTraderSettings(trader)

  const snapshot = await loadSymbolSnapshot(o.db, { traderId: trader.id, symbol: a.symbol, now, staleAfterMs: env().MARKET_STALE_AFTER_MS })
  if ('problem' in snapshot) throw new AppError('MARKET_UNAVAILABLE', `cannot approve now: ${snapshot.problem}`)
  const summary = (a.summary ?? {}) as Summary
  const decision = decisionFromStep(step, dec(summary.confidence ?? '1'), summary.reasoning ?? '', snapshot.positionState ? { takeProfitCount: snapshot.positionState.takeProfits.length } : null)
  const validation = validateDecision({
    decision,
    watchlist: trader.watchlist,
    market: { bid: snapshot.quote.bid, ask: snapshot.quote.ask, rules: snapshot.rules },
    position: snapshot.positionState,
    settings: decisionSettingsFor(settings.ai, { shortSelling: exchangeForAccount(o.db, trader.account).capabilities?.shortSelling === true, takerFeeRate: fromDb(trader.account.takerFeeRate) }),
    entryQty: step.kind === 'ENTRY' ? dec(step.qty) : null,
    // A person approving: the model's hourly limit counted the proposal when it was made.
    modificationTrigger: 'USER_MANUAL',
  })
  if (!validation.isValid) {
    throw validationError(validation.errors.map((message) => ({ field: 'approval', message })), `cannot approve at the current price (bid ${snapshot.quote.bid.toFixed()}, ask ${snapshot.quote.ask.toFixed()}): ${validation.errors.join('; ')}`)
  }

  // Read before the claim: nothing that can fail stands between the claim and the execution.
  const who = await o.db.user.findUniqueOrThrow({ where: { id: o.userId }, select: { email: true } })
  // Claim it, so two people approving at once cannot execute it twice.
  const claimed = await o.db.approval.updateMany({ where: { id: a.id, status: 'PENDING' }, data: { status: 'APPROVED', decidedBy: o.userId, decidedAt: new Date(now), note: edits.note } })
  if (claimed.count === 0) throw conflict('this approval was decided by someone else a moment ago')
  const edited = JSON.stringify(step) !== JSON.stringify(a.request)
  const approved = (positionId: string, executed: string, extra: Record<string, unknown> = {}) =>
    finish(o.db, a, { status: 'APPROVED', result: { executed, positionId, step: describeStep(step), edited, ...extra }, decisionOutcome: 'EXECUTED', positionId, message: `Approved by ${who.email}${edited ? ' (edited)' : ''}: ${describeStep(step)}` })
  let r: Awaited<ReturnType<typeof executeStep>>
  try {
    r = await executeStep(
      { db: o.db, userId: o.userId, traderId: trader.id, actor: { kind: 'USER', id: o.userId }, source: 'APPROVAL', trigger: 'AI_ANALYSIS', decisionId: a.decisionId ?? undefined, reason: `approved by ${who.email}` },
      step,
    )
  } catch (e) {
    // Sent, and not confirmed: the entry may still fill, so it is recorded as executed, with its position.
    if (e instanceof EntryUnconfirmed) await approved(e.positionId, `sent, not confirmed: ${e.message}`, { unconfirmed: true })
    else if (isAppError(e) && NOTHING_SENT_TRY_AGAIN.has(e.code)) {
      // Busy, no fresh price or the exchange unreachable: nothing went out, and the 503 says to
      // try again, so the request waits again rather than being used up by a passing condition.
      await o.db.approval.updateMany({ where: { id: a.id, status: 'APPROVED' }, data: { status: 'PENDING', decidedBy: null, decidedAt: null, note: null } })
    } else {
      const reason = isAppError(e) ? e.message : 'unexpected error while executing'
      await finish(o.db, a, { status: 'FAILED', result: { error: reason, step: describeStep(step), edited }, decisionOutcome: 'REJECTED', message: `Approved by ${who.email} but not executed: ${reason}` })
    }
    throw e
  }
  // Outside the try: recording a success that fails must not report the executed step as not executed.
  await approved(r.positionId, r.summary)
  return { status: 'APPROVED' as const, positionId: r.positionId, summary: r.summary }
}

/** Rejects a queued step with an optional note; nothing is executed. */
export async function rejectApproval(o: { db: Db; userId: string; approvalId: string; input: unknown; now?: number }) {
  const parsed = ZRejectRequest.safeParse(o.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const now = o.now ?? Date.now()
  const a = await loadPending(o.db, o.userId, o.approvalId, now)
  const claimed = await o.db.approval.updateMany({ where: { id: a.id, status: 'PENDING' }, data: { status: 'REJECTED', decidedBy: o.userId, decidedAt: new Date(now), note: parsed.data.note || null } })
  if (claimed.count === 0) throw conflict('this approval was decided by someone else a moment ago')
  const who = await o.db.user.findUniqueOrThrow({ where: { id: o.userId }, select: { email: true } })
  const note = parsed.data.note ? `: "${parsed.data.note}"` : ''
  await finish(o.db, a, { status: 'REJECTED', result: { rejected: true }, decisionOutcome: 'REJECTED', message: `Rejected by ${who.email}${note}: ${describeStep(a.request as unknown as PlanStep)}` })
  return { status: 'REJECTED' as const }
}

async function loadPending(db: Db, userId: string, id: string, now: number) {
  const a = await db.approval.findUnique({ where: { id }, include: { trader: { include: { account: true } } } })
  if (!a || a.trader.userId !== userId) throw notFound('approval')
  if (a.status !== 'PENDING') throw conflict(`this approval is already ${a.status.toLowerCase()}`)
  if (a.expiresAt.getTime() <= now) {
    await expireOne(db, a, now)
    throw conflict(`this approval expired at ${a.expiresAt.toISOString()} and can no longer be approved`)
  }
  return a
}

function applyEdits(step: PlanStep, e: z.output<typeof ZApproveRequest>): PlanStep {
  const tps = e.takeProfits?.map((t) => ({ price: t.price.toFixed(), sharePct: t.sharePct.toFixed() }))
  switch (step.kind) {
    case 'ENTRY':
      return { ...step, qty: e.qty?.toFixed() ?? step.qty, stopLoss: e.stopLoss?.toFixed() ?? step.stopLoss, takeProfits: tps ?? step.takeProfits }
    case 'MODIFY':
      return { ...step, stopLoss: e.stopLoss?.toFixed() ?? step.stopLoss, takeProfits: tps ?? step.takeProfits }
    case 'EXIT':
      if (e.qty || e.stopLoss || e.takeProfits) throw validationError([{ field: 'qty', message: 'an exit cannot be edited; approve or reject it' }])
      return step
  }
}

type ApprovalRow = { id: string; traderId: string; decisionId: string | null; symbol: string; trader: { userId: string } }

async function finish(db: Db, a: ApprovalRow, f: { status: 'APPROVED' | 'REJECTED' | 'FAILED' | 'EXPIRED'; result: unknown; decisionOutcome: 'EXECUTED' | 'REJECTED'; message: string; positionId?: string }) {
  await db.$transaction(async (tx) => {
    await tx.approval.update({ where: { id: a.id }, data: { status: f.status, result: f.result as Prisma.InputJsonValue } })
    if (a.decisionId) {
      // An approved entry links its decision to the position it opened, as a direct entry does.
      const positionId = f.positionId ? { positionId: f.positionId } : {}
      // A decision may have queued several steps: it is EXECUTED once any was, waits while any
      // waits, and is REJECTED only when none was executed and none waits, whichever is answered first.
      // Still EXECUTING when a person answers at once (its cycle has not written its outcome yet):
      // recorded here all the same, and finishDecision keeps it rather than write "waits".
      const all = await tx.approval.findMany({ where: { decisionId: a.decisionId }, select: { status: true } })
      const outcome = all.some((x) => x.status === 'APPROVED') ? 'EXECUTED' : all.some((x) => x.status === 'PENDING') ? 'PENDING_APPROVAL' : f.decisionOutcome
      await tx.decision.updateMany({ where: { id: a.decisionId, outcome: { in: ['EXECUTING', 'PENDING_APPROVAL', 'REJECTED'] } }, data: { outcome, error: outcome === 'REJECTED' ? f.message : null, ...positionId } })
    }
    const type = f.status === 'EXPIRED' ? 'APPROVAL_EXPIRED' : f.status === 'REJECTED' ? 'APPROVAL_REJECTED' : f.status === 'FAILED' ? 'APPROVAL_FAILED' : 'APPROVAL_APPROVED'
    await recordActivity(tx, { userId: a.trader.userId, traderId: a.traderId, symbol: a.symbol, type, severity: f.status === 'APPROVED' ? 'info' : 'warning', message: f.message })
    await notify(tx, { kind: 'approval', userId: a.trader.userId, traderId: a.traderId, approvalId: a.id })
  })
}

async function expireOne(db: Db, a: ApprovalRow & { request: unknown; expiresAt: Date }, now: number) {
  const claimed = await db.approval.updateMany({ where: { id: a.id, status: 'PENDING', expiresAt: { lte: new Date(now) } }, data: { status: 'EXPIRED', decidedAt: new Date(now) } })
  if (claimed.count === 0) return
  await finish(db, a, { status: 'EXPIRED', result: { expired: true }, decisionOutcome: 'REJECTED', message: `Approval expired unanswered: ${describeStep(a.request as PlanStep)}` })
}

/**
 * How long after its claim an approved request with no outcome recorded counts as interrupted:
 * its process stopped between the claim and the record. Executing a step takes seconds (an
 * entry's order waits at most about 16 s for the exchange).
 */
export const INTERRUPTED_AFTER_MS = 2 * 60_000

/**
 * Approved requests claimed before `before` with no outcome recorded. Read through the partial
 * index Approval_unrecorded_idx (its predicate is this one's), so the worker's housekeeping does
 * not read every approval ever answered, every heartbeat.
 */
export function interruptedApprovalsSql(before: Date): Prisma.Sql {
  return Prisma.sql`SELECT id FROM "Approval" WHERE status = 'APPROVED' AND result IS NULL AND "decidedAt" <= ${before}::timestamp(3)`
}

/**
 * Settles approved requests whose process stopped before recording the outcome (the worker calls
 * this). What was done is read from what a step leaves behind before it sends anything (an
 * entry's position and order, an exit's order, a change's audit line), so the answer is exact:
 * done, it is recorded as approved with its position; not done, nothing was sent, and the
 * request waits again for a person (or expires). Returns how many were settled.
 */
export async function settleInterruptedApprovals(db: Db, now = Date.now()): Promise<number> {
  const ids = (await sqlOf(db).$queryRaw<{ id: string }[]>(interruptedApprovalsSql(new Date(now - INTERRUPTED_AFTER_MS)))).map((r) => r.id)
  if (ids.length === 0) return 0
  const stuck = await db.approval.findMany({ where: { id: { in: ids }, status: 'APPROVED', result: { equals: Prisma.DbNull } }, include: { trader: { select: { userId: true } } } })
  for (const a of stuck) {
    const step = a.request as unknown as PlanStep
    const since = a.decidedAt!
    const positionId = await positionTouchedBy(db, step, { decisionId: a.decisionId ?? '', since, exitBy: 'USER' })
    const who = a.decidedBy ? (await db.user.findUnique({ where: { id: a.decidedBy }, select: { email: true } }))?.email : null
    if (positionId) {
      await finish(db, a, {
        status: 'APPROVED',
        result: { executed: 'executed; its outcome was recorded later (the process stopped while recording it)', positionId, step: describeStep(step), recovered: true },
        decisionOutcome: 'EXECUTED',
        positionId,
        message: `Approved by ${who ?? 'a person'}: ${describeStep(step)} (recorded after an interruption)`,
      })
      continue
    }
    const back = await db.approval.updateMany({ where: { id: a.id, status: 'APPROVED', result: { equals: Prisma.DbNull } }, data: { status: 'PENDING', decidedBy: null, decidedAt: null, note: null } })
    if (back.count === 0) continue
    await db.$transaction(async (tx) => {
      await recordActivity(tx, {
        userId: a.trader.userId, traderId: a.traderId, symbol: a.symbol, type: 'APPROVAL_NEEDED', severity: 'warning',
        message: `Waiting for approval again: the approval by ${who ?? 'a person'} was interrupted before anything was sent (${describeStep(step)})`,
      })
      await notify(tx, { kind: 'approval', userId: a.trader.userId, traderId: a.traderId, approvalId: a.id })
    })
  }
  return stuck.length
}

/** Marks every pending approval past its expiry as expired (the worker calls this). */
export async function expireApprovals(db: Db, now = Date.now()): Promise<number> {
  const due = await db.approval.findMany({ where: { status: 'PENDING', expiresAt: { lte: new Date(now) } }, include: { trader: { select: { userId: true } } } })
  for (const a of due) await expireOne(db, a, now)
  return due.length
}
