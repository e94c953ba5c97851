import { afterAll, beforeAll, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { loadTraderAndUserRiskState } from '@/lib/server/risk/load-risk-state'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// A book's losing streak looks at its latest 50 closes. They are read from the traders that closed
// last (TraderTotals.lastClosedAt), not from every trader's history: here more traders than that
// have closed since the one whose closes are the latest, and older losses of others lie behind.
let t: TestDatabase
let userId: string

beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 'book-streak@example.com', passwordHash: 'x' } })).id
})
afterAll(() => t.drop())

const trader = async (name: string, owner = userId) => {
  const { id } = await createTrader({ db: t.db, userId: owner, input: { name, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT', autoTrade: false } })
  await useManualTraderSettings(t.db, id)
  return id
}

/** One round trip in BTC/USDT, bought at 60000 and sold at `exit`. */
async function trade(traderId: string, exit: string, owner = userId) {
  const actor = { kind: 'USER' as const, id: owner }
  await seedMarket(t.db, { bid: '60000', ask: '60000' })
  const { positionId } = await openPosition({ db: t.db, userId: owner, actor, input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '50000' } })
  await seedMarket(t.db, { bid: exit, ask: exit })
  await closePosition({ db: t.db, userId: owner, actor, positionId, input: {} })
}

test("a book's streak: the latest closes of its traders that closed last, however many traders closed before", async () => {
  const early = await trader('Early loser')
  await trade(early, '59000')
  await trade(early, '59000')
  const winners = []
  for (let i = 0; i < 52; i++) winners.push(await trader(`Winner ${i}`))
  for (const id of winners) await trade(id, '61000')
  const late = await trader('Late loser')
  await trade(late, '59000')
  await trade(late, '59000')
  await trade(late, '59000')

  const read = (traderId: string) => loadTraderAndUserRiskState(t.db, { userId, traderId, timeZone: 'UTC', now: Date.now(), trader: { pnlPeak: dec(0) }, user: { pnlPeak: dec(0) } })
  // The book's latest: the late trader's three losses, then 47 of the 52 wins.
  expect((await read(winners[0]!)).user.state.consecutiveLosses).toBe(3)
  expect((await read(early)).user.state.consecutiveLosses).toBe(3)
  // A trader's own streak is its own closes.
  expect((await read(early)).trader.state.consecutiveLosses).toBe(2)
  expect((await read(winners[0]!)).trader.state.consecutiveLosses).toBe(0)

  // One more win anywhere ends the book's streak.
  await trade(winners[0]!, '61000')
  expect((await read(late)).user.state.consecutiveLosses).toBe(0)
  expect((await read(late)).trader.state.consecutiveLosses).toBe(3)
})

test("a book of a few traders: its streak reads each one's latest closes, several per trader", async () => {
  const owner = (await t.db.user.create({ data: { email: 'few-traders@example.com', passwordHash: 'x' } })).id
  const a = await trader('Few A', owner)
  const b = await trader('Few B', owner)
  await trade(a, '61000', owner)
  await trade(a, '59000', owner)
  await trade(b, '59000', owner)
  await trade(a, '59000', owner)
  await trade(a, '59000', owner)
  const read = (traderId: string) => loadTraderAndUserRiskState(t.db, { userId: owner, traderId, timeZone: 'UTC', now: Date.now(), trader: { pnlPeak: dec(0) }, user: { pnlPeak: dec(0) } })
  expect((await read(b)).user.state.consecutiveLosses).toBe(4)
  expect((await read(a)).trader.state.consecutiveLosses).toBe(3)
  expect((await read(b)).trader.state.consecutiveLosses).toBe(1)
})
