import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { settleInterruptedApprovals } from '@/lib/server/approvals/decide-approval'
import { executeStep } from '@/lib/server/decisions/execute-step'
import { countPendingApprovals, listApprovals } from '@/lib/server/approvals/list-approvals'
import { decisionPerformance } from '@/lib/server/decisions/decision-performance'
import { describeStep, type PlanStep } from '@/lib/server/decisions/decision-plan'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { createTrader } from '@/lib/server/traders/create-trader'
import { apiUser, call, fieldsOf, startApiDatabase } from '@/tests/integration/api/api-harness'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let traderId: string
let approvals: typeof import('@/app/api/v1/approvals/route')
let approve: typeof import('@/app/api/v1/approvals/[id]/approve/route')
let reject: typeof import('@/app/api/v1/approvals/[id]/reject/route')

const entryStep: PlanStep = {
  kind: 'ENTRY',
  symbol: 'BTC/USDT',
  side: 'LONG',
  entryType: 'MARKET',
  limitPrice: null,
  qty: '0.01',
  stopLoss: '59000',
  takeProfits: [{ price: '63000', sharePct: '100' }],
}

/** A decision queued for approval, as the decision cycle leaves it (decision PENDING_APPROVAL + approval). */
async function queue(o: { step?: PlanStep; minutesAgo?: number; expiryMinutes?: number } = {}) {
  const step = o.step ?? entryStep
  const decision = await t.db.decision.create({
    data: {
      traderId,
      cycleId: 'c',
      symbol: step.symbol,
      provider: 'RULES',
      model: 'built-in rules',
      promptVersion: 'rules.ema-atr.v1',
      trigger: 'SCHEDULE',
      action: 'LONG',
      confidence: '0.8',
      reasoning: 'trend up',
      outcome: 'PENDING_APPROVAL',
      latencyMs: 12,
    },
  })
  const approvalId = await createApproval({
    db: t.db,
    traderId,
    userId: alice.id,
    decisionId: decision.id,
    step,
    expiryMinutes: o.expiryMinutes ?? 15,
    now: Date.now() - (o.minutesAgo ?? 0) * 60_000,
    summary: {
      action: 'LONG',
      confidence: '0.8',
      reasoning: 'trend up',
      step: describeStep(step),
      validation: { isValid: true, errors: [], warnings: [], constraints: [{ name: 'mandatory stop loss', satisfied: true, currentValue: '59000', requiredValue: 'present' }] },
      priceAtDecision: { bid: '60000', ask: '60010' },
    },
  })
  return { approvalId, decisionId: decision.id }
}

const post = (handler: typeof approve.POST, path: string, id: string, token: string | null, body?: unknown) => call(handler, 'POST', path, { token, id, body })
const approveIt = (id: string, body?: unknown, token: string | null = alice.token) => post(approve.POST, `/api/v1/approvals/${id}/approve`, id, token, body)
const rejectIt = (id: string, body?: unknown, token: string | null = alice.token) => post(reject.POST, `/api/v1/approvals/${id}/reject`, id, token, body)
const statusOf = async (id: string) => (await t.db.approval.findUniqueOrThrow({ where: { id } })).status

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  traderId = (await createTrader({ db: t.db, userId: alice.id, input: { name: 'Careful', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })).id
  await useManualTraderSettings(t.db, traderId)
  approvals = await import('@/app/api/v1/approvals/route')
  approve = await import('@/app/api/v1/approvals/[id]/approve/route')
  reject = await import('@/app/api/v1/approvals/[id]/reject/route')
})
afterAll(() => t?.stop())
beforeEach(async () => {
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  // Each test starts flat, with no request waiting.
  await t.db.approval.updateMany({ where: { status: 'PENDING' }, data: { status: 'REJECTED' } })
  await t.db.position.updateMany({ where: { status: { notIn: ['CLOSED', 'FAILED'] } }, data: { status: 'CLOSED', openQty: '0' } })
})

