import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { tripBreakers } from '@/lib/server/risk/trip-breakers'
import { createTrader } from '@/lib/server/traders/create-trader'
import { setTraderStatus } from '@/lib/server/trading/halt-trading'
import { resumeTrading } from '@/lib/server/trading/resume-trading'
import { resumeTrader } from '@/lib/server/traders/pause-trader'
import type { AppError } from '@/lib/server/errors/app-error'
import { RISK_LIMITS_OFF, useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT']
const PRICES: Record<string, [string, string]> = { 'BTC/USDT': ['60000', '60000'], 'ETH/USDT': ['3000', '3000'], 'SOL/USDT': ['150', '150'], 'XRP/USDT': ['2', '2'] }

/**
 * A trader hitting each limit in turn through the one entry path every source uses. Each
 * refusal names the limit, the current and the allowed value, and is logged; closing is
 * always allowed; a breaker pauses the trader until a person resumes it.
 */
describe('risk limits: each limit in turn, then the breakers', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  const user = { kind: 'USER' as const, id: '' }
  const open = (symbol: string, size: string, o: { side?: 'LONG' | 'SHORT'; stopPct?: number } = {}) => {
    const price = Number(PRICES[symbol]![1])
    const side = o.side ?? 'LONG'
    const stop = side === 'LONG' ? price * (1 - (o.stopPct ?? 0.5) / 100) : price * (1 + (o.stopPct ?? 0.5) / 100)
    return openPosition({ db: t.db, userId, actor: user, input: { traderId, symbol, side, sizeMode: 'QUOTE', size, entryType: 'MARKET', stopLoss: stop.toFixed(4) } })
  }
  const refusal = async (p: Promise<unknown>) => {
    const e = (await p.then(() => null, (err: unknown) => err)) as AppError | null
    expect(e, 'the order should have been refused').not.toBeNull()
    return e!
  }
  const limits = (l: Record<string, string | number>) => t.db.trader.update({ where: { id: traderId }, data: { riskLimits: { ...RISK_LIMITS_OFF, ...l } } })
  const closeAll = async () => {
    for (const p of await t.db.position.findMany({ where: { traderId, status: { in: ['OPEN', 'MONITORING'] } } })) {
      await closePosition({ db: t.db, userId, actor: user, positionId: p.id, input: {} })
    }
  }

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'risk@example.com', passwordHash: 'x' } })).id
    user.id = userId
    traderId = (await createTrader({ db: t.db, userId, input: { name: 'Careful', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: SYMBOLS, autoTrade: false } })).id
    await useManualTraderSettings(t.db, traderId) // all off; each test turns on the limit it is about
    for (const s of SYMBOLS) await seedMarket(t.db, { symbol: s, bid: PRICES[s]![0], ask: PRICES[s]![1] })
  })
  afterAll(() => t.drop())
  // The prices each test left stand, but are refreshed: on a busy machine the whole file can
  // outlast MARKET_STALE_AFTER_MS, and a stale quote would refuse entries for the wrong reason.
  beforeEach(async () => {
    const now = new Date()
    await t.db.marketQuote.updateMany({ data: { receivedAt: now, exchangeTs: now } })
  })

  test.each([
    ['min order size', { minOrderQuote: '50' }, '20', 'risk.minOrderQuote', /min order size.*50/],
    ['max order size', { maxOrderQuote: '2000' }, '2500', 'risk.maxOrderQuote', /max order size.*2000/],
    ['max position size (quote)', { maxPositionQuote: '1000' }, '1200', 'risk.maxPositionQuote', /1200.*1000/],
    ['max position size (% of equity)', { maxPositionPctEquity: '10' }, '1500', 'risk.maxPositionPctEquity', /10%/],
    ['max exposure (% of equity)', { maxExposurePctEquity: '5' }, '600', 'risk.maxExposurePctEquity', /exposure/],
  ])('%s: refused with the limit, current and allowed value, and logged', async (_label, l, size, field, message) => {
    await limits(l)
    const e = await refusal(open('BTC/USDT', size))
    expect(e.status).toBe(422)
    expect(e.fieldErrors?.map((f) => f.field)).toContain(field)
    expect(e.fieldErrors?.find((f) => f.field === field)?.message).toMatch(message)
    const logged = await t.db.riskEvent.findFirst({ where: { traderId, limit: field.replace('risk.', '') }, orderBy: { createdAt: 'desc' } })
    expect(logged).toMatchObject({ source: 'UI' })
    expect(logged!.currentValue).not.toBe('')
    expect(logged!.allowedValue).not.toBe('')
    expect(await t.db.position.count({ where: { traderId } })).toBe(0) // nothing partially written
  })

  test('max risk per trade: a wide stop makes the same size too risky', async () => {
    await limits({ maxRiskPerTradePct: '1' })
    await expect(open('BTC/USDT', '1000', { stopPct: 5 })).resolves.toMatchObject({ positionId: expect.any(String) }) // loses ~51 USDT at the stop
    const e = await refusal(open('ETH/USDT', '1000', { stopPct: 15 })) // ~152 USDT > 1% of equity
    expect(e.fieldErrors?.map((f) => f.field)).toEqual(['risk.maxRiskPerTradePct'])
    await closeAll()
  })

  test('max concurrent positions, then cooldown and duplicate window on the same symbol', async () => {
    await limits({ maxConcurrentPositions: 2 })
    await open('ETH/USDT', '100')
    await open('SOL/USDT', '100')
    expect((await refusal(open('XRP/USDT', '100'))).fieldErrors?.map((f) => f.field)).toEqual(['risk.maxConcurrentPositions'])
    await closeAll()

    await limits({ cooldownMinutes: 15 })
    expect((await refusal(open('ETH/USDT', '100'))).fieldErrors?.map((f) => f.field)).toEqual(['risk.cooldownMinutes'])
    await limits({ duplicateWindowSeconds: 60 })
    expect((await refusal(open('SOL/USDT', '100'))).fieldErrors?.map((f) => f.field)).toEqual(['risk.duplicateWindowSeconds'])
    await expect(open('SOL/USDT', '100', { side: 'SHORT' })).resolves.toMatchObject({ positionId: expect.any(String) }) // the other side is not a duplicate
    await closeAll()
  })

  test('max trades per day counts every entry of the day', async () => {
    const today = await t.db.position.count({ where: { traderId, status: { not: 'FAILED' } } })
    await limits({ maxTradesPerDay: today })
    const e = await refusal(open('XRP/USDT', '100'))
    expect(e.fieldErrors?.map((f) => f.field)).toEqual(['risk.maxTradesPerDay'])
    expect(e.fieldErrors?.[0]?.message).toMatch(new RegExp(String(today)))
  })

  test('daily loss limit: after a loss only risk-reducing orders pass, and the breaker pauses the trader', async () => {
    await limits({})
    await open('XRP/USDT', '1000')
    await seedMarket(t.db, { symbol: 'XRP/USDT', bid: '1.9', ask: '1.9' }) // -5%
    await limits({ dailyLossLimitQuote: '40' })
    // Risk-reducing: the losing position can still be closed.
    await closeAll()
    const e = await refusal(open('BTC/USDT', '100'))
    expect(e.fieldErrors?.map((f) => f.field)).toEqual(['risk.dailyLossLimitQuote'])

    const trips = await tripBreakers(t.db, userId)
    expect(trips.map((x) => x.trip.limit)).toEqual(['dailyLossLimitQuote'])
    const trader = await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })
    expect(trader.status).toBe('PAUSED')
    expect(trader.statusReason).toMatch(/daily loss/)
    expect(await t.db.riskEvent.count({ where: { traderId, tripped: true } })).toBe(1)
    expect(await t.db.activityEvent.count({ where: { userId, type: 'BREAKER_TRIPPED' } })).toBe(1)
    const paused = await refusal(open('BTC/USDT', '100'))
    expect(paused.status).toBe(409)
    expect(paused.message).toMatch(/paused/)
    // Tripping again changes nothing: it stays paused, once.
    expect(await tripBreakers(t.db, userId)).toEqual([])
    // Resuming while the loss stands would only see it paused again: refused, saying what lifts it.
    const resume = await refusal(resumeTrader({ db: t.db, userId, traderId, actor: user }))
    expect(resume.status).toBe(409)
    expect(resume.message).toMatch(
      /^trader "Careful" would be stopped again at once: daily loss .* has reached the limit of 40 USDT\. Raise or turn off that limit in the trader's risk settings, or resume it on the next trading day, then resume it$/,
    )
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })).status).toBe('PAUSED')
  })

  test('a person resumes: the losing streak starts afresh, N more losses trip the breaker again, and resuming is not refused for the losses behind it; drawdown halts', async () => {
    await t.db.$transaction((tx) => setTraderStatus(tx, { traderId, status: 'ACTIVE', reason: 'reviewed', actor: user }))
    // Every trade so far lost at least its fees (five in a row), all before the resume: with a
    // limit of two, one more loss is one in a row, the next two.
    await limits({ maxConsecutiveLosses: 2 })
    const losingTrade = async () => {
      await seedMarket(t.db, { symbol: 'XRP/USDT', bid: '2', ask: '2' })
      await open('XRP/USDT', '500')
      await seedMarket(t.db, { symbol: 'XRP/USDT', bid: '1.98', ask: '1.98' })
      await closeAll()
    }
    await losingTrade()
    expect(await tripBreakers(t.db, userId)).toEqual([])
    await losingTrade()
    const trips = await tripBreakers(t.db, userId)
    expect(trips.map((x) => [x.trip.action, x.trip.limit])).toEqual([['PAUSE', 'maxConsecutiveLosses']])
    expect((await refusal(open('BTC/USDT', '100'))).status).toBe(409)
    // Resumed by a person, with the limit unchanged: not refused, and not stopped again by the
    // losses behind it (before, the streak counted all history: 409 until the limit was raised).
    expect(await resumeTrader({ db: t.db, userId, traderId, actor: user })).toMatchObject({ status: 'ACTIVE' })
    expect(await tripBreakers(t.db, userId)).toEqual([])

    await t.db.$transaction((tx) => setTraderStatus(tx, { traderId, status: 'ACTIVE', reason: 'reviewed', actor: user }))
    await limits({ maxDrawdownPct: '0.5' })
    const halted = await tripBreakers(t.db, userId)
    expect(halted.map((x) => [x.trip.action, x.trip.limit])).toEqual([['HALT', 'maxDrawdownPct']])
    expect(await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })).toMatchObject({ status: 'HALTED', statusCause: 'BREAKER' })

    // Re-enabling "everything" after a panic does not lift a breaker's halt: that is a decision
    // about this trader, made by naming it, once the limit no longer stops it.
    const all = await resumeTrading({ db: t.db, userId, actor: user, input: { confirm: true } })
    expect(all.traders.find((x) => x.id === traderId)).toMatchObject({ status: 'HALTED', statusCause: 'BREAKER', statusReason: expect.stringMatching(/drawdown/) })
    expect((await refusal(open('BTC/USDT', '100'))).message).toMatch(/is halted/)
    const standing = await refusal(resumeTrading({ db: t.db, userId, actor: user, input: { confirm: true, traderId } }))
    expect(standing.status).toBe(409)
    expect(standing.message).toMatch(/^trader "Careful" would be stopped again at once: max drawdown: drawdown \d+\.\d+% has reached the limit of 0\.5%\. Raise or turn off that limit in the trader's risk settings, then resume it$/)
    await limits({ maxDrawdownPct: '50' })
    const named = await resumeTrading({ db: t.db, userId, actor: user, input: { confirm: true, traderId } })
    expect(named.traders.find((x) => x.id === traderId)).toMatchObject({ status: 'ACTIVE', statusCause: null, statusReason: null })
  })

  test('user-wide limits apply across traders', async () => {
    const other = (await createTrader({ db: t.db, userId, input: { name: 'Second', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['ETH/USDT'], autoTrade: false } })).id
    await useManualTraderSettings(t.db, other)
    await t.db.user.update({ where: { id: userId }, data: { riskLimits: { ...RISK_LIMITS_OFF, maxConcurrentPositions: 1 } } })
    await openPosition({ db: t.db, userId, actor: user, input: { traderId: other, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: '2900' } })
    await t.db.$transaction((tx) => setTraderStatus(tx, { traderId, status: 'ACTIVE', reason: 'reviewed', actor: user }))
    await limits({})
    const e = await refusal(open('BTC/USDT', '100'))
    expect(e.fieldErrors?.map((f) => f.field)).toEqual(['risk.maxConcurrentPositions'])
    expect(e.fieldErrors?.[0]?.message).toBe('user-wide max open positions (paper USDT): 1 positions are already open and at most 1 may be')
    // A trader's limit and the user-wide one of the same name refusing together: the summary tells them apart.
    await t.db.user.update({ where: { id: userId }, data: { riskLimits: { ...RISK_LIMITS_OFF, maxExposureQuote: '50' } } })
    await limits({ maxExposureQuote: '50' })
    const both = await refusal(open('BTC/USDT', '100'))
    expect(both.message).toBe('2 risk limits refuse this order: max total exposure, user-wide max total exposure (paper USDT)')
    await limits({})

    // A user-wide loss limit that stands refuses a trader's resume too, pointing at Settings.
    await t.db.user.update({ where: { id: userId }, data: { riskLimits: { ...RISK_LIMITS_OFF, dailyLossLimitQuote: '1' } } })
    await t.db.$transaction((tx) => setTraderStatus(tx, { traderId, status: 'PAUSED', cause: 'PERSON', reason: 'lunch', actor: user }))
    const resume = await refusal(resumeTrader({ db: t.db, userId, traderId, actor: user }))
    expect(resume.message).toMatch(/^trader "Careful" would be stopped again at once: user-wide daily loss limit \(paper USDT\): .*\. Raise or turn off that limit in the user-wide risk settings \(Settings\), or resume it on the next trading day, then resume it$/)
    await t.db.user.update({ where: { id: userId }, data: { riskLimits: RISK_LIMITS_OFF } })
    expect((await resumeTrader({ db: t.db, userId, traderId, actor: user })).status).toBe('ACTIVE')
  })
})
