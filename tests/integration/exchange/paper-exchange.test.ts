import { afterAll, beforeAll, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { PlaceOrderRequest } from '@/lib/exchange/port'
import { createTrader } from '@/lib/server/traders/create-trader'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

let t: TestDatabase
let accountId: string
beforeAll(async () => {
  t = await createTestDatabase()
  const userId = (await t.db.user.create({ data: { email: 'paper-exchange@example.com', passwordHash: 'x' } })).id
  accountId = (await createTrader({ db: t.db, userId, input: { name: 'Paper', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })).accountId
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
})
afterAll(() => t.drop())

test('placing a client order id twice is a no-op: the same report, booked once, even when the repeat would be refused', async () => {
  const ex = new PaperExchange(t.db, accountId, { staleAfterMs: 600_000 })
  const req: PlaceOrderRequest = { clientOrderId: 'tl-e-dup-1', symbol: 'BTC/USDT', side: 'BUY', type: 'MARKET', qty: dec('0.01'), reduceOnly: false }
  const first = await ex.placeOrder(req)
  expect(first.status).toBe('FILLED')
  expect(first.fills.length).toBeGreaterThan(0)
  expect(await ex.placeOrder(req)).toEqual(first)
  // Far beyond the balance: refused if it were new, but the id was placed already.
  expect(await ex.placeOrder({ ...req, qty: dec('1000') })).toEqual(first)
  expect(await t.db.paperOrder.count({ where: { accountId } })).toBe(1)
  expect(await t.db.paperFill.count({ where: { paperOrder: { accountId } } })).toBe(first.fills.length)
  const btc = await t.db.accountBalance.findUniqueOrThrow({ where: { accountId_asset: { accountId, asset: 'BTC' } } })
  expect(btc.amount.toString()).toBe('0.01')

  // A refused order is recorded too, and its repeat answers the same refusal.
  const big = { ...req, clientOrderId: 'tl-e-dup-2', qty: dec('1000') }
  const refused = await ex.placeOrder(big)
  expect(refused.status).toBe('REJECTED')
  expect(refused.rejectReason).toContain('insufficient balance')
  expect(await ex.placeOrder({ ...big, qty: dec('0.01') })).toEqual(refused)
  expect(await t.db.paperOrder.count({ where: { accountId } })).toBe(2)
})
