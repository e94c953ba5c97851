import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { approveApproval, expireApprovals } from '@/lib/server/approvals/decide-approval'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { executionQualityReport } from '@/lib/server/execution/execution-quality-report'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'
import { useFakeLlmTrader } from '@/tests/support/fake-llm-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * The real AI SDK client against a local OpenAI-compatible server scripted per test: what the
 * model says is executed only when the validation layer and the risk limits allow it, and an
 * open position keeps its stop whatever the model answers.
 */
describe('AI decision cycle through an OpenAI-compatible endpoint', () => {
  let t: TestDatabase
  let llm: FakeLlmServer
  let userId: string
  let traderId: string
  const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' }, 'ETH/USDT': { start: '3000' } } })
  const cycle = (symbol?: string) =>
    runAnalysisCycle({ db: t.db, traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'MANUAL', staleAfterMs: 60_000, symbol })
  const decide = (d: Record<string, unknown>) => ({ json: { symbol: 'BTC/USDT', reasoning: 'test', confidence: 0.8, ...d } })
  const position = () => t.db.position.findFirst({ where: { traderId, symbol: 'BTC/USDT', status: { notIn: ['CLOSED', 'FAILED'] } }, include: { takeProfits: { where: { status: 'ACTIVE' }, orderBy: { price: 'asc' } } } })

  beforeAll(async () => {
    t = await createTestDatabase()
    llm = await startFakeOpenAI({ apiKey: 'sk-test-123456' })
    userId = (await t.db.user.create({ data: { email: 'ai@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Model', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })
    traderId = trader.id
    await useManualTraderSettings(t.db, traderId)
    await useFakeLlmTrader(t.db, traderId, { url: llm.url, apiKey: 'sk-test-123456' })
  })
  afterAll(async () => {
    await llm.close()
    await t.drop()
  })
  beforeEach(async () => {
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000.5' })
  })

  test('a LONG is sized, validated, executed and recorded with its prompt, raw answer and usage', async () => {
    llm.script([decide({ action: 'LONG', stopLoss: 59000, takeProfits: [{ price: 61000, sharePct: 50 }, { price: 62000, sharePct: 50 }] })])
    const before = Date.now()
    const r = await cycle('BTC/USDT')
    expect(r.decisions).toHaveLength(1)
    expect(r.decisions[0]).toMatchObject({ action: 'LONG', outcome: 'EXECUTED' })
    const p = await position()
    expect(p).not.toBeNull()
    expect(p!.status).toBe('MONITORING')
    expect(fromDb(p!.openQty).toFixed()).toBe('0.01666') // 1000 USDT at the ask, truncated to the step
    expect(fromDbOrNull(p!.stopLoss)!.toFixed()).toBe('59000')
    expect(p!.takeProfits.map((x) => x.price.toString())).toEqual(['61000', '62000'])

    const d = await t.db.decision.findUniqueOrThrow({ where: { id: r.decisions[0]!.id }, include: { call: true } })
    expect(d.positionId).toBe(p!.id)
    expect(d.promptTokens).toBeGreaterThan(0)
    expect(d.call!.rawResponse).toContain('"LONG"')
    expect(JSON.stringify(d.call!.prompt)).toContain('60010') // the ask it was shown
    const created = await t.db.positionEvent.findFirstOrThrow({ where: { positionId: p!.id, type: 'CREATED' } })
    expect(created.decisionId).toBe(d.id)
    // Decided once the model had answered and validation ran, before the entry order was written;
    // execution quality measures decision→order from that moment exactly.
    const entry = await t.db.order.findFirstOrThrow({ where: { positionId: p!.id, purpose: 'ENTRY' } })
    const decidedAt = d.decidedAt!.getTime()
    expect(decidedAt).toBeGreaterThanOrEqual(before + d.modelLatencyMs - 1) // whole ms, rounded
    expect(decidedAt).toBeLessThanOrEqual(entry.createdAt.getTime())
    const quality = await executionQualityReport({ db: t.db, userId, query: { mode: 'PAPER' } })
    expect(quality.all.decisionToOrderP50Ms).toBe(entry.createdAt.getTime() - decidedAt)
    // The key went to the server, and nowhere into what was stored.
    expect(llm.requests.at(-1)!.headers.authorization).toBe('Bearer sk-test-123456')
    expect(JSON.stringify(d)).not.toContain('sk-test-123456')
  })

  test('a stop on the wrong side is rejected and recorded; the position keeps its stop', async () => {
    llm.script([decide({ action: 'NO_TRADE', modifications: [{ type: 'MOVE_SL', price: 60500 }] })])
    const r = await cycle('BTC/USDT')
    expect(r.decisions[0]).toMatchObject({ outcome: 'REJECTED' })
    const d = await t.db.decision.findUniqueOrThrow({ where: { id: r.decisions[0]!.id } })
    const v = d.validation as { isValid: boolean; constraints: { name: string; satisfied: boolean }[] }
    expect(v.isValid).toBe(false)
    expect(v.constraints.some((c) => !c.satisfied)).toBe(true)
    expect(fromDbOrNull((await position())!.stopLoss)!.toFixed()).toBe('59000')
  })

  test('a valid tighter stop and an added target are executed as an AI modification with before/after', async () => {
    llm.script([decide({ action: 'NO_TRADE', modifications: [{ type: 'MOVE_SL', price: 59500 }, { type: 'MODIFY_TP', level: 2, price: 62500, sharePct: null }] })])
    const r = await cycle('BTC/USDT')
    expect(r.decisions[0]).toMatchObject({ outcome: 'EXECUTED' })
    const p = (await position())!
    expect(fromDbOrNull(p.stopLoss)!.toFixed()).toBe('59500')
    expect(p.takeProfits.map((x) => x.price.toString())).toEqual(['61000', '62500'])
    const ev = await t.db.positionEvent.findFirstOrThrow({ where: { positionId: p.id, type: 'SL_CHANGED' } })
    expect(ev).toMatchObject({ trigger: 'AI_ANALYSIS', decisionId: r.decisions[0]!.id })
    expect(ev.before).toEqual({ stopLoss: '59000' })
    expect(ev.after).toEqual({ stopLoss: '59500' })
  })

  test('malformed JSON is rejected, recorded with the raw text, and changes nothing', async () => {
    const before = await position()
    llm.script([{ content: '{"symbol": "BTC/USDT", "action": "CLOSE", ' }])
    const r = await cycle('BTC/USDT')
    expect(r.decisions[0]).toMatchObject({ outcome: 'FAILED', action: null })
    expect(r.decisions[0]!.error).toMatch(/MALFORMED/)
    const d = await t.db.decision.findUniqueOrThrow({ where: { id: r.decisions[0]!.id }, include: { call: true } })
    expect(d.call!.rawResponse).toBe('{"symbol": "BTC/USDT", "action": "CLOSE", ')
    const after = await position()
    expect(after!.status).toBe(before!.status)
    expect(after!.stopLoss!.toString()).toBe(before!.stopLoss!.toString())
  })

  test('a hallucinated limit price far from the market is rejected; no order is placed', async () => {
    const orders = await t.db.order.count()
    llm.script([{ json: { symbol: 'ETH/USDT', reasoning: 'x', confidence: 0.9, action: 'LONG', entryType: 'LIMIT', entryPrice: 1500, stopLoss: 1450, takeProfits: [{ price: 1600, sharePct: 100 }] } }])
    const r = await cycle('ETH/USDT')
    expect(r.decisions[0]).toMatchObject({ action: 'LONG', outcome: 'REJECTED' })
    expect(r.decisions[0]!.error).toMatch(/1500/)
    expect(await t.db.order.count()).toBe(orders)
  })

  test('an entry whose stop is on the wrong side is rejected', async () => {
    llm.script([{ json: { symbol: 'ETH/USDT', reasoning: 'x', confidence: 0.9, action: 'LONG', stopLoss: 3100 } }])
    const r = await cycle('ETH/USDT')
    expect(r.decisions[0]).toMatchObject({ outcome: 'REJECTED' })
    expect(await t.db.position.count({ where: { traderId, symbol: 'ETH/USDT' } })).toBe(0)
  })

  test('a timeout is a visible failure: no new entries, the open position keeps its protection', async () => {
    llm.script([{ hang: true }, { hang: true }])
    const alerts = await t.db.activityEvent.count({ where: { userId, type: 'DECISION_FAILED', severity: 'error' } })
    const r = await cycle()
    expect(r.decisions.map((d) => d.outcome)).toEqual(['FAILED', 'FAILED'])
    expect(r.decisions[0]!.error).toMatch(/TIMEOUT/)
    const trader = await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })
    expect(trader.lastCycleError).toMatch(/TIMEOUT/)
    expect(await t.db.activityEvent.count({ where: { userId, type: 'DECISION_FAILED', severity: 'error' } })).toBe(alerts + 1)
    const p = (await position())!
    expect(p.status).toBe('MONITORING')
    expect(fromDbOrNull(p.stopLoss)!.toFixed()).toBe('59500')
    expect(await t.db.position.count({ where: { traderId, symbol: 'ETH/USDT' } })).toBe(0)
  })

  test('PARTIAL_TP closes the share at market, then CLOSE closes the rest', async () => {
    llm.script([decide({ action: 'PARTIAL_TP', exitSharePct: 40 })])
    expect((await cycle('BTC/USDT')).decisions[0]).toMatchObject({ outcome: 'EXECUTED' })
    const p = (await position())!
    expect(fromDb(p.openQty).toFixed()).toBe('0.01')
    llm.script([decide({ action: 'CLOSE', confidence: 0.9 })])
    expect((await cycle('BTC/USDT')).decisions[0]).toMatchObject({ outcome: 'EXECUTED' })
    expect(await position()).toBeNull()
    const closed = await t.db.position.findUniqueOrThrow({ where: { id: p.id } })
    expect(closed.status).toBe('CLOSED')
  })

  test('low confidence is refused by the minimum-confidence rule', async () => {
    llm.script([decide({ action: 'LONG', confidence: 0.4, stopLoss: 59000 })])
    const r = await cycle('BTC/USDT')
    expect(r.decisions[0]).toMatchObject({ outcome: 'REJECTED' })
    expect(await position()).toBeNull()
  })

  test('dry run records what would be done and executes nothing', async () => {
    await t.db.trader.update({ where: { id: traderId }, data: { dryRun: true } })
    llm.script([decide({ action: 'LONG', stopLoss: 59000 })])
    const r = await cycle('BTC/USDT')
    await t.db.trader.update({ where: { id: traderId }, data: { dryRun: false } })
    expect(r.decisions[0]).toMatchObject({ outcome: 'DRY_RUN' })
    expect(await position()).toBeNull()
    const d = await t.db.decision.findUniqueOrThrow({ where: { id: r.decisions[0]!.id } })
    expect(JSON.stringify(d.executed)).toMatch(/LONG 0\.01666 BTC\/USDT/)
  })

  test('with approvals on, the entry waits; it is re-validated at the current price; it expires unanswered', async () => {
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: { entries: true, expiryMinutes: 15 } } })
    llm.script([decide({ action: 'LONG', stopLoss: 59000, takeProfits: [{ price: 61000, sharePct: 100 }] })])
    const r = await cycle('BTC/USDT')
    expect(r.decisions[0]).toMatchObject({ outcome: 'PENDING_APPROVAL' })
    const a = await t.db.approval.findFirstOrThrow({ where: { traderId, status: 'PENDING' } })
    expect(await position()).toBeNull()

    // The price fell through the proposed stop: the order can no longer be approved, and says why.
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '58900', ask: '58910' })
    await expect(approveApproval({ db: t.db, userId, approvalId: a.id, input: {} })).rejects.toThrow(/stop/i)
    expect((await t.db.approval.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('PENDING')

    // Edited to a stop below the new price, it is approved and executed by the person.
    await approveApproval({ db: t.db, userId, approvalId: a.id, input: { stopLoss: '58000', takeProfits: [{ price: '60000', sharePct: '100' }] } })
    const p = (await position())!
    expect(fromDbOrNull(p.stopLoss)!.toFixed()).toBe('58000')
    const created = await t.db.positionEvent.findFirstOrThrow({ where: { positionId: p.id, type: 'CREATED' } })
    expect(created).toMatchObject({ actor: 'USER', actorId: userId })
    expect((await t.db.decision.findUniqueOrThrow({ where: { id: r.decisions[0]!.id } })).outcome).toBe('EXECUTED')

    // A second proposal nobody answers expires, and says so.
    llm.script([decide({ action: 'NO_TRADE', modifications: [{ type: 'MOVE_SL', price: 58500 }] })])
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: { entries: true, modifications: true, expiryMinutes: 15 } } })
    await cycle('BTC/USDT')
    const pending = await t.db.approval.findFirstOrThrow({ where: { traderId, status: 'PENDING' } })
    expect(pending.kind).toBe('MODIFY')
    expect(await expireApprovals(t.db, Date.now() + 16 * 60_000)).toBe(1)
    expect((await t.db.approval.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe('EXPIRED')
    expect(await t.db.activityEvent.count({ where: { userId, type: 'APPROVAL_EXPIRED' } })).toBe(1)
    expect(fromDbOrNull((await position())!.stopLoss)!.toFixed()).toBe('58000')
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: {} } })
  })

  test('a step whose request still waits for approval is not queued again; a different change is', async () => {
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: { entries: true, modifications: true, expiryMinutes: 15 } } })
    const waiting = (symbol: string) => t.db.approval.findMany({ where: { traderId, symbol, status: 'PENDING' }, orderBy: { createdAt: 'asc' } })
    const steps = async (id: string) => ((await t.db.decision.findUniqueOrThrow({ where: { id } })).executed as { steps: { status: string; approvalId?: string }[] }).steps
    const ethLong = { json: { symbol: 'ETH/USDT', reasoning: 'test', confidence: 0.8, action: 'LONG', stopLoss: 2900, takeProfits: [{ price: 3100, sharePct: 100 }] } }

    // The same entry proposed twice (two candle closes, or "Analyze now" pressed twice): one request.
    llm.script([ethLong, ethLong])
    const first = (await cycle('ETH/USDT')).decisions[0]!
    expect(first.outcome).toBe('PENDING_APPROVAL')
    const second = (await cycle('ETH/USDT')).decisions[0]!
    expect(second.outcome).toBe('NO_ACTION')
    const [entry, ...more] = await waiting('ETH/USDT')
    expect(more).toHaveLength(0)
    expect(entry!.decisionId).toBe(first.id)
    expect(await steps(second.id)).toMatchObject([{ status: 'ALREADY_QUEUED', approvalId: entry!.id }])

    // A stop move: the same one again adds nothing; another price is another request.
    const moveTo = (price: number) => decide({ action: 'NO_TRADE', modifications: [{ type: 'MOVE_SL', price }] })
    llm.script([moveTo(58500), moveTo(58500), moveTo(58600)])
    expect((await cycle('BTC/USDT')).decisions[0]!.outcome).toBe('PENDING_APPROVAL')
    expect((await cycle('BTC/USDT')).decisions[0]!.outcome).toBe('NO_ACTION')
    expect((await waiting('BTC/USDT')).map((a) => (a.request as { stopLoss: string }).stopLoss)).toEqual(['58500'])
    expect((await cycle('BTC/USDT')).decisions[0]!.outcome).toBe('PENDING_APPROVAL')
    expect((await waiting('BTC/USDT')).map((a) => (a.request as { stopLoss: string }).stopLoss)).toEqual(['58500', '58600'])

    // Exits: closing a quarter again adds nothing; closing it all is a request of its own.
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: { entries: true, exits: true, modifications: true, expiryMinutes: 15 } } })
    const quarter = decide({ action: 'PARTIAL_TP', exitSharePct: 25 })
    llm.script([quarter, quarter, decide({ action: 'CLOSE', confidence: 0.9 })])
    expect((await cycle('BTC/USDT')).decisions[0]!.outcome).toBe('PENDING_APPROVAL')
    expect((await cycle('BTC/USDT')).decisions[0]!.outcome).toBe('NO_ACTION')
    expect((await cycle('BTC/USDT')).decisions[0]!.outcome).toBe('PENDING_APPROVAL')
    const exits = (await waiting('BTC/USDT')).filter((a) => a.kind === 'EXIT').map((a) => a.request as { full: boolean; sharePct: string })
    expect(exits).toMatchObject([{ full: false, sharePct: '25' }, { full: true }])

    // Once the request is answered (here: expired), the entry can be asked for again.
    expect(await expireApprovals(t.db, Date.now() + 16 * 60_000)).toBe(5)
    llm.script([ethLong])
    expect((await cycle('ETH/USDT')).decisions[0]!.outcome).toBe('PENDING_APPROVAL')
    expect(await expireApprovals(t.db, Date.now() + 16 * 60_000)).toBe(1)
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: {} } })
  })

  test('reasoning holding a NUL or half a surrogate pair is journaled with U+FFFD in their place; the trade and its journal entry both stand', async () => {
    llm.script([{ json: { symbol: 'ETH/USDT', reasoning: 'uptrend\u0000 then \ud800 more', confidence: 0.9, action: 'LONG', stopLoss: 2900 } }])
    const r = await cycle('ETH/USDT')
    expect(r.decisions[0]).toMatchObject({ action: 'LONG', outcome: 'EXECUTED' })
    const d = await t.db.decision.findUniqueOrThrow({ where: { id: r.decisions[0]!.id } })
    expect(d.reasoning).toBe('uptrend\uFFFD then \uFFFD more')
    const p = await t.db.position.findFirstOrThrow({ where: { traderId, symbol: 'ETH/USDT', status: 'MONITORING' } })
    expect(d.positionId).toBe(p.id)
    expect((await t.db.positionEvent.findFirstOrThrow({ where: { positionId: p.id, type: 'CREATED' } })).decisionId).toBe(d.id)
  })

  test('a daily token budget stops model calls; nothing is sent to the model', async () => {
    await t.db.trader.update({ where: { id: traderId }, data: { aiSettings: { baseUrl: llm.url, model: 'fake-model', timeoutMs: 1000, maxRetries: 0, timeframes: ['1m'], dailyTokenBudget: 10 } } })
    const sent = llm.requests.length
    const r = await cycle('ETH/USDT')
    expect(r.decisions[0]).toMatchObject({ outcome: 'FAILED' })
    expect(r.decisions[0]!.error).toMatch(/daily token budget/)
    expect(llm.requests.length).toBe(sent)
  })
})
