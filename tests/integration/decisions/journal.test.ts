import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'
import type { ValidationResult } from '@/lib/domain/decisions/validation-result'
import type { ProviderAnswer } from '@/lib/server/decisions/ask-provider'
import { decisionPerformance } from '@/lib/server/decisions/decision-performance'
import { getDecision } from '@/lib/server/decisions/get-decision'
import { listDecisions } from '@/lib/server/decisions/list-decisions'
import { recordDecision } from '@/lib/server/decisions/record-decision'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { createTrader } from '@/lib/server/traders/create-trader'
import { apiUser, call, fieldsOf, startApiDatabase } from '@/tests/integration/api/api-harness'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let momentum: { id: string; accountId: string }
let scalper: { id: string; accountId: string }
let bobTrader: { id: string; accountId: string }
let decisionsRoute: typeof import('@/app/api/v1/decisions/route')
let decisionRoute: typeof import('@/app/api/v1/decisions/[id]/route')
let performanceRoute: typeof import('@/app/api/v1/performance/route')

const T0 = Date.parse('2026-03-02T10:00:00Z')
const at = (minutes: number) => new Date(T0 + minutes * 60_000)

/** A decision row as the decision cycle writes it, with a chosen time (so the order is known). */
async function insertDecision(o: {
  traderId: string
  minute: number
  symbol?: string
  provider?: 'RULES' | 'OPENAI_COMPATIBLE' | 'ANTHROPIC'
  action?: string | null
  confidence?: string | null
  outcome: 'NO_ACTION' | 'EXECUTED' | 'DRY_RUN' | 'PENDING_APPROVAL' | 'REJECTED' | 'FAILED'
  positionId?: string | null
  error?: string
}) {
  const d = await t.db.decision.create({
    data: {
      traderId: o.traderId,
      cycleId: `cycle-${o.minute}`,
      symbol: o.symbol ?? 'BTC/USDT',
      provider: o.provider ?? 'RULES',
      model: 'built-in rules',
      promptVersion: 'rules.ema-atr.v1',
      trigger: 'SCHEDULE',
      action: o.action === undefined ? 'NO_TRADE' : o.action,
      confidence: o.confidence === undefined ? '0.5' : o.confidence,
      reasoning: `decision at minute ${o.minute}`,
      outcome: o.outcome,
      positionId: o.positionId ?? null,
      error: o.error ?? null,
      latencyMs: 40 + o.minute,
      createdAt: at(o.minute),
    },
  })
  return d.id
}

async function insertPosition(trader: { id: string; accountId: string }, status: 'OPEN' | 'CLOSED' | 'FAILED', realizedPnl: string, symbol = 'BTC/USDT') {
  const p = await t.db.position.create({
    data: { traderId: trader.id, accountId: trader.accountId, symbol, side: 'LONG', status, entryType: 'MARKET', requestedQty: '0.1', entryQty: '0.1', realizedPnl },
  })
  return p.id
}

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  const mk = async (userId: string, name: string, watchlist: string) => {
    const tr = await createTrader({ db: t.db, userId, input: { name, quoteCurrency: 'USDT', startingBalance: '10000', watchlist } })
    return { id: tr.id, accountId: tr.accountId }
  }
  momentum = await mk(alice.id, 'Momentum', 'BTC/USDT, ETH/USDT')
  scalper = await mk(alice.id, 'Scalper', 'SOL/USDT')
  bobTrader = await mk(bob.id, 'Bobs', 'BTC/USDT')
  decisionsRoute = await import('@/app/api/v1/decisions/route')
  decisionRoute = await import('@/app/api/v1/decisions/[id]/route')
  performanceRoute = await import('@/app/api/v1/performance/route')
})
afterAll(() => t?.stop())

