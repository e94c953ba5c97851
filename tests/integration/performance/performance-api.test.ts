import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, call, fieldsOf, startApiDatabase } from '../api/api-harness'

/**
 * Three manual paper trades opened and closed through the services, a TESTNET account with a
 * trade of its own, and equity snapshots at known times: the API's figures are checked to the
 * digit against sums worked out by hand below, paper and testnet never mixed, and the CSV.
 */

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let route: typeof import('@/app/api/v1/performance/route')
let csvRoute: typeof import('@/app/api/v1/performance/trades.csv/route')
const ids = { paperTrader: '', paperAccount: '', btcLong: '', ethLong: '', btcShort: '', testnetTrader: '', testnetAccount: '', testnetTrade: '' }

const DAY = 86_400_000
const T0 = Date.parse('2025-01-01T00:00:00Z')

async function getCsv(query: string, token = alice.token) {
  const res = await csvRoute.GET(new Request(`http://localhost/api/v1/performance/trades.csv${query}`, { headers: { authorization: `Bearer ${token}` } }))
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() }
}

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  const actor = { kind: 'USER' as const, id: alice.id }
  const trader = await createTrader({ db: t.db, userId: alice.id, input: { name: 'Paper', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' } })
  await useManualTraderSettings(t.db, trader.id)
  ids.paperTrader = trader.id
  ids.paperAccount = trader.accountId
  const open = (input: Record<string, string>) => openPosition({ db: t.db, userId: alice.id, actor, input: { traderId: trader.id, sizeMode: 'BASE', entryType: 'MARKET', ...input } })
  const close = (positionId: string) => closePosition({ db: t.db, userId: alice.id, actor, positionId, input: {} })

  // 1. LONG 0.1 BTC: buy @ 60010 (fee 0.1 % = 6.001), sell @ 61000 (fee 6.1):
  //    (61000 − 60010) × 0.1 − 6.001 − 6.1 = 99 − 12.101 = 86.899
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  ids.btcLong = (await open({ symbol: 'BTC/USDT', side: 'LONG', size: '0.1', stopLoss: '59000' })).positionId
  await seedMarket(t.db, { bid: '61000', ask: '61010' })
  await close(ids.btcLong)
  // 2. LONG 1 ETH: buy @ 3001 (fee 3.001), sell @ 2900 (fee 2.9): −101 − 5.901 = −106.901
  await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
  ids.ethLong = (await open({ symbol: 'ETH/USDT', side: 'LONG', size: '1', stopLoss: '2800' })).positionId
  await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '2900', ask: '2901' })
  await close(ids.ethLong)
  // 3. SHORT 0.05 BTC: sell @ 61000 (fee 3.05), buy back @ 60010 (fee 3.0005):
  //    (61000 − 60010) × 0.05 − 3.05 − 3.0005 = 49.5 − 6.0505 = 43.4495
  ids.btcShort = (await open({ symbol: 'BTC/USDT', side: 'SHORT', size: '0.05', stopLoss: '62000' })).positionId
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  await close(ids.btcShort)
  // The short was an AI's entry: its executed decision names the position.
  await t.db.decision.create({
    data: { traderId: trader.id, cycleId: 'c1', symbol: 'BTC/USDT', positionId: ids.btcShort, provider: 'ANTHROPIC', model: 'claude', promptVersion: 'v1', trigger: 'SCHEDULE', action: 'SHORT', confidence: '0.9', reasoning: 'down', outcome: 'EXECUTED', latencyMs: 1 },
  })

  // A TESTNET account with a trader and one closed trade of +1000 (never added to paper).
  const testnet = await t.db.exchangeAccount.create({
    data: {
      userId: alice.id, name: 'Binance testnet', kind: 'CCXT', venue: 'binance', mode: 'TESTNET', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001',
      apiKeyEnc: sealSecret('k-0000'), secretEnc: sealSecret('s-0000'), keyHint: '••••0000', baseUrl: 'http://127.0.0.1:1', reconciledAt: new Date(),
    },
  })
  ids.testnetAccount = testnet.id
  // A name a spreadsheet would run as a formula.
  ids.testnetTrader = (await t.db.trader.create({ data: { userId: alice.id, accountId: testnet.id, name: '=HYPERLINK("x")', quoteCurrency: 'USDT', watchlist: ['BTC/USDT'] } })).id
  ids.testnetTrade = (
    await t.db.position.create({
      data: {
        traderId: ids.testnetTrader, accountId: testnet.id, symbol: 'BTC/USDT', side: 'LONG', status: 'CLOSED', entryType: 'MARKET', requestedQty: '1', entryQty: '1', exitQty: '1',
        avgEntryPrice: '60000', avgExitPrice: '61002', realizedPnl: '1000', fees: '2', openedAt: new Date(T0), closedAt: new Date(T0 + DAY), statusReason: 'TAKE_PROFIT',
      },
    })
  ).id

  // Paper equity (index = equity / 10000) with daily closes +1 %, −5 %, +5 %, (no snapshot), +2 %:
  // 10000 → 10100 → 9595 → 10074.75 → (10074.75) → 10276.245
  const snap = (accountId: string, at: number, equity: string, unpriced = false) => ({ accountId, at: new Date(at), equity, unpriced, reason: 'INTERVAL' })
  await t.db.equitySnapshot.createMany({
    data: [
      snap(ids.paperAccount, T0, '10000'),
      snap(ids.paperAccount, T0 + 0.5 * DAY, '10100'),
      snap(ids.paperAccount, T0 + 1.5 * DAY, '9595'),
      // An asset had no price: left out, or it would read as a 50 % crash.
      snap(ids.paperAccount, T0 + 1.75 * DAY, '5000', true),
      snap(ids.paperAccount, T0 + 2.5 * DAY, '10074.75'),
      snap(ids.paperAccount, T0 + 4.5 * DAY, '10276.245'),
      // Testnet: 20000 → 30000, a +50 % that must never reach the paper figures.
      snap(ids.testnetAccount, T0, '20000'),
      snap(ids.testnetAccount, T0 + 2 * DAY, '30000'),
    ],
  })
  route = await import('@/app/api/v1/performance/route')
  csvRoute = await import('@/app/api/v1/performance/trades.csv/route')
}, 120_000)
afterAll(() => t?.stop())

