import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { approveApproval } from '@/lib/server/approvals/decide-approval'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { describeStep, type PlanStep } from '@/lib/server/decisions/decision-plan'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { EntryUnconfirmed } from '@/lib/server/positions/entry-unconfirmed'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'
import { useFakeLlmTrader } from '@/tests/support/fake-llm-trader'
import { isEntry, liveBinanceScenario, START_USDT } from '@/tests/support/live-binance-scenario'

/**
 * A person approves an AI entry and Binance takes the order but the answer is lost: the entry
 * went out and may have filled, so the approval and its decision say it was sent, linked to the
 * position, and the reconciler's lookup books it. (Recorded as "not executed" before, the decision
 * lost its position and never counted in the AI's performance.)
 */
describe('Binance spot: an AI entry the exchange does not confirm, or does not take', () => {
  const live = liveBinanceScenario()
  let llm: FakeLlmServer
  beforeAll(async () => {
    llm = await startFakeOpenAI({ apiKey: 'sk-test-123456' })
  })
  afterAll(async () => {
    await llm.close()
  })
  const step: PlanStep = { kind: 'ENTRY', symbol: 'BTC/USDT', side: 'LONG', entryType: 'MARKET', limitPrice: null, qty: '0.01', stopLoss: '59000', takeProfits: [] }

  test('is recorded as sent with its position, not as refused, and the lookup books its fill', async () => {
    const db = live.t.db
    const decision = await db.decision.create({
      data: { traderId: live.traderId, cycleId: 'c', symbol: 'BTC/USDT', provider: 'RULES', model: 'built-in rules', promptVersion: 'rules.ema-atr.v1', trigger: 'SCHEDULE', action: 'LONG', confidence: '0.8', reasoning: 'trend up', outcome: 'PENDING_APPROVAL', latencyMs: 12 },
    })
    const approvalId = await createApproval({ db, traderId: live.traderId, userId: live.userId, decisionId: decision.id, step, expiryMinutes: 15, summary: { action: 'LONG', confidence: '0.8', reasoning: 'trend up', step: describeStep(step) } })
    live.fake.injectFault(isEntry, { kind: 'acceptThenDrop' })

    const err = await approveApproval({ db, userId: live.userId, approvalId, input: {} }).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(EntryUnconfirmed)
    const { positionId, clientOrderId } = err as EntryUnconfirmed
    expect((err as EntryUnconfirmed).status).toBe(502)

    const approval = await db.approval.findUniqueOrThrow({ where: { id: approvalId } })
    expect(approval.status).toBe('APPROVED')
    expect(approval.result).toMatchObject({ positionId, unconfirmed: true, executed: expect.stringMatching(/^sent, not confirmed: the exchange did not confirm/) })
    expect(await db.decision.findUniqueOrThrow({ where: { id: decision.id } })).toMatchObject({ outcome: 'EXECUTED', positionId, error: null })

    // The worker's lookup finds the order on the exchange and books it, once.
    await closeLiveAdapters()
    await live.reconcileUntil(async () => (await live.order(clientOrderId)).status !== 'NEW')
    expect((await live.order(clientOrderId)).status).toBe('FILLED')
    const p = await live.position(positionId)
    expect(p.status).toBe('MONITORING')
    expect(fromDb(p.openQty).toFixed()).toBe('0.00999')
    expect(live.newOrdersSent()).toBe(1)
  })

  test('approved while the exchange asks to back off (429): nothing sent, the request waits again, and a second approval opens it', async () => {
    const db = live.t.db
    const decision = await db.decision.create({
      data: { traderId: live.traderId, cycleId: 'c', symbol: 'BTC/USDT', provider: 'RULES', model: 'built-in rules', promptVersion: 'rules.ema-atr.v1', trigger: 'SCHEDULE', action: 'LONG', confidence: '0.8', reasoning: 'trend up', outcome: 'PENDING_APPROVAL', latencyMs: 12 },
    })
    const approvalId = await createApproval({ db, traderId: live.traderId, userId: live.userId, decisionId: decision.id, step, expiryMinutes: 15, summary: { action: 'LONG', confidence: '0.8', reasoning: 'trend up', step: describeStep(step) } })
    live.fake.injectFault(isEntry, { kind: 'rateLimited', status: 429, retryAfterSec: 1 })

    await expect(approveApproval({ db, userId: live.userId, approvalId, input: {} })).rejects.toMatchObject({ code: 'EXCHANGE_UNAVAILABLE', status: 503, retryAfterSeconds: 1 })
    expect(await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).toMatchObject({ status: 'PENDING', decidedBy: null, result: null })
    expect((await db.decision.findUniqueOrThrow({ where: { id: decision.id } })).outcome).toBe('PENDING_APPROVAL')
    expect(live.fake.orders).toHaveLength(0)

    await new Promise((r) => setTimeout(r, 1100)) // the exchange's Retry-After
    const r = await approveApproval({ db, userId: live.userId, approvalId, input: {} })
    expect(r.status).toBe('APPROVED')
    expect((await live.position(r.positionId)).status).toBe('MONITORING')
    expect(await db.decision.findUniqueOrThrow({ where: { id: decision.id } })).toMatchObject({ outcome: 'EXECUTED', positionId: r.positionId })
  })

  test('executed by the decision cycle: the journal says it was sent, with its position, and the decision counts as executed', async () => {
    const db = live.t.db
    await useFakeLlmTrader(db, live.traderId, { url: llm.url, apiKey: 'sk-test-123456' })
    // The balances the worker's first read would have stored: the sizing needs the equity.
    await db.accountBalance.create({ data: { accountId: live.accountId, asset: 'USDT', amount: START_USDT } })
    llm.script([{ json: { symbol: 'BTC/USDT', reasoning: 'breakout', confidence: 0.8, action: 'LONG', stopLoss: 59000 } }])
    live.fake.injectFault(isEntry, { kind: 'acceptThenDrop' })
    const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' } } })
    const r = await runAnalysisCycle({ db, traderId: live.traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: live.worker, trigger: 'MANUAL', staleAfterMs: 60_000, symbol: 'BTC/USDT' })

    const position = await db.position.findFirstOrThrow({ where: { traderId: live.traderId } })
    expect(r.decisions).toMatchObject([{ action: 'LONG', outcome: 'EXECUTED' }])
    const d = await db.decision.findUniqueOrThrow({ where: { id: r.decisions[0]!.id } })
    expect(d).toMatchObject({ outcome: 'EXECUTED', positionId: position.id, error: null })
    expect((d.executed as { steps: unknown[] }).steps).toMatchObject([{ status: 'UNCONFIRMED', positionId: position.id, summary: expect.stringMatching(/^the exchange did not confirm .*\(position \S+, entry \S+\)$/) }])
    expect(position.status).toBe('SUBMITTING')
    expect(live.newOrdersSent()).toBe(1)
  })
})