describe('recording and reading one decision in full', () => {
  it('keeps the validation constraints, executed steps, usage and the exact prompt and raw response', async () => {
    const decision: TradeDecision = {
      symbol: 'ETH/USDT',
      action: 'LONG',
      confidence: dec('0.72'),
      reasoning: 'EMA crossover with rising volume',
      entryType: 'MARKET',
      stopLoss: dec('2900'),
      takeProfits: [{ price: dec('3300'), sharePct: dec('100') }],
    }
    const validation: ValidationResult = {
      isValid: false,
      errors: ['stop distance 9.1% is above the 5% maximum'],
      warnings: ['spread is wide'],
      constraints: [
        { name: 'mandatory stop loss', satisfied: true, currentValue: '2900', requiredValue: 'present' },
        { name: 'max stop distance', satisfied: false, currentValue: '9.1%', requiredValue: '≤ 5%' },
      ],
    }
    const raw = '{"action":"LONG","confidence":0.72,\n "reasoning":"EMA crossover with rising volume"}'
    const answer: ProviderAnswer = {
      ok: true,
      decision,
      prompt: { system: 'You are a careful trader.\nAnswer in JSON.', user: 'ETH/USDT at 3190', model: 'gpt-test', provider: 'OPENAI_COMPATIBLE', promptVersion: 'trade-decision.v1' },
      raw,
      model: 'gpt-test',
      promptVersion: 'trade-decision.v1',
      promptTokens: 1200,
      completionTokens: 80,
      costUsd: '0.00131',
      modelLatencyMs: 850,
      attempts: 2,
    }
    const rec = await recordDecision({
      db: t.db,
      trader: { id: momentum.id, userId: alice.id, provider: 'OPENAI_COMPATIBLE' },
      cycleId: 'cycle-full',
      symbol: 'ETH/USDT',
      trigger: 'MANUAL',
      started: performance.now() - 1000,
      outcome: 'REJECTED',
      answer,
      decision,
      validation,
      executed: { sizing: { qty: '0.3', notional: '957.00', cappedBy: null, explanation: '1% risk' }, steps: [{ step: 'LONG 0.3 ETH/USDT at market, stop 2900', status: 'REFUSED', error: 'max stop distance' }] },
      error: validation.errors.join('; '),
    })

    const res = await call(decisionRoute.GET, 'GET', `/api/v1/decisions/${rec.id}`, { token: alice.token, id: rec.id })
    expect(res.status).toBe(200)
    const d = res.body
    expect(d).toMatchObject({
      id: rec.id,
      traderName: 'Momentum',
      symbol: 'ETH/USDT',
      provider: 'OPENAI_COMPATIBLE',
      model: 'gpt-test',
      trigger: 'MANUAL',
      action: 'LONG',
      confidence: '0.72',
      reasoning: 'EMA crossover with rising volume',
      outcome: 'REJECTED',
      error: 'stop distance 9.1% is above the 5% maximum',
      modelLatencyMs: 850,
      promptTokens: 1200,
      completionTokens: 80,
      costUsd: '0.00131',
      hasCall: true,
    })
    expect(d.latencyMs).toBeGreaterThanOrEqual(1000)
    expect(d.validation).toEqual({
      isValid: false,
      errors: ['stop distance 9.1% is above the 5% maximum'],
      warnings: ['spread is wide'],
      constraints: [
        { name: 'mandatory stop loss', satisfied: true, currentValue: '2900', requiredValue: 'present' },
        { name: 'max stop distance', satisfied: false, currentValue: '9.1%', requiredValue: '≤ 5%' },
      ],
    })
    expect(d.executed).toEqual({
      sizing: { qty: '0.3', notional: '957.00', cappedBy: null, explanation: '1% risk' },
      steps: [{ step: 'LONG 0.3 ETH/USDT at market, stop 2900', status: 'REFUSED', summary: null, error: 'max stop distance', positionId: null, approvalId: null }],
    })
    // The raw response verbatim, the prompt as stored, the parsed decision with exact decimals.
    expect(d.call).toEqual({ prompt: answer.prompt, rawResponse: raw, attempts: 2 })
    expect(d.decision).toMatchObject({ action: 'LONG', confidence: '0.72', stopLoss: '2900', takeProfits: [{ price: '3300', sharePct: '100' }] })

    // The journal lists it without the heavy call, but says there is one.
    const list = await listDecisions({ db: t.db, userId: alice.id, filter: { symbol: 'ETH/USDT' } })
    expect(list.decisions.map((x) => x.id)).toEqual([rec.id])
    expect(list.decisions[0]).not.toHaveProperty('call')
    expect(list.decisions[0]!.hasCall).toBe(true)
    await t.db.decision.delete({ where: { id: rec.id } })
  })

  it('records a failure before the provider was asked with no action and no call', async () => {
    const rec = await recordDecision({
      db: t.db,
      trader: { id: momentum.id, userId: alice.id, provider: 'RULES' },
      cycleId: 'cycle-stale',
      symbol: 'BTC/USDT',
      trigger: 'SCHEDULE',
      started: performance.now(),
      outcome: 'FAILED',
      error: 'the price of BTC/USDT is stale (42 s old): no decision on stale prices',
    })
    const d = await getDecision({ db: t.db, userId: alice.id, decisionId: rec.id })
    expect(d).toMatchObject({ action: null, confidence: null, outcome: 'FAILED', validation: null, executed: null, hasCall: false, call: null, decision: null })
    await t.db.decision.delete({ where: { id: rec.id } })
  })
})