describe('GET /api/v1/performance: every closed trade, paper by default', () => {
  it('counts the three manual and AI paper trades with exact figures', async () => {
    const res = await call(route.GET, 'GET', '/api/v1/performance', { token: alice.token })
    expect(res.status).toBe(200)
    const b = res.body
    expect(b.scope).toMatchObject({ mode: 'PAPER', currency: 'USDT', currencies: ['USDT'], timeZone: 'UTC', from: null, to: null })
    // PnL 86.899, −106.901, 43.4495: total 23.4475; wins 86.899 + 43.4495 = 130.3485; fees 12.101 + 5.901 + 6.0505 = 24.0525
    // profit factor 130.3485 / 106.901 = 1.2193; expectancy 23.4475 / 3 = 7.81583333
    // SQN: mean 7.8158333, deviations 79.0831667, −114.7168333, 35.6336667; squares sum 20683.8573, /2 = 10341.9287,
    //      sd 101.6952735; √3 × 7.8158333 / 101.6952735 = 0.1331
    expect(b.trades).toMatchObject({
      closedTrades: 3,
      wins: 2,
      losses: 1,
      breakeven: 0,
      totalPnl: '23.4475',
      grossProfit: '130.3485',
      grossLoss: '-106.901',
      feesPaid: '24.0525',
      winRatePct: { value: '66.67', reason: null },
      profitFactor: { value: '1.2193', reason: null },
      expectancy: { value: '7.81583333', reason: null },
      avgWin: { value: '65.17425', reason: null },
      avgLoss: { value: '-106.901', reason: null },
      largestWin: { value: '86.899', reason: null },
      largestLoss: { value: '-106.901', reason: null },
      sqn: { value: '0.1331', reason: null },
      maxConsecutiveWins: 1,
      maxConsecutiveLosses: 1,
    })
    // Exposure: the three trades did not overlap; each was open from its entry fill to its exit.
    const positions = await t.db.position.findMany({ where: { id: { in: [ids.btcLong, ids.ethLong, ids.btcShort] } } })
    const inMarket = positions.reduce((s, p) => s + (p.closedAt!.getTime() - p.openedAt!.getTime()), 0)
    expect(b.trades.exposure.inMarketMs).toBe(inMarket)
    expect(b.trades.exposure.periodStart).toBe(new Date(Math.min(...positions.map((p) => p.openedAt!.getTime()))).toISOString())

    expect(b.bySource).toEqual([
      // Manual: 86.899 − 106.901 = −20.002; profit factor 86.899 / 106.901 = 0.8129
      { key: 'MANUAL', label: 'Manual', closedTrades: 2, wins: 1, losses: 1, winRatePct: '50.00', totalPnl: '-20.002', feesPaid: '18.002', profitFactor: { value: '0.8129', reason: null } },
      { key: 'AI', label: 'AI', closedTrades: 1, wins: 1, losses: 0, winRatePct: '100.00', totalPnl: '43.4495', feesPaid: '6.0505', profitFactor: { value: null, reason: 'no losing trades (no loss to divide by)' } },
    ])
    expect(b.bySymbol.map((r: { key: string; totalPnl: string }) => [r.key, r.totalPnl])).toEqual([
      // 86.899 + 43.4495 = 130.3485
      ['BTC/USDT', '130.3485'],
      ['ETH/USDT', '-106.901'],
    ])
    expect(b.byTrader.map((r: { key: string; label: string; closedTrades: number }) => [r.key, r.label, r.closedTrades])).toEqual([[ids.paperTrader, 'Paper', 3]])
    // All three closed today (UTC): one bar.
    const today = positions[0]!.closedAt!.toISOString().slice(0, 10)
    expect(b.dailyPnl).toEqual([{ day: today, pnl: '23.4475', trades: 3 }])
    expect(b.symbols).toEqual(['BTC/USDT', 'ETH/USDT'])
    // The decision breakdown stays: the AI's executed SHORT, with its closed trade.
    expect(b.entries).toEqual([expect.objectContaining({ provider: 'ANTHROPIC', action: 'SHORT', bucket: 'HIGH', decisions: 1, closedTrades: 1, wins: 1, totalPnl: '43.4495' })])
  })

  it('measures the equity curve from the snapshots: return, drawdown, Sharpe, Sortino, Calmar', async () => {
    const { body } = await call(route.GET, 'GET', '/api/v1/performance', { token: alice.token })
    const e = body.equity
    // Daily returns (UTC): +1 %, −5 %, +5 %, 0 (no snapshot on Jan 4), +2 %
    // total: 10276.245 / 10000 − 1 = 2.76 %; over 4.5 days: 1.0276245^(365 / 4.5) − 1 = 811.81 %
    // max drawdown: 10100 → 9595 = 5 %, from Jan 1 12:00 until back above 10100 on Jan 5 12:00: 4 days
    // Sharpe: mean 0.006, squares of deviations 0.000016 + 0.003136 + 0.001936 + 0.000036 + 0.000196 = 0.00532, /4 → sd 0.0364692;
    //         0.006 / 0.0364692 × √365 = 3.1432
    // Sortino: downside √(0.05² / 5) = √0.0005; 0.006 / √0.0005 × √365 = √(0.072 × 365) = √26.28 = 5.1264
    // Calmar: 8.1181216 / 0.05 = 162.3624
    expect(e).toMatchObject({
      reason: null,
      accounts: 1,
      snapshots: 5,
      unpricedSkipped: 1,
      start: { at: '2025-01-01T00:00:00.000Z', equity: '10000' },
      end: { at: '2025-01-05T12:00:00.000Z', equity: '10276.245' },
      totalReturnPct: { value: '2.76', reason: null },
      annualizedReturnPct: { value: '811.81', reason: null },
      maxDrawdownPct: { value: '5.00', reason: null },
      maxDrawdownDurationMs: 4 * DAY,
      maxDrawdownRecovered: true,
      sharpe: { value: '3.1432', reason: null },
      sortino: { value: '5.1264', reason: null },
      calmar: { value: '162.3624', reason: null },
      days: 5,
    })
    expect(e.notes).toEqual(['1 snapshot(s) left out: some asset had no price, so their equity was incomplete.'])
    // 9595 / 10100 − 1 = −5 %; 10074.75 / 10100 − 1 = −0.25 %
    expect(e.curve).toEqual([
      { at: '2025-01-01T00:00:00.000Z', equity: '10000', drawdownPct: '0.00' },
      { at: '2025-01-01T12:00:00.000Z', equity: '10100', drawdownPct: '0.00' },
      { at: '2025-01-02T12:00:00.000Z', equity: '9595', drawdownPct: '-5.00' },
      { at: '2025-01-03T12:00:00.000Z', equity: '10074.75', drawdownPct: '-0.25' },
      { at: '2025-01-05T12:00:00.000Z', equity: '10276.245', drawdownPct: '0.00' },
    ])
  })

  it('never mixes modes: TESTNET shows only its own trade and equity, LIVE has nothing and says why', async () => {
    const testnet = (await call(route.GET, 'GET', '/api/v1/performance?mode=TESTNET', { token: alice.token })).body
    expect(testnet.scope).toMatchObject({ mode: 'TESTNET', currency: 'USDT' })
    expect(testnet.trades).toMatchObject({ closedTrades: 1, totalPnl: '1000', feesPaid: '2' })
    // 30000 / 20000 − 1 = 50 %
    expect(testnet.equity).toMatchObject({ accounts: 1, snapshots: 2, totalReturnPct: { value: '50.00', reason: null } })
    expect(testnet.equity.notes).toContain('Deposits and withdrawals on an exchange account are not known here: they show as gains or losses.')

    const paper = (await call(route.GET, 'GET', '/api/v1/performance?mode=PAPER', { token: alice.token })).body
    expect(paper.trades.totalPnl).toBe('23.4475')
    expect(paper.equity.end.equity).toBe('10276.245')

    const live = (await call(route.GET, 'GET', '/api/v1/performance?mode=LIVE', { token: alice.token })).body
    expect(live.scope).toMatchObject({ mode: 'LIVE', currency: null, currencies: [] })
    expect(live.trades).toMatchObject({ closedTrades: 0, totalPnl: '0', profitFactor: { value: null, reason: 'no closed trades' } })
    expect(live.equity).toMatchObject({ reason: 'no trader trades in this mode', curve: [] })
  })

  it('filters by source, symbol, trader and period', async () => {
    const manual = (await call(route.GET, 'GET', '/api/v1/performance?source=MANUAL', { token: alice.token })).body
    expect(manual.trades).toMatchObject({ closedTrades: 2, totalPnl: '-20.002' })
    // The equity is the account's, whatever the source: it says so.
    expect(manual.equity.notes).toContain('Equity is the whole account: the symbol and source filters apply to the trade figures only.')
    // MANUAL trades have no decisions.
    expect(manual.entries).toEqual([])

    const eth = (await call(route.GET, 'GET', '/api/v1/performance?symbol=eth/usdt', { token: alice.token })).body
    expect(eth.trades).toMatchObject({ closedTrades: 1, totalPnl: '-106.901', winRatePct: { value: '0.00', reason: null } })

    const byTrader = (await call(route.GET, 'GET', `/api/v1/performance?traderId=${ids.paperTrader}`, { token: alice.token })).body
    expect(byTrader.trades.closedTrades).toBe(3)

    // A period before the trades closed: no trade, and the equity of Jan 1–2 only: 10000 → 9595 = −4.05 % in 1.5 days,
    // 0.9595^(365 / 1.5) − 1 = e^(243.33 × ln 0.9595) − 1 = e^(−10.06) − 1 = −99.996 %
    const early = (await call(route.GET, 'GET', '/api/v1/performance?from=2025-01-01&to=2025-01-02T23:59:59Z', { token: alice.token })).body
    expect(early.scope).toMatchObject({ from: '2025-01-01T00:00:00.000Z', to: '2025-01-02T23:59:59.000Z' })
    expect(early.trades.closedTrades).toBe(0)
    expect(early.equity).toMatchObject({ snapshots: 3, totalReturnPct: { value: '-4.05', reason: null }, annualizedReturnPct: { value: '-100.00', reason: null } })
    // Under a day of history there is no annualized figure, and the reason says so.
    const halfDay = (await call(route.GET, 'GET', '/api/v1/performance?from=2025-01-01&to=2025-01-01T12:00:01Z', { token: alice.token })).body
    expect(halfDay.equity).toMatchObject({ snapshots: 2, totalReturnPct: { value: '1.00', reason: null }, annualizedReturnPct: { value: null, reason: 'needs at least a day of equity history' } })
  })

  it('another user sees none of it, even naming the trader', async () => {
    const res = await call(route.GET, 'GET', `/api/v1/performance?traderId=${ids.paperTrader}`, { token: bob.token })
    expect(res.status).toBe(200)
    expect(res.body.trades.closedTrades).toBe(0)
    expect(res.body.equity.snapshots).toBe(0)
    expect(JSON.stringify(res.body)).not.toContain(ids.paperTrader)
  })

  it.each([
    ['mode', '?mode=DEMO'],
    ['source', '?source=TELEPATHY'],
    ['symbol', '?symbol=BTCUSDT'],
    ['from', '?from=yesterday'],
    ['from', '?from=2025-01-01T00:00:00'],
    ['to', '?from=2025-02-01&to=2025-01-01'],
    ['currency', '?currency=US%24'],
    ['traderId', `?traderId=${'x'.repeat(65)}`],
  ])('refuses a bad %s (%s) with 400 naming it', async (field, query) => {
    const res = await call(route.GET, 'GET', `/api/v1/performance${query}`, { token: alice.token })
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual([field])
    expect((await getCsv(query)).status).toBe(400)
  })
})

