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

test('margin: holdings count at the bid and resting orders reserve what they would add; an order beyond the rest is refused with the figures', async () => {
  const userId = (await t.db.user.create({ data: { email: 'paper-margin@example.com', passwordHash: 'x' } })).id
  const acct = (await createTrader({ db: t.db, userId, input: { name: 'Margin', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })).accountId
  const ex = new PaperExchange(t.db, acct, { staleAfterMs: 600_000 })
  const order = (id: string, o: Partial<PlaceOrderRequest>): PlaceOrderRequest => ({ clientOrderId: id, symbol: 'BTC/USDT', side: 'BUY', type: 'MARKET', qty: dec('0.1'), reduceOnly: false, ...o })
  // 0.1 at the ask 60010, fee 0.1%: cash 10000 - 6001 - 6.001 = 3992.999; held 0.1 at the bid 60000 = 6000.
  expect((await ex.placeOrder(order('m-1', {}))).status).toBe('FILLED')
  // Rests below the market and reserves 0.05 x 50000 = 2500 (needs 2500 + fee 2.5 of 3992.999).
  expect((await ex.placeOrder(order('m-2', { type: 'LIMIT', qty: dec('0.05'), price: dec('50000') }))).status).toBe('SUBMITTED')
  // Free: 3992.999 - 2500 = 1492.999. 0.025 at 60010 needs 1500.25 + 1.50025 = 1501.75025.
  const refused = await ex.placeOrder(order('m-3', { qty: dec('0.025') }))
  expect(refused.status).toBe('REJECTED')
  expect(refused.rejectReason).toContain('needs 1501.75 USDT of free equity, 1493.00 USDT is available')
  // 0.024 needs 1440.24 + 1.44024 = 1441.68024: it fits.
  expect((await ex.placeOrder(order('m-4', { qty: dec('0.024') }))).status).toBe('FILLED')
  // A reduce-only sell is never refused for margin, only for exceeding the holding (0.124).
  expect((await ex.placeOrder(order('m-5', { side: 'SELL', qty: dec('0.2'), reduceOnly: true }))).rejectReason).toContain('exceeds the position (0.124 BTC held)')
  expect((await ex.placeOrder(order('m-6', { side: 'SELL', qty: dec('0.124'), reduceOnly: true }))).status).toBe('FILLED')
})

test('a limit order that crosses the market fills at once at the market as a taker, as far as the book goes; the rest rests', async () => {
  const userId = (await t.db.user.create({ data: { email: 'paper-crossing@example.com', passwordHash: 'x' } })).id
  const acct = (await createTrader({ db: t.db, userId, input: { name: 'Crossing', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })).accountId
  const ex = new PaperExchange(t.db, acct, { staleAfterMs: 600_000 })
  // 0.01 offered at 60010, the next level beyond the limit.
  await seedMarket(t.db, { bid: '60000', ask: '60010', depth: '0.01' })
  const placed = await ex.placeOrder({ clientOrderId: 'tl-e-cross-1', symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', qty: dec('0.03'), price: dec('61000'), reduceOnly: false })
  expect(placed.status).toBe('PARTIALLY_FILLED')
  expect(placed.fills.map((f) => [f.qty.toString(), f.price.toString(), f.fee.toString(), f.liquidity])).toEqual([['0.01', '60010', '0.6001', 'TAKER']])
  const balance = async (asset: string) => (await t.db.accountBalance.findUniqueOrThrow({ where: { accountId_asset: { accountId: acct, asset } } })).amount.toString()
  expect(await balance('BTC')).toBe('0.01')
  expect(await balance('USDT')).toBe('9399.2999') // 10000 - 600.1 - 0.6001

  // Placed again under its id: the same order, nothing booked twice.
  expect(await ex.placeOrder({ clientOrderId: 'tl-e-cross-1', symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', qty: dec('0.03'), price: dec('61000'), reduceOnly: false })).toEqual(placed)
  expect(await balance('BTC')).toBe('0.01')
  const resting = await t.db.paperOrder.findFirstOrThrow({ where: { accountId: acct, clientOrderId: 'tl-e-cross-1' } })
  expect([resting.status, resting.filledQty.toString()]).toEqual(['PARTIALLY_FILLED', '0.01'])
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
})