describe('the journal: filters, order, paging and ownership', () => {
  const ids: Record<string, string> = {}
  beforeAll(async () => {
    ids.m1 = await insertDecision({ traderId: momentum.id, minute: 1, action: 'NO_TRADE', outcome: 'NO_ACTION' })
    ids.m2 = await insertDecision({ traderId: momentum.id, minute: 2, symbol: 'ETH/USDT', action: 'LONG', confidence: '0.7', outcome: 'REJECTED', error: 'stop too far' })
    ids.m3 = await insertDecision({ traderId: momentum.id, minute: 3, action: null, confidence: null, outcome: 'FAILED', error: 'invalid JSON' })
    ids.s1 = await insertDecision({ traderId: scalper.id, minute: 4, symbol: 'SOL/USDT', action: 'SHORT', confidence: '0.9', outcome: 'DRY_RUN' })
    ids.m4 = await insertDecision({ traderId: momentum.id, minute: 5, action: 'LONG', confidence: '0.8', outcome: 'PENDING_APPROVAL' })
    ids.b1 = await insertDecision({ traderId: bobTrader.id, minute: 6, action: 'LONG', confidence: '0.8', outcome: 'EXECUTED' })
  })

  const list = (query: string, token: string | null = alice.token) => call(decisionsRoute.GET, 'GET', `/api/v1/decisions${query}`, { token })

  it('answers 401 without credentials, on the list, the detail and performance', async () => {
    expect((await list('', null)).status).toBe(401)
    expect((await call(decisionRoute.GET, 'GET', `/api/v1/decisions/${ids.m1}`, { id: ids.m1 })).status).toBe(401)
    expect((await call(performanceRoute.GET, 'GET', '/api/v1/performance')).status).toBe(401)
    expect((await list('', 'tl_not_a_token')).body.error.code).toBe('UNAUTHENTICATED')
  })

  it.each([
    ['an unknown outcome', '?outcome=WON', 'outcome'],
    ['an unknown decision', '?action=BUY', 'action'],
    ['a limit of 0', '?limit=0', 'limit'],
    ['a limit that is not a number', '?limit=ten', 'limit'],
    ['a malformed symbol', '?symbol=BTCUSDT', 'symbol'],
    ['a cursor that is no decision of yours', '?cursor=nope', 'cursor'],
  ])('answers 400 naming the field for %s', async (_label, query, field) => {
    const res = await list(query)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toEqual([field])
  })

  it('lists the user\'s decisions newest first, never another user\'s', async () => {
    const res = await list('')
    expect(res.status).toBe(200)
    expect(res.body.decisions.map((d: { id: string }) => d.id)).toEqual([ids.m4, ids.s1, ids.m3, ids.m2, ids.m1])
    expect(res.body.nextCursor).toBeNull()
    const bobs = await list('', bob.token)
    expect(bobs.body.decisions.map((d: { id: string }) => d.id)).toEqual([ids.b1])
  })

  it.each([
    ['trader', () => `?traderId=${scalper.id}`, () => [ids.s1]],
    ['symbol (case-insensitive)', () => '?symbol=eth/usdt', () => [ids.m2]],
    ['decision', () => '?action=LONG', () => [ids.m4, ids.m2]],
    ['invalid output (no action)', () => '?action=INVALID', () => [ids.m3]],
    ['outcome', () => '?outcome=FAILED', () => [ids.m3]],
    ['trader, symbol and decision together', () => `?traderId=${momentum.id}&symbol=BTC/USDT&action=NO_TRADE`, () => [ids.m1]],
  ])('filters by %s', async (_label, query, expected) => {
    const res = await list(query())
    expect(res.status).toBe(200)
    expect(res.body.decisions.map((d: { id: string }) => d.id)).toEqual(expected())
  })

  it('pages with nextCursor without gaps or repeats', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < 5; page++) {
      const res = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status).toBe(200)
      seen.push(...res.body.decisions.map((d: { id: string }) => d.id))
      cursor = res.body.nextCursor
      if (!cursor) break
    }
    expect(seen).toEqual([ids.m4, ids.s1, ids.m3, ids.m2, ids.m1])
  })

  it('never shows another user\'s decisions, whatever the filter', async () => {
    // Bob naming Alice's trader, or paging from her decision, finds nothing of hers.
    const byTrader = await list(`?traderId=${momentum.id}`, bob.token)
    expect(byTrader.status).toBe(200)
    expect(byTrader.body.decisions).toEqual([])
    expect((await list(`?cursor=${ids.m2}`, bob.token)).status).toBe(400)
    const detail = await call(decisionRoute.GET, 'GET', `/api/v1/decisions/${ids.m2}`, { token: bob.token, id: ids.m2 })
    expect(detail.status).toBe(404)
    expect(detail.body.error.code).toBe('NOT_FOUND')
    expect((await call(decisionRoute.GET, 'GET', '/api/v1/decisions/no-such-id', { token: alice.token, id: 'no-such-id' })).status).toBe(404)
  })

  afterAll(async () => {
    await t.db.decision.deleteMany({ where: { id: { in: Object.values(ids) } } })
  })
})