describe('GET /api/v1/performance/trades.csv', () => {
  it('exports the closed trades with the filters, decimals exact', async () => {
    const res = await getCsv('')
    expect(res.status).toBe(200)
    expect(res.type).toBe('text/csv; charset=utf-8')
    expect(res.disposition).toMatch(/^attachment; filename="tradeloop-closed-trades-paper-\d{8}T\d{6}Z\.csv"$/)
    const lines = res.text.split('\r\n')
    expect(lines[0]).toBe('position_id,trader,symbol,side,source,provider,mode,currency,opened_at,closed_at,entry_qty,avg_entry_price,exit_qty,avg_exit_price,fees,realized_pnl,close_reason,group_id')
    expect(lines[4]).toBe('')
    expect(lines).toHaveLength(5)
    const positions = new Map((await t.db.position.findMany()).map((p) => [p.id, p]))
    const times = (id: string) => `${positions.get(id)!.openedAt!.toISOString()},${positions.get(id)!.closedAt!.toISOString()}`
    expect(lines.slice(1, 4)).toEqual([
      `${ids.btcLong},Paper,BTC/USDT,LONG,MANUAL,,PAPER,USDT,${times(ids.btcLong)},0.1,60010,0.1,61000,12.101,86.899,MANUAL_EXIT,`,
      `${ids.ethLong},Paper,ETH/USDT,LONG,MANUAL,,PAPER,USDT,${times(ids.ethLong)},1,3001,1,2900,5.901,-106.901,MANUAL_EXIT,`,
      `${ids.btcShort},Paper,BTC/USDT,SHORT,AI,ANTHROPIC,PAPER,USDT,${times(ids.btcShort)},0.05,61000,0.05,60010,6.0505,43.4495,MANUAL_EXIT,`,
    ])

    const ai = (await getCsv('?source=AI')).text.split('\r\n')
    expect(ai.slice(1, -1).map((l) => l.split(',')[0])).toEqual([ids.btcShort])

    // Testnet: its own trade only; the formula-like trader name is quoted so it stays text.
    const testnet = (await getCsv('?mode=TESTNET')).text.split('\r\n')
    expect(testnet[1]).toBe(
      `${ids.testnetTrade},"'=HYPERLINK(""x"")",BTC/USDT,LONG,MANUAL,,TESTNET,USDT,2025-01-01T00:00:00.000Z,2025-01-02T00:00:00.000Z,1,60000,1,61002,2,1000,TAKE_PROFIT,`,
    )
    expect(testnet).toHaveLength(3)

    // Bob's export holds a header only.
    expect((await getCsv(`?traderId=${ids.paperTrader}`, bob.token)).text.split('\r\n').filter(Boolean)).toHaveLength(1)
  })
})

