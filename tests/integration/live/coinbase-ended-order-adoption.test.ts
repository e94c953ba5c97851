import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import type { ActorRef } from '@/lib/server/audit/actor'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { ORDER_ADOPTED } from '@/lib/server/orders/adopt-open-orders'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { OrderAdoption } from '@/workers/reconcile/order-adoption'
import { startFakeCoinbase, type FakeCoinbase } from '@/tests/support/fake-coinbase'
import { coinbaseTestKey, createCoinbaseLiveTrader } from '@/tests/support/live-coinbase-account'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// Coinbase accounts are LIVE only: the second key is on, for an account whose REST host is local.
process.env.LIVE_TRADING_ENABLED = 'true'

const key = coinbaseTestKey('organizations/org-test/apiKeys/key-ended')

/** The same on the second venue: a filled exit found in the account's fills (by product), its row lost. */
describe('Coinbase Advanced Trade: a filled exit the database lost is adopted from the recent fills', () => {
  let t: TestDatabase
  let fake: FakeCoinbase
  const worker: ActorRef = { kind: 'WORKER', id: 'coinbase-ended-test' }

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeCoinbase({ apiKey: key.name, publicKeyPem: key.publicKey, balances: { USD: '10000' } })
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await fake.close()
    await t.drop()
  })

  test('adopted once, FILLED with its fills, the position closed by it', async () => {
    fake.setPrice('BTC/USD', '60000.00', '60000.01')
    await seedMarket(t.db, { symbol: 'BTC/USD', bid: '60000.00', ask: '60000.01' })
    const { userId, traderId } = await createCoinbaseLiveTrader(t.db, fake, key, { watchlist: ['BTC/USD'] })
    const user: ActorRef = { kind: 'USER', id: userId }
    const { positionId } = await openPosition({
      db: t.db, userId, actor: user,
      input: { traderId, symbol: 'BTC/USD', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
    })
    const before = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    await requestExit({ db: t.db, positionId, userId, actor: user, purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    const exit = await t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'MANUAL_EXIT' } })
    expect(exit.status).toBe('FILLED')
    const closed = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    // Restored from a backup taken before the exit: its row and fills are gone, the position open.
    await t.db.fill.deleteMany({ where: { orderId: exit.id } })
    await t.db.order.delete({ where: { id: exit.id } })
    const { status, openQty, exitQty, avgExitPrice, realizedPnl, fees, closedAt, statusReason } = before
    await t.db.position.update({ where: { id: positionId }, data: { status, openQty, exitQty, avgExitPrice, realizedPnl, fees, closedAt, statusReason } })

    await Promise.all([0, 1].map(() => new OrderAdoption(t.db, worker, () => {}).runOnce()))
    const row = await t.db.order.findUniqueOrThrow({ where: { clientOrderId: exit.clientOrderId } })
    expect(row).toMatchObject({ positionId, purpose: 'MANUAL_EXIT', status: 'FILLED', exchangeOrderId: exit.exchangeOrderId })
    expect((await t.db.fill.findMany({ where: { orderId: row.id } })).map((f) => f.exchangeFillId).sort()).toEqual(
      fake.fills.filter((f) => f.order_id === exit.exchangeOrderId).map((f) => String(f.trade_id)).sort(),
    )
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect([p.status, p.statusReason, fromDb(p.realizedPnl).toFixed()]).toEqual(['CLOSED', 'MANUAL_EXIT', fromDb(closed.realizedPnl).toFixed()])
    expect(await t.db.activityEvent.count({ where: { type: ORDER_ADOPTED, userId } })).toBe(1)
    expect(fake.requests.some((r) => r.path === '/api/v3/brokerage/orders/historical/fills' && r.query.start_sequence_timestamp !== undefined)).toBe(true)
  })
})