describe('performance by provider, decision type and confidence', () => {
  it('counts executed entries with the exact realized PnL of their closed positions, and outcomes per provider', async () => {
    const win1 = await insertPosition(momentum, 'CLOSED', '12.345678901234567891')
    const win2 = await insertPosition(momentum, 'CLOSED', '0.1')
    const loss = await insertPosition(momentum, 'CLOSED', '-5.2')
    const open = await insertPosition(momentum, 'OPEN', '3')
    const aiWin = await insertPosition(momentum, 'CLOSED', '7')
    const bobsWin = await insertPosition(bobTrader, 'CLOSED', '1000')
    // RULES LONG ≥0.8: two wins and a loss; RULES LONG 0.6–0.8: one still open; ANTHROPIC SHORT <0.6: a win.
    await insertDecision({ traderId: momentum.id, minute: 10, action: 'LONG', confidence: '0.85', outcome: 'EXECUTED', positionId: win1 })
    await insertDecision({ traderId: momentum.id, minute: 11, action: 'LONG', confidence: '0.8', outcome: 'EXECUTED', positionId: win2 })
    await insertDecision({ traderId: momentum.id, minute: 12, action: 'LONG', confidence: '0.95', outcome: 'EXECUTED', positionId: loss })
    await insertDecision({ traderId: momentum.id, minute: 13, action: 'LONG', confidence: '0.6', outcome: 'EXECUTED', positionId: open })
    await insertDecision({ traderId: momentum.id, minute: 14, provider: 'ANTHROPIC', action: 'SHORT', confidence: '0.55', outcome: 'EXECUTED', positionId: aiWin })
    // Later decisions about the same position (a modification) are not entries.
    await insertDecision({ traderId: momentum.id, minute: 15, action: 'CLOSE', confidence: '0.9', outcome: 'EXECUTED', positionId: win1 })
    await insertDecision({ traderId: momentum.id, minute: 16, provider: 'ANTHROPIC', action: null, confidence: null, outcome: 'FAILED' })
    await insertDecision({ traderId: momentum.id, minute: 17, provider: 'ANTHROPIC', action: 'LONG', confidence: '0.9', outcome: 'REJECTED' })
    await insertDecision({ traderId: bobTrader.id, minute: 18, action: 'LONG', confidence: '0.9', outcome: 'EXECUTED', positionId: bobsWin })

    const res = await call(performanceRoute.GET, 'GET', `/api/v1/performance?traderId=${momentum.id}`, { token: alice.token })
    expect(res.status).toBe(200)
    expect(res.body.entries).toEqual([
      { provider: 'ANTHROPIC', action: 'SHORT', bucket: 'LOW', bucketLabel: '<0.6', decisions: 1, closedTrades: 1, wins: 1, losses: 0, winRatePct: '100.00', totalPnl: '7', avgPnl: '7', openTrades: 0, failedTrades: 0 },
      { provider: 'RULES', action: 'LONG', bucket: 'MID', bucketLabel: '0.6–0.8', decisions: 1, closedTrades: 0, wins: 0, losses: 0, winRatePct: null, totalPnl: '0', avgPnl: null, openTrades: 1, failedTrades: 0 },
      {
        provider: 'RULES',
        action: 'LONG',
        bucket: 'HIGH',
        bucketLabel: '≥0.8',
        decisions: 3,
        closedTrades: 3,
        wins: 2,
        losses: 1,
        winRatePct: '66.67',
        totalPnl: '7.245678901234567891',
        avgPnl: '2.4152263',
        openTrades: 0,
        failedTrades: 0,
      },
    ])
    expect(res.body.byBucket.map((b: { bucket: string; totalPnl: string }) => [b.bucket, b.totalPnl])).toEqual([
      ['LOW', '7'],
      ['MID', '0'],
      ['HIGH', '7.245678901234567891'],
    ])
    const anthropic = res.body.outcomes.find((o: { provider: string }) => o.provider === 'ANTHROPIC')
    expect(anthropic).toEqual({ provider: 'ANTHROPIC', total: 3, withoutDecision: 1, byOutcome: { NO_ACTION: 0, EXECUTING: 0, EXECUTED: 1, DRY_RUN: 0, PENDING_APPROVAL: 0, REJECTED: 1, FAILED: 1 } })

    // Bob sees only his own trade; Alice's view across all her traders never includes it.
    const bobs = await decisionPerformance({ db: t.db, userId: bob.id })
    expect(bobs.entries.map((g) => g.totalPnl)).toEqual(['1000'])
    const all = await decisionPerformance({ db: t.db, userId: alice.id })
    expect(all.entries.some((g) => g.totalPnl === '1000')).toBe(false)
    expect((await call(performanceRoute.GET, 'GET', `/api/v1/performance?traderId=${momentum.id}`, { token: bob.token })).body.entries).toEqual([])
  })
})

