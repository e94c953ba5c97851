import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { checkExecutionAlerts } from '@/lib/server/execution/check-execution-alerts'
import { assertMetricsAccess } from '@/lib/server/metrics/metrics-access'
import { notifiableEvents } from '@/lib/server/notifications/load-notifiable-events'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, call, fieldsOf, startApiDatabase } from '../api/api-harness'

/**
 * Execution quality end to end on real PostgreSQL: a paper trade opened and closed through the
 * services stores the price each order was expected at; a hand-built set of orders and fills
 * (written directly, at known times) gives the endpoint's and /api/metrics' figures worked out
 * by hand below; the worker's alerts fire once each.
 */
const METRICS_TOKEN = 'metrics-token-0123456789'
process.env.METRICS_TOKEN = METRICS_TOKEN

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let carol: { id: string; token: string }
let route: typeof import('@/app/api/v1/execution-quality/route')
let metricsRoute: typeof import('@/app/api/metrics/route')
const ids = { aliceEntry: '', aliceExit: '', carolAccount: '', carolTrader: '', liveAccount: '' }

// Carol's hand-built orders are created from T0 on: two hours ago, inside /api/metrics' 24 h window.
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000
let seq = 0

async function order(o: {
  accountId?: string
  symbol?: string
  side: 'BUY' | 'SELL'
  purpose: 'ENTRY' | 'STOP_LOSS' | 'TAKE_PROFIT' | 'MANUAL_EXIT'
  status: 'NEW' | 'SUBMITTED' | 'FILLED' | 'CANCELED' | 'REJECTED'
  at: number
  expected?: string
  rejectReason?: string
  positionId?: string
  fills?: { qty: string; price: string; at: number }[]
}) {
  const filled = (o.fills ?? []).reduce((s, f) => s.plus(f.qty), dec(0))
  const row = await t.db.order.create({
    data: {
      accountId: o.accountId ?? ids.carolAccount,
      traderId: o.accountId ? null : ids.carolTrader,
      positionId: o.positionId,
      clientOrderId: `tl-test-${++seq}`,
      symbol: o.symbol ?? 'BTC/USDT',
      side: o.side,
      type: o.purpose === 'STOP_LOSS' ? 'STOP_MARKET' : 'MARKET',
      purpose: o.purpose,
      qty: filled.gt(0) ? filled.toFixed() : '1',
      status: o.status,
      filledQty: filled.toFixed(),
      expectedPrice: o.expected,
      rejectReason: o.rejectReason,
      createdBy: 'USER',
      createdAt: new Date(o.at),
      fills: o.fills?.length
        ? { create: o.fills.map((f, i) => ({ exchangeFillId: `f${seq}-${i}`, side: o.side, qty: f.qty, price: f.price, fee: '0', feeAsset: 'USDT', liquidity: 'TAKER' as const, createdAt: new Date(f.at) })) }
        : undefined,
    },
  })
  return row
}

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  carol = await apiUser(t, 'carol@example.com')

  // Alice: one paper trade through the real services.
  const actor = { kind: 'USER' as const, id: alice.id }
  const trader = await createTrader({ db: t.db, userId: alice.id, input: { name: 'Paper', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  await useManualTraderSettings(t.db, trader.id)
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  const { positionId } = await openPosition({ db: t.db, userId: alice.id, actor, input: { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.1', entryType: 'MARKET', stopLoss: '59000' } })
  await seedMarket(t.db, { bid: '61000', ask: '61010' })
  await closePosition({ db: t.db, userId: alice.id, actor, positionId, input: {} })
  const [entry, exit] = await t.db.order.findMany({ where: { positionId }, orderBy: { createdAt: 'asc' }, include: { fills: true } })
  ids.aliceEntry = entry!.id
  ids.aliceExit = exit!.id

  // Carol: a paper account and trader, and a live account, with hand-built orders.
  const ct = await createTrader({ db: t.db, userId: carol.id, input: { name: 'Hand', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' } })
  ids.carolTrader = ct.id
  ids.carolAccount = ct.accountId
  ids.liveAccount = (
    await t.db.exchangeAccount.create({
      data: {
        userId: carol.id, name: 'Binance live', kind: 'CCXT', venue: 'binance', mode: 'LIVE', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001',
        apiKeyEnc: sealSecret('k-0000'), secretEnc: sealSecret('s-0000'), keyHint: '••••0000', reconciledAt: new Date(),
      },
    })
  ).id
  // An AI entry's position, created by the decision `d`.
  const aiEntry = async (d: { createdAt: number; latencyMs: number; modelLatencyMs: number; decidedAt?: number }) => {
    const pos = await t.db.position.create({ data: { traderId: ct.id, accountId: ct.accountId, symbol: 'BTC/USDT', side: 'LONG', status: 'CLOSED', entryType: 'MARKET', requestedQty: '1' } })
    const decision = await t.db.decision.create({
      data: {
        traderId: ct.id, cycleId: 'c1', symbol: 'BTC/USDT', provider: 'RULES', model: 'rules', promptVersion: 'v1', trigger: 'SCHEDULE', action: 'LONG', outcome: 'EXECUTED',
        latencyMs: d.latencyMs, modelLatencyMs: d.modelLatencyMs, createdAt: new Date(d.createdAt), decidedAt: d.decidedAt === undefined ? null : new Date(d.decidedAt),
      },
    })
    await t.db.positionEvent.create({ data: { positionId: pos.id, type: 'CREATED', actor: 'WORKER', decisionId: decision.id, message: 'created', createdAt: new Date(d.createdAt) } })
    return pos.id
  }
  // O1: an AI entry decided at T0 − 250 (its decidedAt) → decision→order 250 ms; its entry, recorded at T0 + 2000
  //     after 3000 ms of work of which the model took 500, would estimate T0 − 500 instead. Buy 1 @ 100.5 vs 100:
  //     +50 bps, first fill after 400 ms.
  const o1 = await aiEntry({ createdAt: T0 + 2000, latencyMs: 3000, modelLatencyMs: 500, decidedAt: T0 - 250 })
  await order({ side: 'BUY', purpose: 'ENTRY', status: 'FILLED', at: T0, expected: '100', positionId: o1, fills: [{ qty: '1', price: '100.5', at: T0 + 400 }] })
  // O2: a manual exit, sell 2 @ 199.8 vs 200: (0.2 / 200) = +10 bps, filled after 100 ms.
  await order({ side: 'SELL', purpose: 'MANUAL_EXIT', status: 'FILLED', at: T0 + 10_000, expected: '200', fills: [{ qty: '2', price: '199.8', at: T0 + 10_100 }] })
  // O3: a stop in ETH triggered at 95, sold 1 @ 94.05: 0.95 / 95 = +100 bps, filled 60 s after it was placed.
  await order({ symbol: 'ETH/USDT', side: 'SELL', purpose: 'STOP_LOSS', status: 'FILLED', at: T0 + 20_000, expected: '95', fills: [{ qty: '1', price: '94.05', at: T0 + 80_000 }] })
  // O4 refused, O5 lost, O6 a stop taken off unfilled. O4 is an AI entry from before decidedAt was recorded: its entry,
  //     recorded at T0 + 31000 after 2000 ms of which the model took 400, gives T0 + 29400 → decision→order 600 ms.
  const o4 = await aiEntry({ createdAt: T0 + 31_000, latencyMs: 2000, modelLatencyMs: 400 })
  await order({ side: 'BUY', purpose: 'ENTRY', status: 'REJECTED', at: T0 + 30_000, expected: '100', rejectReason: 'insufficient balance', positionId: o4 })
  await order({ side: 'BUY', purpose: 'ENTRY', status: 'REJECTED', at: T0 + 40_000, expected: '100', rejectReason: 'lost: the exchange did not know it after 3 lookups' })
  await order({ side: 'SELL', purpose: 'STOP_LOSS', status: 'CANCELED', at: T0 + 50_000, expected: '90' })
  // Live: a buy 1 @ 110 vs 100 (+1000 bps), never mixed into paper.
  await order({ accountId: ids.liveAccount, side: 'BUY', purpose: 'ENTRY', status: 'FILLED', at: T0 + 60_000, expected: '100', fills: [{ qty: '1', price: '110', at: T0 + 61_000 }] })

  route = await import('@/app/api/v1/execution-quality/route')
  metricsRoute = await import('@/app/api/metrics/route')
}, 120_000)
afterAll(() => t?.stop())

describe('expected prices are stored when orders are created', () => {
  it('a market entry expects the ask, a market exit the bid at the time it was decided; paper fills at the touch slip 0', async () => {
    const entry = await t.db.order.findUniqueOrThrow({ where: { id: ids.aliceEntry }, include: { fills: true } })
    const exit = await t.db.order.findUniqueOrThrow({ where: { id: ids.aliceExit }, include: { fills: true } })
    expect([entry.purpose, entry.side, entry.expectedPrice?.toString()]).toEqual(['ENTRY', 'BUY', '60010'])
    expect([exit.purpose, exit.side, exit.expectedPrice?.toString()]).toEqual(['MANUAL_EXIT', 'SELL', '61000'])
    expect(entry.fills.map((f) => f.price.toString())).toEqual(['60010'])
    expect(exit.fills.map((f) => f.price.toString())).toEqual(['61000'])
  })
})

describe('GET /api/v1/execution-quality', () => {
  it('gives the hand-worked figures of carol\'s paper orders', async () => {
    const res = await call(route.GET, 'GET', '/api/v1/execution-quality', { token: carol.token })
    expect(res.status).toBe(200)
    // 6 orders: filled O1 O2 O3, rejected O4, lost O5, O6 neither. Slippage [50, 10, 100]: p50 50, p95 100;
    // weighted by filled notional at the expected price (100, 400, 95): (5000 + 4000 + 9500) / 595 = 31.0924…
    // decision→order [250, 600]: p50 250, p95 600. order→fill [400, 100, 60000]: p50 400, p95 60000. success 3 / 5.
    // No error rate: O4's and O5's refusals are the paper engine's, not an exchange's.
    expect(res.body.scope).toEqual({ mode: 'PAPER', from: null, to: null })
    expect(res.body.all).toEqual({
      orders: 6, filled: 3, rejected: 1, lost: 1, measured: 3,
      slippageP50Bps: { value: '50.00', reason: null },
      slippageP95Bps: { value: '100.00', reason: null },
      slippageAvgBps: { value: '31.09', reason: null },
      decisionToOrderP50Ms: 250, decisionToOrderP95Ms: 600,
      orderToFillP50Ms: 400, orderToFillP95Ms: 60000,
      successRatePct: { value: '60.00', reason: null },
      errorRatePct: { value: null, reason: 'paper orders are not sent to an exchange: their refusals are not exchange errors' },
    })
    const entries = res.body.byPurpose.find((r: { purpose: string }) => r.purpose === 'ENTRY')
    // O1, O4, O5: one filled of three settled.
    expect(entries).toMatchObject({ orders: 3, filled: 1, successRatePct: { value: '33.33' }, errorRatePct: { value: null }, slippageP50Bps: { value: '50.00' } })
    expect(res.body.byPurpose.map((r: { purpose: string }) => r.purpose)).toEqual(['ENTRY', 'MANUAL_EXIT', 'STOP_LOSS'])
  })

  it('filters by symbol, period and mode, never mixing live into paper', async () => {
    const eth = await call(route.GET, 'GET', '/api/v1/execution-quality?symbol=ETH/USDT', { token: carol.token })
    expect([eth.body.all.orders, eth.body.all.slippageP50Bps.value]).toEqual([1, '100.00'])
    // From T0 + 10 s (inclusive) to T0 + 40 s (exclusive): O2, O3, O4.
    const from = new Date(T0 + 10_000).toISOString()
    const to = new Date(T0 + 40_000).toISOString()
    const period = await call(route.GET, 'GET', `/api/v1/execution-quality?from=${from}&to=${to}`, { token: carol.token })
    expect([period.body.all.orders, period.body.all.filled, period.body.all.rejected, period.body.all.lost]).toEqual([3, 2, 1, 0])
    const live = await call(route.GET, 'GET', '/api/v1/execution-quality?mode=LIVE', { token: carol.token })
    expect([live.body.all.orders, live.body.all.slippageP50Bps.value, live.body.all.orderToFillP50Ms, live.body.all.errorRatePct.value]).toEqual([1, '1000.00', 1000, '0.00'])
  })

  it('shows only the caller\'s orders, and answers a bad filter with 400 naming it', async () => {
    const own = await call(route.GET, 'GET', '/api/v1/execution-quality', { token: alice.token })
    expect([own.body.all.orders, own.body.all.slippageP50Bps.value]).toEqual([2, '0.00'])
    const bad = await call(route.GET, 'GET', '/api/v1/execution-quality?mode=REAL', { token: carol.token })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['mode'])
    expect((await call(route.GET, 'GET', '/api/v1/execution-quality')).status).toBe(401)
  })
})

/** Each `name{labels} value` line of a Prometheus text exposition. */
function parseExposition(text: string) {
  const series = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`not an exposition line: ${line}`)
    series.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]))
  }
  return series
}

describe('GET /api/metrics', () => {
  const scrape = (authorization?: string) => metricsRoute.GET(new Request('http://localhost/api/metrics', { headers: authorization ? { authorization } : {} }))

  it('refuses a scrape without the token or with a wrong one (401), and does not exist without METRICS_TOKEN (404)', async () => {
    expect((await scrape()).status).toBe(401)
    const wrong = await scrape('Bearer metrics-token-0123456780')
    expect(wrong.status).toBe(401)
    expect((await wrong.json()).error.message).toMatch(/wrong metrics token/)
    expect(() => assertMetricsAccess(new Request('http://localhost/api/metrics'), undefined)).toThrow(/metrics are off: set METRICS_TOKEN/)
  })

  it('serves the figures in the Prometheus text format, with no user in any label', async () => {
    const res = await scrape(`Bearer ${METRICS_TOKEN}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    const s = parseExposition(text)
    // Paper: alice's entry and exit, carol's O1–O6; live: carol's one buy.
    expect(s.get('tradeloop_orders{mode="PAPER",venue="paper",purpose="ENTRY",status="FILLED"}')).toBe(2)
    expect(s.get('tradeloop_orders{mode="PAPER",venue="paper",purpose="ENTRY",status="REJECTED"}')).toBe(2)
    expect(s.get('tradeloop_orders{mode="PAPER",venue="paper",purpose="MANUAL_EXIT",status="FILLED"}')).toBe(2)
    expect(s.get('tradeloop_orders{mode="PAPER",venue="paper",purpose="STOP_LOSS",status="CANCELED"}')).toBe(1)
    expect(s.get('tradeloop_orders{mode="LIVE",venue="binance",purpose="ENTRY",status="FILLED"}')).toBe(1)
    expect(s.get('tradeloop_order_errors{mode="PAPER",venue="paper",kind="rejected"}')).toBe(1)
    expect(s.get('tradeloop_order_errors{mode="PAPER",venue="paper",kind="lost"}')).toBe(1)
    // Paper slippage over the last 24 h: alice [0, 0] and carol [50, 10, 100] → sorted [0, 0, 10, 50, 100]: p50 10, p95 100.
    expect(s.get('tradeloop_slippage_bps{mode="PAPER",quantile="0.5"}')).toBe(10)
    expect(s.get('tradeloop_slippage_bps{mode="PAPER",quantile="0.95"}')).toBe(100)
    expect(s.get('tradeloop_slippage_bps{mode="LIVE",quantile="0.5"}')).toBe(1000)
    expect(s.get('tradeloop_slippage_orders{mode="PAPER"}')).toBe(5)
    expect(s.get('tradeloop_decision_to_order_ms{mode="PAPER",quantile="0.5"}')).toBe(250)
    expect(s.get('tradeloop_decision_to_order_ms{mode="PAPER",quantile="0.95"}')).toBe(600)
    // Paper: 5 filled, 1 rejected, 1 lost of 8 orders.
    expect(s.get('tradeloop_order_success_ratio{mode="PAPER"}')).toBeCloseTo(5 / 7, 10)
    // An error ratio for exchanges only, as the endpoint and the alert count them: live's one order filled.
    expect(s.has('tradeloop_order_error_ratio{mode="PAPER"}')).toBe(false)
    expect(s.get('tradeloop_order_error_ratio{mode="LIVE"}')).toBe(0)
    expect(s.has('process_resident_memory_bytes') || s.has('nodejs_heap_size_used_bytes')).toBe(true)
    for (const secret of [alice.id, carol.id, ids.carolAccount, ids.carolTrader, 'alice', 'carol', 'BTC/USDT', 'Binance live']) expect(text).not.toContain(secret)
  })
})

describe('execution alerts', () => {
  const thresholds = { stuckAfterMs: 120_000, slippageBps: 50, errorRatePct: 20, errorWindowMin: 15, errorMinOrders: 5 }

  it('fires once each for a stuck order, unusual slippage and a high error rate, and reaches the notification channels', async () => {
    const now = Date.now()
    // Stuck: NEW for 10 minutes. Not stuck: NEW for 30 s.
    const stuck = await order({ side: 'BUY', purpose: 'ENTRY', status: 'NEW', at: now - 600_000, expected: '100' })
    await order({ side: 'BUY', purpose: 'ENTRY', status: 'NEW', at: now - 30_000, expected: '100' })
    // Errors on the live account in the last 15 min: 2 refused of 5 orders = 40 % ≥ 20 %.
    for (let i = 0; i < 5; i++) {
      await order({ accountId: ids.liveAccount, side: 'BUY', purpose: 'ENTRY', status: i < 2 ? 'REJECTED' : 'CANCELED', at: now - 60_000 + i, rejectReason: i < 2 ? 'insufficient balance' : undefined })
    }
    // The paper account's refusals are no exchange errors: 3 of its 5 orders in the window (with the two NEW above).
    for (let i = 0; i < 3; i++) await order({ side: 'BUY', purpose: 'ENTRY', status: 'REJECTED', at: now - 120_000 + i, rejectReason: 'insufficient paper balance' })
    const first = await checkExecutionAlerts({ db: t.db, thresholds, now: new Date(now) })
    // Slippage above 50 bps: O3 (100) and the live buy (1000); O1's 50 is not above it.
    expect(first).toEqual({ stuck: 1, slippage: 2, errorRate: 1 })
    const again = await checkExecutionAlerts({ db: t.db, thresholds, now: new Date(now + 5_000) })
    expect(again).toEqual({ stuck: 0, slippage: 0, errorRate: 0 })

    const events = await t.db.activityEvent.findMany({ where: { userId: carol.id, type: { in: ['ORDER_STUCK', 'HIGH_SLIPPAGE', 'EXCHANGE_ERRORS'] } }, orderBy: { id: 'asc' } })
    expect(events.map((e) => [e.type, e.severity])).toEqual([
      ['ORDER_STUCK', 'warning'],
      ['HIGH_SLIPPAGE', 'warning'],
      ['HIGH_SLIPPAGE', 'warning'],
      ['EXCHANGE_ERRORS', 'error'],
    ])
    expect(events[0]!.message).toContain(stuck.clientOrderId)
    expect(events.find((e) => e.message.includes('filled at 94.05'))!.message).toMatch(/expected 95: 100\.0 bps worse/)
    expect(events[3]!.message).toMatch(/^Exchange account "Binance live" \(binance\): 2 of 5 orders in the last 15 min were refused or lost \(40%, alert at 20%\)$/)
    const kinds = (await notifiableEvents(t.db, events)).map((e) => e.kind)
    expect(kinds).toEqual(['ORDER_STUCK', 'HIGH_SLIPPAGE', 'HIGH_SLIPPAGE', 'EXCHANGE_ERRORS'])
  })
})
