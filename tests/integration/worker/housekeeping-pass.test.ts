import { afterAll, beforeAll, expect, test } from 'vitest'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { housekeepingPass } from '@/workers/housekeeping-pass'
import { RISK_LIMITS_OFF, useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

async function userWithTrader(id: string) {
  const userId = (await t.db.user.create({ data: { id, email: `${id}@example.com`, passwordHash: 'x' } })).id
  const traderId = (await createTrader({ db: t.db, userId, input: { name: `Trader of ${id}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['XRP/USDT'], autoTrade: false } })).id
  await useManualTraderSettings(t.db, traderId)
  return { userId, traderId }
}

test("one user's breakers that cannot be checked leave the others' checked: the next user's losing trader is paused; the failure is logged, and told to that user once", async () => {
  await seedMarket(t.db, { symbol: 'XRP/USDT', bid: '2', ask: '2' })
  // Checked first (the pass goes by user id): a time zone this runtime does not know, as after an
  // upgrade whose time zone data dropped a name. Its check throws before it reads any position.
  const broken = await userWithTrader('a-broken-zone')
  await t.db.user.update({ where: { id: broken.userId }, data: { timeZone: 'Atlantis/Lost_City' } })
  // Checked after it: a trader 50 USDT down on the day with a daily loss limit of 40.
  const losing = await userWithTrader('b-losing')
  await openPosition({
    db: t.db, userId: losing.userId, actor: { kind: 'USER', id: losing.userId },
    input: { traderId: losing.traderId, symbol: 'XRP/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '1000', entryType: 'MARKET', stopLoss: '1.5' },
  })
  await seedMarket(t.db, { symbol: 'XRP/USDT', bid: '1.9', ask: '1.9' })
  await t.db.trader.update({ where: { id: losing.traderId }, data: { riskLimits: { ...RISK_LIMITS_OFF, dailyLossLimitQuote: '40' } } })

  const lines: string[] = []
  const pass = housekeepingPass(t.db, (m) => lines.push(m), { intervalMs: 60_000 })
  await pass.runOnce()

  expect(await t.db.trader.findUniqueOrThrow({ where: { id: losing.traderId } })).toMatchObject({ status: 'PAUSED', statusCause: 'BREAKER' })
  expect(await t.db.trader.findUniqueOrThrow({ where: { id: broken.traderId } })).toMatchObject({ status: 'ACTIVE' })
  expect(lines).toEqual([
    expect.stringMatching(/^housekeeping: checking the loss breakers of user a-broken-zone failed: the time zone "Atlantis\/Lost_City" is not one this server knows.*\(not said again until they are checked\)$/),
    expect.stringMatching(/^breaker: daily loss .* has reached the limit of 40 USDT/),
  ])

  // The user whose breakers are not checked is told in their feed, as an error (which their
  // channels hear of), once however many passes fail; and told again once a check passes. The
  // worker's log says each once too.
  const feed = () => t.db.activityEvent.findMany({ where: { userId: broken.userId }, orderBy: { id: 'asc' }, select: { type: true, severity: true, message: true } })
  await pass.runOnce()
  expect(await feed()).toEqual([
    {
      type: 'BREAKER_CHECK_FAILED',
      severity: 'error',
      message: expect.stringMatching(/^Your loss breakers \(daily loss, drawdown, losing streak\) could not be checked: the time zone "Atlantis\/Lost_City" is not one this server knows.*Until they can, a trader that reaches one of those limits is not stopped\.$/),
    },
  ])
  await t.db.user.update({ where: { id: broken.userId }, data: { timeZone: 'UTC' } })
  await pass.runOnce()
  await pass.runOnce()
  expect((await feed()).map((e) => [e.type, e.severity])).toEqual([['BREAKER_CHECK_FAILED', 'error'], ['BREAKER_CHECK_RESTORED', 'info']])
  expect(lines.filter((l) => l.includes('a-broken-zone'))).toEqual([
    expect.stringMatching(/^housekeeping: checking the loss breakers of user a-broken-zone failed: /),
    'housekeeping: the loss breakers of user a-broken-zone are checked again',
  ])
  expect(await t.db.activityEvent.count({ where: { userId: losing.userId, type: { startsWith: 'BREAKER_CHECK' } } })).toBe(0)
})
