import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import type { AppError } from '@/lib/server/errors/app-error'
import { openPosition } from '@/lib/server/positions/open-position'
import { tripBreakers } from '@/lib/server/risk/trip-breakers'
import { createTrader } from '@/lib/server/traders/create-trader'
import { RISK_LIMITS_OFF, useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * User-wide limits are judged per book: the user's traders whose accounts share a mode (paper,
 * testnet, live) and a quote currency. Before, they added up every trader: a paper position
 * counted against a testnet one, and 10,000 paper USDT diluted a testnet account's daily loss
 * (8 % of its 500 USDT was 0.4 % of the sum) so that its breaker never tripped.
 */
describe('user-wide limits per book (real PostgreSQL)', () => {
  let t: TestDatabase
  let n = 0
  const isRefusal = (e: unknown): e is AppError => e instanceof Error && 'fieldErrors' in e

  beforeAll(async () => {
    t = await createTestDatabase()
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60000' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000' })
    await seedMarket(t.db, { symbol: 'ETH/EUR', bid: '2800', ask: '2800' })
  })
  afterAll(() => t?.drop())

  async function user() {
    const userId = (await t.db.user.create({ data: { email: `books-${++n}@example.com`, passwordHash: 'x' } })).id
    const paper = async (name: string, quoteCurrency: string, watchlist: string[]) => {
      const tr = await createTrader({ db: t.db, userId, input: { name, quoteCurrency, startingBalance: '10000', watchlist, autoTrade: false } })
      await useManualTraderSettings(t.db, tr.id)
      return tr.id
    }
    // A testnet account holding 460 USDT, its balances read (its equity is known).
    const account = await t.db.exchangeAccount.create({
      data: {
        userId, name: `Testnet ${n}`, kind: 'CCXT', venue: 'binance', mode: 'TESTNET', apiKeyEnc: sealSecret('k'.repeat(20)), secretEnc: sealSecret('s'.repeat(20)),
        quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001', reconciledAt: new Date(), balances: { create: { asset: 'USDT', amount: '460' } },
      },
    })
    const testnet = (await t.db.trader.create({ data: { userId, accountId: account.id, name: 'Testnet trader', quoteCurrency: 'USDT', watchlist: ['BTC/USDT'] } })).id
    await t.db.trader.update({ where: { id: testnet }, data: { riskLimits: RISK_LIMITS_OFF } })
    // (after the traders: useManualTraderSettings turns the user's limits off)
    const limit = (limits: Record<string, string | number>) => t.db.user.update({ where: { id: userId }, data: { riskLimits: { ...RISK_LIMITS_OFF, ...limits } } })
    return { userId, paper, testnet, testnetAccount: account.id, limit }
  }
  const open = (userId: string, traderId: string, symbol: string, price: number) =>
    openPosition({ db: t.db, userId, actor: { kind: 'USER', id: userId }, input: { traderId, symbol, side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: String(price * 0.99) } })

  const status = async ({ positionId }: { positionId: string }) => (await t.db.position.findUniqueOrThrow({ where: { id: positionId }, select: { status: true } })).status

  test('open positions are counted per book: a testnet position and a paper USDT one leave a paper EUR trader its own', async () => {
    const u = await user()
    const usdt = await u.paper('Paper USDT', 'USDT', ['BTC/USDT', 'ETH/USDT'])
    const eur = await u.paper('Paper EUR', 'EUR', ['ETH/EUR'])
    await u.limit({ maxConcurrentPositions: 1 })
    // The testnet trader holds one position.
    await t.db.position.create({
      data: { traderId: u.testnet, accountId: u.testnetAccount, symbol: 'BTC/USDT', side: 'LONG', status: 'MONITORING', entryType: 'MARKET', requestedQty: '0.001', openQty: '0.001', entryQty: '0.001', avgEntryPrice: '60000', stopLoss: '59000' },
    })
    // Paper USDT is its own book: its first position is allowed (was refused: the testnet one counted)...
    expect(await status(await open(u.userId, usdt, 'BTC/USDT', 60000))).toBe('MONITORING')
    // ...and the limit holds within it.
    const refused = await open(u.userId, usdt, 'ETH/USDT', 3000).catch((e: unknown) => e)
    expect(isRefusal(refused) && refused.fieldErrors?.map((f) => f.field)).toEqual(['risk.maxConcurrentPositions'])
    // (one open: the testnet position is not counted)
    expect(isRefusal(refused) && refused.fieldErrors?.[0]?.message).toBe('user-wide max open positions (paper USDT): 1 positions are already open and at most 1 may be')
    // Paper EUR is another book.
    expect(await status(await open(u.userId, eur, 'ETH/EUR', 2800))).toBe('MONITORING')
  })

  test("a testnet book's daily loss trips its breaker however much paper money the user has, and pauses only its traders", async () => {
    const u = await user()
    const usdt = await u.paper('Paper USDT', 'USDT', ['BTC/USDT'])
    await u.limit({ dailyLossLimitPct: '5' })
    // Lost 40 USDT on testnet today: 8.7 % of the 460 left there, 0.38 % of everything with the 10,000 paper USDT.
    const now = new Date()
    await t.db.position.create({
      data: {
        traderId: u.testnet, accountId: u.testnetAccount, symbol: 'BTC/USDT', side: 'LONG', status: 'CLOSED', entryType: 'MARKET', requestedQty: '0.004', openQty: '0', entryQty: '0.004',
        exitQty: '0.004', avgEntryPrice: '60000', avgExitPrice: '50000', realizedPnl: '-40', stopLoss: '50000', openedAt: now, closedAt: now,
      },
    })
    const trips = await tripBreakers(t.db, u.userId)
    expect(trips).toEqual([{ traderId: null, trip: expect.objectContaining({ action: 'PAUSE', limit: 'dailyLossLimitPct' }) }])
    const status = async (id: string) => (await t.db.trader.findUniqueOrThrow({ where: { id }, select: { status: true } })).status
    expect([await status(u.testnet), await status(usdt)]).toEqual(['PAUSED', 'ACTIVE'])
    const said = await t.db.activityEvent.findFirstOrThrow({ where: { userId: u.userId, type: 'BREAKER_TRIPPED' }, select: { message: true } })
    expect(said.message).toMatch(/^all testnet USDT traders: user-wide daily loss limit \(testnet USDT\): /)
    // The next pass finds nothing more to stop.
    expect(await tripBreakers(t.db, u.userId)).toEqual([])
  })
})