describe('the position detail: its decisions and each audit event\'s trigger', () => {
  it('lists the position\'s decisions and shows why each change happened', async () => {
    const positionId = await insertPosition(momentum, 'OPEN', '0')
    const entry = await insertDecision({ traderId: momentum.id, minute: 30, action: 'LONG', confidence: '0.75', outcome: 'EXECUTED', positionId })
    const modify = await insertDecision({ traderId: momentum.id, minute: 31, action: 'NO_TRADE', confidence: '0.7', outcome: 'EXECUTED', positionId })
    await insertDecision({ traderId: momentum.id, minute: 32, action: 'WATCH', outcome: 'NO_ACTION' })
    await t.db.positionEvent.createMany({
      data: [
        { positionId, type: 'SL_CHANGED', actor: 'WORKER', trigger: 'AI_ANALYSIS', decisionId: modify, message: 'stop 59000 → 59500', createdAt: at(31) },
        { positionId, type: 'SL_CHANGED', actor: 'WORKER', trigger: 'RULE_ENGINE', message: 'breakeven', createdAt: at(33) },
        { positionId, type: 'SL_CHANGED', actor: 'USER', actorId: alice.id, trigger: 'USER_MANUAL', message: 'moved by hand', createdAt: at(34) },
        { positionId, type: 'FILL', actor: 'WORKER', message: 'filled', createdAt: at(35) },
      ],
    })
    const detail = await getPositionDetail(t.db, alice.id, positionId)
    expect(detail.decisions.map((d) => d.id)).toEqual([modify, entry])
    expect(detail.decisionCount).toBe(2)
    expect(detail.events.map((e) => [e.message, e.trigger, e.decisionId])).toEqual([
      ['stop 59000 → 59500', 'AI_ANALYSIS', modify],
      ['breakeven', 'RULE_ENGINE', null],
      ['moved by hand', 'USER_MANUAL', null],
      ['filled', null, null],
    ])
    // The same list through the API's positionId filter.
    const res = await call(decisionsRoute.GET, 'GET', `/api/v1/decisions?positionId=${positionId}`, { token: alice.token })
    expect(res.body.decisions.map((d: { id: string }) => d.id)).toEqual([modify, entry])
  })
})