describe('a position group in the figures', () => {
  it("counts a group's closed legs as one trade at its last close; the daily count and the CSV follow", async () => {
    const carol = await apiUser(t, 'carol@example.com')
    const trader = await createTrader({ db: t.db, userId: carol.id, input: { name: 'Pyramids', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' } })
    const group = await t.db.positionGroup.create({
      data: { traderId: trader.id, userId: carol.id, accountId: trader.accountId, symbol: 'BTC/USDT', side: 'LONG', status: 'CLOSED', settings: {}, budgetQuote: '1000' },
    })
    const closed = (symbol: string, pnl: string, fees: string, closedMinutes: number, groupId: string | null) =>
      t.db.position.create({
        data: {
          traderId: trader.id, accountId: trader.accountId, symbol, side: 'LONG', status: 'CLOSED', entryType: 'MARKET', requestedQty: '0.01', entryQty: '0.01', exitQty: '0.01',
          avgEntryPrice: '60000', avgExitPrice: '59000', realizedPnl: pnl, fees, openedAt: new Date(T0), closedAt: new Date(T0 + closedMinutes * 60_000), statusReason: 'STOP_LOSS', groupId,
        },
      })
    // Two legs of one group, stopped out at 60 and 120 minutes (−30 and −20), and a +10 win between them.
    const legA = await closed('BTC/USDT', '-30', '1', 60, group.id)
    const win = await closed('ETH/USDT', '10', '0.5', 90, null)
    const legB = await closed('BTC/USDT', '-20', '1', 120, group.id)

    const res = await call(route.GET, 'GET', '/api/v1/performance', { token: carol.token })
    expect(res.status).toBe(200)
    const b = res.body
    // Leg by leg this would be 3 trades (L, W, L), 1 win in 3, the largest loss −30.
    expect(b.trades).toMatchObject({
      closedTrades: 2,
      wins: 1,
      losses: 1,
      totalPnl: '-40',
      feesPaid: '2.5',
      winRatePct: { value: '50.00', reason: null },
      largestLoss: { value: '-50', reason: null },
      avgLoss: { value: '-50', reason: null },
      maxConsecutiveLosses: 1,
    })
    expect(b.bySymbol.map((r: { key: string; closedTrades: number; totalPnl: string }) => [r.key, r.closedTrades, r.totalPnl])).toEqual([
      ['BTC/USDT', 1, '-50'],
      ['ETH/USDT', 1, '10'],
    ])
    expect(b.dailyPnl).toEqual([{ day: '2025-01-01', pnl: '-40', trades: 2 }])
    // Exposure is still each position's own time in the market (all opened at T0): the first 120 minutes.
    expect(b.trades.exposure.inMarketMs).toBe(120 * 60_000)

    const lines = (await getCsv('', carol.token)).text.split('\r\n').filter(Boolean)
    expect(lines.slice(1).map((l) => [l.split(',')[0], l.split(',').at(-1)])).toEqual([
      [legA.id, group.id],
      [win.id, ''],
      [legB.id, group.id],
    ])
  })
})
