import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { saveQuotes } from '@/lib/market-data/quote-store'
import { loadRiskState, loadTraderAndUserRiskState } from '@/lib/server/risk/load-risk-state'
import { seedMarket } from '@/tests/support/seed-market'
import { createTrader } from '@/lib/server/traders/create-trader'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * The open-position figures of the risk state are summed in PostgreSQL; these are the same
 * definitions as the domain's exitPriceFor and unrealizedPnl, worked out by hand per position.
 */
describe('risk state: open positions summed in the database', () => {
  let t: TestDatabase
  let userId: string
  let traderA: { id: string; accountId: string }
  const now = Date.now()

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'agg@example.com', passwordHash: 'x', timeZone: 'UTC' } })).id
    traderA = await createTrader({ db: t.db, userId, input: { name: 'A', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'BTC/USDT' } })
    const traderB = await createTrader({ db: t.db, userId, input: { name: 'B', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'BTC/USDT' } })
    const q = (symbol: string, bid: string, ask: string) => ({ symbol, bid: dec(bid), ask: dec(ask), last: dec(bid), bids: [], asks: [], exchangeTs: now, receivedAt: now })
    await saveQuotes(t.db, [q('BTC/USDT', '61000', '61010'), q('ETH/USDT', '2900', '2905'), q('SOL/USDT', '110', '111')], 'test')
    const position = (tr: { id: string; accountId: string }, p: { symbol: string; side: 'LONG' | 'SHORT'; status: 'MONITORING' | 'SUBMITTING' | 'CLOSED' | 'FAILED'; requestedQty: string; openQty?: string; avgEntryPrice?: string; limitPrice?: string; realizedPnl?: string; closedAt?: Date }) =>
      t.db.position.create({
        data: {
          traderId: tr.id, accountId: tr.accountId, symbol: p.symbol, side: p.side, status: p.status, entryType: p.limitPrice ? 'LIMIT' : 'MARKET',
          requestedQty: p.requestedQty, openQty: p.openQty ?? '0', entryQty: p.openQty ?? '0', avgEntryPrice: p.avgEntryPrice ?? '0',
          limitPrice: p.limitPrice ?? null, realizedPnl: p.realizedPnl ?? '0', closedAt: p.closedAt ?? null,
        },
      })
    // LONG, partly closed earlier: mark = bid 61000; exposure 0.5 x 61000 = 30500; unrealized (61000 - 60000) x 0.5 = 500; realized 10.
    await position(traderA, { symbol: 'BTC/USDT', side: 'LONG', status: 'MONITORING', requestedQty: '1', openQty: '0.5', avgEntryPrice: '60000', realizedPnl: '10' })
    // SHORT: mark = ask 2905; exposure 2 x 2905 = 5810; unrealized (3000 - 2905) x 2 = 190.
    await position(traderA, { symbol: 'ETH/USDT', side: 'SHORT', status: 'MONITORING', requestedQty: '2', openQty: '2', avgEntryPrice: '3000' })
    // A resting limit entry: its requested 10 at its limit 100 = 1000; nothing unrealized.
    await position(traderA, { symbol: 'SOL/USDT', side: 'LONG', status: 'SUBMITTING', requestedQty: '10', limitPrice: '100' })
    // No quote for ADA: marked at its average entry, 1000 x 0.5 = 500; nothing unrealized.
    await position(traderA, { symbol: 'ADA/USDT', side: 'LONG', status: 'MONITORING', requestedQty: '1000', openQty: '1000', avgEntryPrice: '0.5' })
    // Closed today with a loss of 40 (in the daily PnL, not among the open); a failed entry counts nowhere.
    await position(traderA, { symbol: 'BTC/USDT', side: 'LONG', status: 'CLOSED', requestedQty: '1', realizedPnl: '-40', closedAt: new Date(now - 1000) })
    // Written here directly, so its trader's running total is too (as closing it would have).
    await t.db.traderTotals.update({ where: { traderId: traderA.id }, data: { closedRealizedPnl: '-40' } })
    await position(traderA, { symbol: 'ETH/USDT', side: 'LONG', status: 'FAILED', requestedQty: '5' })
    // Trader B: exposure 0.1 x 61000 = 6100; unrealized (61000 - 60000) x 0.1 = 100.
    await position(traderB, { symbol: 'BTC/USDT', side: 'LONG', status: 'MONITORING', requestedQty: '0.1', openQty: '0.1', avgEntryPrice: '60000' })
  })
  afterAll(() => t.drop())

  test('one trader: count, exposure and daily PnL from its active positions', async () => {
    const { state, pnlNow } = await loadRiskState(t.db, { userId, traderId: traderA.id, timeZone: 'UTC', now, pnlPeak: dec(0) })
    expect(state.openPositions).toBe(4)
    expect(state.exposureQuote.toFixed()).toBe('37810') // 30500 + 5810 + 1000 + 500
    // Closed today -40, unrealized 500 + 190, realized on the open one 10.
    expect(state.dailyPnl.toFixed()).toBe('660')
    // All time: the closed -40 plus the open 10 + 690.
    expect(pnlNow.toFixed()).toBe('660')
  })

  test('the whole user: both traders', async () => {
    const { state } = await loadRiskState(t.db, { userId, timeZone: 'UTC', now, pnlPeak: dec(0) })
    expect(state.openPositions).toBe(5)
    expect(state.exposureQuote.toFixed()).toBe('43910') // 37810 + 6100
    expect(state.dailyPnl.toFixed()).toBe('760') // 660 + 100
  })

  test('a limit entry partly filled and still resting counts what it holds and what it may still buy', async () => {
    const c = await createTrader({ db: t.db, userId, input: { name: 'C', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'SOL/USDT' } })
    const p = await t.db.position.create({
      data: { traderId: c.id, accountId: c.accountId, symbol: 'SOL/USDT', side: 'LONG', status: 'MONITORING', entryType: 'LIMIT', requestedQty: '10', openQty: '2', entryQty: '2', avgEntryPrice: '100', limitPrice: '100' },
    })
    const entry = await t.db.order.create({
      data: { accountId: c.accountId, traderId: c.id, positionId: p.id, clientOrderId: 'tl-e-agg-partial', symbol: 'SOL/USDT', side: 'BUY', type: 'LIMIT', purpose: 'ENTRY', qty: '10', filledQty: '2', price: '100', status: 'PARTIALLY_FILLED', createdBy: 'USER' },
    })
    // 2 held at the bid 110, and the 8 still resting at the limit 100: 220 + 800.
    expect((await loadRiskState(t.db, { userId, traderId: c.id, timeZone: 'UTC', now, pnlPeak: dec(0) })).state.exposureQuote.toFixed()).toBe('1020')
    // Once the rest of the entry is canceled, only what is held.
    await t.db.order.update({ where: { id: entry.id }, data: { status: 'CANCELED' } })
    expect((await loadRiskState(t.db, { userId, traderId: c.id, timeZone: 'UTC', now, pnlPeak: dec(0) })).state.exposureQuote.toFixed()).toBe('220')
  })

  test("an open group's legs planned and not sent yet count at their limit prices; canceled ones, and a closed group's, do not", async () => {
    const d = await createTrader({ db: t.db, userId, input: { name: 'D', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'BTC/USDT' } })
    const group = await t.db.positionGroup.create({
      data: { traderId: d.id, userId, accountId: d.accountId, symbol: 'BTC/USDT', side: 'LONG', settings: {}, budgetQuote: '5000', plannedNotional: '3450' },
    })
    const pyramid = await t.db.groupPyramid.create({ data: { groupId: group.id, index: 0, entryPrice: '60000', capitalQuote: '5000' } })
    const leg = (index: number, price: string, qty: string, status: 'PLACED' | 'PLANNED' | 'CANCELED') =>
      t.db.groupLeg.create({ data: { groupId: group.id, pyramidId: pyramid.id, index, deviationPct: '0', weightPct: '0', price, qty, takeProfitPct: '1', status } })
    const base = await leg(0, '60000', '0.01', 'PLACED')
    await t.db.position.create({
      data: { traderId: d.id, accountId: d.accountId, groupId: group.id, groupLegId: base.id, symbol: 'BTC/USDT', side: 'LONG', status: 'MONITORING', entryType: 'MARKET', requestedQty: '0.01', openQty: '0.01', entryQty: '0.01', avgEntryPrice: '60000' },
    })
    await leg(1, '58000', '0.02', 'PLANNED')
    await leg(2, '56000', '0.04', 'CANCELED')
    const exposure = async () => (await loadRiskState(t.db, { userId, traderId: d.id, timeZone: 'UTC', now, pnlPeak: dec(0) })).state.exposureQuote.toFixed()
    // The placed leg held at the bid, 0.01 x 61000 = 610, and the planned one at its limit, 0.02 x 58000 = 1160.
    expect(await exposure()).toBe('1770')
    await t.db.positionGroup.update({ where: { id: group.id }, data: { status: 'CLOSED' } })
    expect(await exposure()).toBe('610')
  })

  test("a pyramid is one entry of the day: its DCA legs are not counted again, nor is a failed entry; the book counts the same", async () => {
    const owner = (await t.db.user.create({ data: { email: 'pyramid-entries@example.com', passwordHash: 'x', timeZone: 'UTC' } })).id
    const e = await createTrader({ db: t.db, userId: owner, input: { name: 'E', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'BTC/USDT' } })
    const group = await t.db.positionGroup.create({
      data: { traderId: e.id, userId: owner, accountId: e.accountId, symbol: 'BTC/USDT', side: 'LONG', settings: {}, budgetQuote: '5000', plannedNotional: '1810' },
    })
    const pyramid = await t.db.groupPyramid.create({ data: { groupId: group.id, index: 0, entryPrice: '60000', capitalQuote: '5000' } })
    const entry = async (o: { symbol: string; legIndex?: number; status?: 'MONITORING' | 'FAILED' }) => {
      const leg = o.legIndex === undefined ? null : await t.db.groupLeg.create({
        data: { groupId: group.id, pyramidId: pyramid.id, index: o.legIndex, deviationPct: '0', weightPct: '0', price: '60000', qty: '0.01', takeProfitPct: '1', status: 'PLACED' },
      })
      await t.db.position.create({
        data: {
          traderId: e.id, accountId: e.accountId, groupId: leg ? group.id : null, groupLegId: leg?.id ?? null, symbol: o.symbol, side: 'LONG', status: o.status ?? 'MONITORING',
          entryType: 'MARKET', requestedQty: '0.01', openQty: '0.01', entryQty: '0.01', avgEntryPrice: '60000',
        },
      })
    }
    // The pyramid's base leg and two DCA legs: one entry. A plain ETH entry: one more. A failed one: none.
    await entry({ symbol: 'BTC/USDT', legIndex: 0 })
    await entry({ symbol: 'BTC/USDT', legIndex: 1 })
    await entry({ symbol: 'BTC/USDT', legIndex: 2 })
    await entry({ symbol: 'ETH/USDT' })
    await entry({ symbol: 'SOL/USDT', status: 'FAILED' })
    const read = await loadTraderAndUserRiskState(t.db, { userId: owner, traderId: e.id, timeZone: 'UTC', now: Date.now(), trader: { pnlPeak: dec(0) }, user: { pnlPeak: dec(0) } })
    expect([read.trader.state.tradesToday, read.user.state.tradesToday]).toEqual([2, 2])
    expect(Object.keys(read.trader.state.lastEntryAtBySymbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT'])
  })

  test("a trader's losing streak: a win ends it, and a group's legs are one trade, whose older winning leg turns its newer losing one into a win", async () => {
    const owner = (await t.db.user.create({ data: { email: 'streak-legs@example.com', passwordHash: 'x', timeZone: 'UTC' } })).id
    const make = (name: string) => createTrader({ db: t.db, userId: owner, input: { name, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
    const closed = (tr: { id: string; accountId: string }, minutesAgo: number, pnl: string, groupId: string | null = null) =>
      t.db.position.create({
        data: {
          traderId: tr.id, accountId: tr.accountId, groupId, symbol: 'BTC/USDT', side: 'LONG', status: 'CLOSED', entryType: 'MARKET', requestedQty: '0.01',
          realizedPnl: pnl, closedAt: new Date(now - minutesAgo * 60_000), createdAt: new Date(now - (minutesAgo + 1) * 60_000),
        },
      })
    const streak = async (traderId: string) =>
      (await loadTraderAndUserRiskState(t.db, { userId: owner, traderId, timeZone: 'UTC', now, trader: { pnlPeak: dec(0) }, user: { pnlPeak: dec(0) } })).trader.state.consecutiveLosses
    // Newest first: two losses, a win, then losses that no longer count.
    const plain = await make('Plain')
    for (const [ago, pnl] of [[1, '-2'], [2, '-3'], [3, '4'], [4, '-1'], [5, '-1']] as const) await closed(plain, ago, pnl)
    expect(await streak(plain.id)).toBe(2)
    // Newest first: a group's losing leg (-5), a standalone win, the group's older leg (+10). The
    // group is one trade of +5 in its newest leg's place: a win, so no losing streak at all.
    const grouped = await make('Grouped')
    const group = await t.db.positionGroup.create({ data: { traderId: grouped.id, userId: owner, accountId: grouped.accountId, symbol: 'BTC/USDT', side: 'LONG', status: 'CLOSED', settings: {}, budgetQuote: '1000' } })
    await closed(grouped, 1, '-5', group.id)
    await closed(grouped, 2, '1')
    await closed(grouped, 3, '10', group.id)
    expect(await streak(grouped.id)).toBe(0)
  })

  test("an entry's read of its book: the book's equity and closed total are its traders' added up, a long valued at the bid and a short at the ask", async () => {
    const owner = (await t.db.user.create({ data: { email: 'book-sums@example.com', passwordHash: 'x', timeZone: 'UTC' } })).id
    const make = (name: string, usdt: string) => createTrader({ db: t.db, userId: owner, input: { name, quoteCurrency: 'USDT', startingBalance: usdt, watchlist: 'BTC/USDT' } })
    const [a, b, c] = [await make('Long', '1000'), await make('Short', '2000'), await make('Flat', '500')]
    // The same bid and ask as above, with BTC/USDT's rules, which value BTC balances.
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '61000', ask: '61010' })
    const hold = (accountId: string, amount: string) => t.db.accountBalance.create({ data: { accountId, asset: 'BTC', amount } })
    await hold(a.accountId, '0.5')
    await hold(b.accountId, '-0.2')
    await t.db.traderTotals.update({ where: { traderId: a.id }, data: { closedRealizedPnl: '10.5' } })
    await t.db.traderTotals.update({ where: { traderId: b.id }, data: { closedRealizedPnl: '-3.25' } })
    const read = (traderId: string) => loadTraderAndUserRiskState(t.db, { userId: owner, traderId, timeZone: 'UTC', now, trader: { pnlPeak: dec(0) }, user: { pnlPeak: dec(0) } })
    const fromA = await read(a.id)
    // 1000 + 0.5 x 61000
    expect(fromA.trader.state.equity.toFixed()).toBe('31500')
    expect(fromA.trader.pnlNow.toFixed()).toBe('10.5')
    // 1000 + 0.5 x 61000 + 2000 - 0.2 x 61010 + 500 (netting the BTC first would value 0.3 at the bid: 21800)
    expect(fromA.user.state.equity.toFixed()).toBe('21798')
    expect(fromA.user.pnlNow.toFixed()).toBe('7.25')
    const fromC = await read(c.id)
    expect(fromC.trader.state.equity.toFixed()).toBe('500')
    expect(fromC.trader.pnlNow.toFixed()).toBe('0')
    expect([fromC.user.state.equity.toFixed(), fromC.user.pnlNow.toFixed()]).toEqual(['21798', '7.25'])
  })
})