describe('/api/v1/approvals', () => {
  it('answers 401 without credentials and changes nothing', async () => {
    const { approvalId } = await queue()
    expect((await call(approvals.GET, 'GET', '/api/v1/approvals')).status).toBe(401)
    expect((await approveIt(approvalId, {}, null)).status).toBe(401)
    expect((await rejectIt(approvalId, { note: 'no' }, null)).status).toBe(401)
    expect(await statusOf(approvalId)).toBe('PENDING')
  })

  it('lists pending requests with what is needed to decide; 400 naming the field for a bad status', async () => {
    const { approvalId, decisionId } = await queue()
    const res = await call(approvals.GET, 'GET', '/api/v1/approvals?status=PENDING', { token: alice.token })
    expect(res.status).toBe(200)
    expect(res.body.approvals).toHaveLength(1)
    expect(res.body.approvals[0]).toMatchObject({
      id: approvalId,
      decisionId,
      traderName: 'Careful',
      kind: 'ENTRY',
      symbol: 'BTC/USDT',
      status: 'PENDING',
      action: 'LONG',
      confidence: '0.8',
      reasoning: 'trend up',
      step: 'LONG 0.01 BTC/USDT at market, stop 59000, take-profits 63000 (100%)',
      request: { kind: 'ENTRY', side: 'LONG', entryType: 'MARKET', qty: '0.01', stopLoss: '59000', takeProfits: [{ price: '63000', sharePct: '100' }] },
      priceAtDecision: { bid: '60000', ask: '60010' },
      currentPrice: { bid: '60000', ask: '60010' },
      validation: { isValid: true, constraints: [{ name: 'mandatory stop loss', satisfied: true, currentValue: '59000', requiredValue: 'present' }] },
      decidedBy: null,
    })
    expect(await countPendingApprovals({ db: t.db, userId: alice.id })).toBe(1)
    expect(await countPendingApprovals({ db: t.db, userId: bob.id })).toBe(0)
    expect((await call(approvals.GET, 'GET', '/api/v1/approvals', { token: bob.token })).body.approvals).toEqual([])

    const bad = await call(approvals.GET, 'GET', '/api/v1/approvals?status=OPEN', { token: alice.token })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['status'])
  })

  it('approves as proposed: executed at the current market, the decision becomes EXECUTED', async () => {
    const { approvalId, decisionId } = await queue()
    const res = await approveIt(approvalId)
    expect(res.status).toBe(200)
    expect(res.body.approval).toMatchObject({ id: approvalId, status: 'APPROVED', decidedBy: alice.id, decidedByEmail: 'alice@example.com', result: { edited: false } })
    const p = await t.db.position.findUniqueOrThrow({ where: { id: res.body.positionId } })
    expect(fromDb(p.entryQty).toFixed()).toBe('0.01')
    expect(fromDb(p.stopLoss!).toFixed()).toBe('59000')
    expect((await t.db.decision.findUniqueOrThrow({ where: { id: decisionId } })).outcome).toBe('EXECUTED')
    // The decision was recorded before its position existed; the position's audit trail links them,
    // so the position lists it and performance counts the trade.
    const detail = await getPositionDetail(t.db, alice.id, p.id)
    expect(detail.decisions.map((d) => d.id)).toEqual([decisionId])
    const perf = await decisionPerformance({ db: t.db, userId: alice.id })
    expect(perf.entries).toEqual([expect.objectContaining({ provider: 'RULES', action: 'LONG', bucket: 'HIGH', decisions: 1, openTrades: 1, closedTrades: 0 })])
    // Approving twice is refused: it is no longer pending.
    const again = await approveIt(approvalId)
    expect(again.status).toBe(409)
    expect(again.body.error.message).toMatch(/already approved/)
  })

  it('approves with edited size, stop and take-profits', async () => {
    const { approvalId } = await queue()
    const res = await approveIt(approvalId, { qty: '0.02', stopLoss: '59500', takeProfits: [{ price: '62000', sharePct: '50' }, { price: '64000', sharePct: '50' }], note: 'smaller stop' })
    expect(res.status).toBe(200)
    expect(res.body.approval).toMatchObject({ status: 'APPROVED', note: 'smaller stop', result: { edited: true } })
    const p = await t.db.position.findUniqueOrThrow({ where: { id: res.body.positionId }, include: { takeProfits: { orderBy: { price: 'asc' } } } })
    expect(fromDb(p.entryQty).toFixed()).toBe('0.02')
    expect(fromDb(p.stopLoss!).toFixed()).toBe('59500')
    expect(p.takeProfits.map((x) => fromDb(x.price).toFixed())).toEqual(['62000', '64000'])
  })

  it('refuses an edit that is not a valid amount, naming the field; the request stays pending', async () => {
    const { approvalId } = await queue()
    const res = await approveIt(approvalId, { qty: 'lots' })
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['qty'])
    expect(await statusOf(approvalId)).toBe('PENDING')
    const json = await call(approve.POST, 'POST', `/api/v1/approvals/${approvalId}/approve`, { token: alice.token, id: approvalId, rawBody: '{"qty":' })
    expect(json.status).toBe(400)
    expect(json.body.error.message).toBe('request body is not valid JSON')
  })

  it('refuses a request that is invalid at the current price, with the reasons, and keeps it pending', async () => {
    const { approvalId } = await queue()
    // The market fell through the proposed stop.
    await seedMarket(t.db, { bid: '58800', ask: '58810' })
    const res = await approveIt(approvalId)
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/^cannot approve at the current price \(bid 58800, ask 58810\): .*stop/i)
    expect(await statusOf(approvalId)).toBe('PENDING')
    expect(await t.db.position.count({ where: { status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(0)
  })

  it('refuses an expired request with 409 and marks it expired', async () => {
    const { approvalId, decisionId } = await queue({ minutesAgo: 20, expiryMinutes: 15 })
    const res = await approveIt(approvalId)
    expect(res.status).toBe(409)
    expect(res.body.error.message).toMatch(/expired/)
    expect(await statusOf(approvalId)).toBe('EXPIRED')
    expect((await t.db.decision.findUniqueOrThrow({ where: { id: decisionId } })).outcome).toBe('REJECTED')
    expect(await countPendingApprovals({ db: t.db, userId: alice.id })).toBe(0)
  })

  it('rejects with a note: nothing is executed, the note is kept and shown in the feed', async () => {
    const { approvalId, decisionId } = await queue()
    const res = await rejectIt(approvalId, { note: 'not before the FOMC minutes' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: approvalId, status: 'REJECTED', note: 'not before the FOMC minutes', decidedByEmail: 'alice@example.com' })
    expect(await t.db.position.count({ where: { status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(0)
    expect((await t.db.decision.findUniqueOrThrow({ where: { id: decisionId } })).outcome).toBe('REJECTED')
    const feed = await t.db.activityEvent.findFirstOrThrow({ where: { userId: alice.id, type: 'APPROVAL_REJECTED' }, orderBy: { id: 'desc' } })
    expect(feed.message).toContain('"not before the FOMC minutes"')
    // Decided ones are listed with who decided and the note.
    const decided = await listApprovals({ db: t.db, userId: alice.id, status: 'REJECTED' })
    expect(decided.find((a) => a.id === approvalId)).toMatchObject({ note: 'not before the FOMC minutes', decidedByEmail: 'alice@example.com' })
    // And cannot be decided again.
    expect((await rejectIt(approvalId, {})).status).toBe(409)
  })

  it('rejects without a note (empty body); a note that is too long is refused naming the field', async () => {
    const { approvalId } = await queue()
    const long = await rejectIt(approvalId, { note: 'x'.repeat(501) })
    expect(long.status).toBe(400)
    expect(fieldsOf(long.body)).toEqual(['note'])
    const res = await rejectIt(approvalId)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'REJECTED', note: null })
  })

  it('a decision that queued two steps: one rejected, the other approved, the decision is EXECUTED', async () => {
    const opened = await approveIt((await queue()).approvalId)
    const positionId = opened.body.positionId as string
    const exit: PlanStep = { kind: 'EXIT', symbol: 'BTC/USDT', positionId, sharePct: '50', full: false }
    const move: PlanStep = { kind: 'MODIFY', symbol: 'BTC/USDT', positionId, stopLoss: '59500', takeProfits: null }
    const { approvalId: exitId, decisionId } = await queue({ step: exit })
    const moveId = await createApproval({ db: t.db, traderId, userId: alice.id, decisionId, step: move, expiryMinutes: 15, summary: { step: describeStep(move) } })
    const outcome = async () => (await t.db.decision.findUniqueOrThrow({ where: { id: decisionId } })).outcome

    expect((await rejectIt(moveId, { note: 'keep the stop' })).status).toBe(200)
    expect(await outcome()).toBe('PENDING_APPROVAL') // the exit still waits
    expect((await approveIt(exitId)).status).toBe(200)
    expect(await t.db.decision.findUniqueOrThrow({ where: { id: decisionId } })).toMatchObject({ outcome: 'EXECUTED', error: null, positionId })
    expect(fromDb((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).stopLoss!).toFixed()).toBe('59000')
  })

  it('an approval whose process stopped after the claim is settled by the worker: not executed, it waits again; executed, it is recorded with its position', async () => {
    const claim = (approvalId: string, minutesAgo: number) =>
      t.db.approval.update({ where: { id: approvalId }, data: { status: 'APPROVED', decidedBy: alice.id, decidedAt: new Date(Date.now() - minutesAgo * 60_000) } })

    // Stopped before anything was sent: nothing to find, so it waits for a person again.
    const first = await queue()
    await claim(first.approvalId, 3)
    const fresh = await queue({ step: { ...entryStep, side: 'SHORT', stopLoss: '61000', takeProfits: [] } })
    await claim(fresh.approvalId, 0) // claimed a moment ago: its approver may still be executing it
    expect(await settleInterruptedApprovals(t.db)).toBe(1)
    expect(await statusOf(first.approvalId)).toBe('PENDING')
    expect(await statusOf(fresh.approvalId)).toBe('APPROVED')
    const feed = await t.db.activityEvent.findFirstOrThrow({ where: { userId: alice.id, type: 'APPROVAL_NEEDED' }, orderBy: { id: 'desc' } })
    expect(feed.message).toBe('Waiting for approval again: the approval by alice@example.com was interrupted before anything was sent (LONG 0.01 BTC/USDT at market, stop 59000, take-profits 63000 (100%))')
    await t.db.approval.update({ where: { id: fresh.approvalId }, data: { status: 'REJECTED', result: {} } })

    // Approved again, and this time stopped after the entry was executed, before its outcome was recorded.
    const second = first
    await claim(second.approvalId, 3)
    const executed = await executeStep(
      { db: t.db, userId: alice.id, traderId, actor: { kind: 'USER', id: alice.id }, source: 'APPROVAL', trigger: 'AI_ANALYSIS', decisionId: second.decisionId, reason: 'approved by alice@example.com' },
      entryStep,
    )
    expect(await settleInterruptedApprovals(t.db)).toBe(1)
    const settled = await t.db.approval.findUniqueOrThrow({ where: { id: second.approvalId } })
    expect(settled.status).toBe('APPROVED')
    expect(settled.result).toMatchObject({ positionId: executed.positionId, recovered: true })
    expect(await t.db.decision.findUniqueOrThrow({ where: { id: second.decisionId } })).toMatchObject({ outcome: 'EXECUTED', positionId: executed.positionId })
    expect(await t.db.position.count({ where: { traderId, status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(1) // nothing executed twice
    expect(await settleInterruptedApprovals(t.db)).toBe(0)
  })

  it('answers 404 for another user\'s approval and leaves it pending', async () => {
    const { approvalId } = await queue()
    const a = await approveIt(approvalId, {}, bob.token)
    expect(a.status).toBe(404)
    expect(a.body.error.code).toBe('NOT_FOUND')
    const r = await rejectIt(approvalId, { note: 'mine now' }, bob.token)
    expect(r.status).toBe(404)
    expect(await statusOf(approvalId)).toBe('PENDING')
    expect((await approveIt('no-such-approval')).status).toBe(404)
  })
})
