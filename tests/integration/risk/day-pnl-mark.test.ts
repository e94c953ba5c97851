import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sqlOf } from '@/lib/db/client'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { loadRiskState } from '@/lib/server/risk/load-risk-state'
import { tripBreakers } from '@/lib/server/risk/trip-breakers'
import { createTrader } from '@/lib/server/traders/create-trader'
import { RISK_LIMITS_OFF, useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

const DAY = 86_400_000

// A position held overnight: yesterday's loss was yesterday's. Today's loss limits count it from
// its PnL when the day began (its day mark), so a trader paused by yesterday's loss can be
// resumed, and is paused again only by what it loses today.
describe('a position held into a new trading day counts toward its loss limits from the day start', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  const actor = { kind: 'USER' as const, id: '' }
  const price = (symbol: string, p: string) => seedMarket(t.db, { symbol, bid: p, ask: p, depth: '1000' })
  const dailyPnl = async () =>
    (await loadRiskState(sqlOf(t.db), { userId, traderId, timeZone: 'UTC', now: Date.now(), pnlPeak: dec(0) })).state.dailyPnl
  const fees = async (id: string) => dec((await t.db.position.findUniqueOrThrow({ where: { id } })).fees.toString())
  const open = async (symbol: string, size: string, stopLoss: string) =>
    (await openPosition({ db: t.db, userId, actor, input: { traderId, symbol, side: 'LONG', sizeMode: 'BASE', size, entryType: 'MARKET', stopLoss } })).positionId
  const expectPnl = async (expected: Decimal) => expect((await dailyPnl()).toFixed()).toBe(expected.toFixed())

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'overnight@example.com', passwordHash: 'x' } })).id
    actor.id = userId
    traderId = (await createTrader({ db: t.db, userId, input: { name: 'Overnight', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['SOL/USDT', 'BTC/USDT'], autoTrade: false } })).id
    await useManualTraderSettings(t.db, traderId)
    await price('SOL/USDT', '100')
    await price('BTC/USDT', '60000')
  })
  afterAll(() => t.drop())

  test("the first risk pass of the day marks it; only today's moves, fills and fees count after that", async () => {
    const id = await open('SOL/USDT', '10', '80')
    const entryFee = await fees(id)
    // Opened two days ago, and 5 % down since: 50 USDT, plus the entry's fee.
    await t.db.position.update({ where: { id }, data: { createdAt: new Date(Date.now() - 2 * DAY) } })
    await price('SOL/USDT', '95')
    // Before any pass today, it counts from its entry: the cautious reading.
    await expectPnl(dec(-50).minus(entryFee))

    await t.db.trader.update({ where: { id: traderId }, data: { riskLimits: { ...RISK_LIMITS_OFF, dailyLossLimitQuote: '40' } } })
    expect(await tripBreakers(t.db, userId)).toEqual([])
    const marked = await t.db.position.findUniqueOrThrow({ where: { id } })
    expect(marked.dayPnlMark?.toString()).toBe(dec(-50).minus(entryFee).toFixed())
    expect(marked.dayPnlMarkAt?.getTime()).toBe(tradingDayStart(Date.now(), 'UTC'))
    await expectPnl(dec(0))

    // 95 → 93 today: 20 lost today.
    await price('SOL/USDT', '93')
    await expectPnl(dec(-20))
    // Half sold at 93: today's PnL changes by its fee only (what it realized was already counted).
    const before = await fees(id)
    await closePosition({ db: t.db, userId, actor, positionId: id, input: { sharePct: '50' } })
    const exitFee = (await fees(id)).minus(before)
    expect(exitFee.gt(0)).toBe(true)
    await expectPnl(dec(-20).minus(exitFee))
    // 93 → 91 on the 5 left: 10 more. Still within the 40 limit.
    await price('SOL/USDT', '91')
    await expectPnl(dec(-30).minus(exitFee))
    expect(await tripBreakers(t.db, userId)).toEqual([])
    // 91 → 88: 15 more, 45 in all today: the breaker pauses the trader.
    await price('SOL/USDT', '88')
    expect((await tripBreakers(t.db, userId)).map((x) => x.trip.limit)).toEqual(['dailyLossLimitQuote'])
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })).status).toBe('PAUSED')

    // Closed today: its PnL counts from the mark, with every fee paid today.
    const beforeClose = await fees(id)
    await closePosition({ db: t.db, userId, actor, positionId: id, input: {} })
    const closeFee = (await fees(id)).minus(beforeClose)
    expect((await t.db.position.findUniqueOrThrow({ where: { id } })).status).toBe('CLOSED')
    await expectPnl(dec(-45).minus(exitFee).minus(closeFee))
  })

  test('a position opened today is not marked: it counts from its entry', async () => {
    await t.db.trader.update({ where: { id: traderId }, data: { status: 'ACTIVE', riskLimits: RISK_LIMITS_OFF } })
    const earlier = await dailyPnl()
    const id = await open('BTC/USDT', '0.1', '50000')
    const entryFee = await fees(id)
    await price('BTC/USDT', '59000')
    expect(await tripBreakers(t.db, userId)).toEqual([])
    expect((await t.db.position.findUniqueOrThrow({ where: { id } })).dayPnlMarkAt).toBeNull()
    await expectPnl(earlier.minus(100).minus(entryFee))
  })
})
