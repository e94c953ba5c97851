import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { CoinbaseExchange } from '@/lib/exchange/ccxt/coinbase-exchange'
import type { ActorRef } from '@/lib/server/audit/actor'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { ORDER_ADOPTED } from '@/lib/server/orders/adopt-open-orders'
import { openPosition } from '@/lib/server/positions/open-position'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { OrderAdoption } from '@/workers/reconcile/order-adoption'
import { OrderReconciler } from '@/workers/reconcile/reconcile-orders'
import { startFakeCoinbase, type FakeCoinbase } from '@/tests/support/fake-coinbase'
import { coinbaseTestKey, createCoinbaseLiveTrader } from '@/tests/support/live-coinbase-account'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// Coinbase accounts are LIVE only: the second key is on, for an account whose REST host is local.
process.env.LIVE_TRADING_ENABLED = 'true'

const key = coinbaseTestKey('organizations/org-test/apiKeys/key-adopt')

/** The same adoption on the second venue: a stop-limit of ours resting on Coinbase, its row lost. */
describe('Coinbase Advanced Trade: a resting stop-limit the database lost is adopted', () => {
  let t: TestDatabase
  let fake: FakeCoinbase
  const worker: ActorRef = { kind: 'WORKER', id: 'coinbase-adopt-test' }

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeCoinbase({ apiKey: key.name, publicKeyPem: key.publicKey, balances: { USD: '10000' } })
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await fake.close()
    await t.drop()
  })

  async function price(bid: string, ask: string) {
    fake.setPrice('BTC/USD', bid, ask)
    await seedMarket(t.db, { symbol: 'BTC/USD', bid, ask })
  }
  const working = () => fake.orders.filter((o) => o.status === 'OPEN')

  test('(e) adopted with the exchange\'s facts, attached to the position; the keeper finds it in place; its fills close the position once', async () => {
    await price('60000.00', '60000.01')
    const { userId, accountId, traderId } = await createCoinbaseLiveTrader(t.db, fake, key, { watchlist: ['BTC/USD', 'ETH/USD'] })
    const { positionId } = await openPosition({
      db: t.db, userId, actor: { kind: 'USER', id: userId },
      input: { traderId, symbol: 'BTC/USD', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
    })
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const [stop] = working()
    expect(stop!.order_type).toBe('STOP_LIMIT')
    // Someone else's order on a watched market, placed with the same key.
    const theirs = new CoinbaseExchange({ accountId, apiKey: key.name, secret: key.privateKey, baseUrl: fake.url })
    try {
      await theirs.placeOrder({ clientOrderId: 'web-7f3e', symbol: 'ETH/USD', side: 'BUY', type: 'LIMIT', qty: dec('0.1'), price: dec('2500'), reduceOnly: false })
    } finally {
      await theirs.close()
    }
    // The books are restored from before the stop was placed.
    await t.db.order.delete({ where: { clientOrderId: stop!.client_order_id } })

    const log: string[] = []
    const adoption = new OrderAdoption(t.db, worker, (m) => log.push(m))
    await adoption.runOnce()
    const row = await t.db.order.findUniqueOrThrow({ where: { clientOrderId: stop!.client_order_id } })
    expect(row).toMatchObject({
      positionId, traderId, purpose: 'STOP_LOSS', type: 'STOP_MARKET', side: 'SELL', status: 'SUBMITTED', exchangeOrderId: stop!.order_id, createdBy: 'SYSTEM',
    })
    expect([fromDb(row.qty).toFixed(), fromDb(row.triggerPrice!).toFixed()]).toEqual(['0.01', '59000'])
    const events = await t.db.activityEvent.findMany({ where: { userId, type: ORDER_ADOPTED } })
    expect(events.map((e) => [e.severity, e.positionId])).toEqual([['error', positionId]])
    expect(events[0]!.message).toMatch(/SELL stop_limit_stop_limit_gtc 0\.01 BTC\/USD \(limit [\d.]+, trigger 59000\).*adopted as the stop loss order of the LONG position/)
    expect(await t.db.order.count({ where: { clientOrderId: 'web-7f3e' } })).toBe(0)
    expect(log.filter((m) => /1 order\(s\) not placed by Tradeloop/.test(m))).toHaveLength(1)

    const posted = () => fake.requests.filter((r) => r.method === 'POST').length
    const postedBefore = posted()
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')
    await adoption.runOnce()
    expect(posted()).toBe(postedBefore) // nothing placed, nothing canceled
    expect(working().map((o) => o.client_order_id).sort()).toEqual([stop!.client_order_id, 'web-7f3e'].sort())

    // The market falls through the adopted stop: reconciliation books it like any other order.
    await price('58990.00', '58990.01')
    expect(fake.orders.find((o) => o.order_id === stop!.order_id)!.status).toBe('FILLED')
    const reconciler = new OrderReconciler(t.db, { actor: worker, log: () => {}, recheckAfterMs: 0 })
    await reconciler.runOnce()
    await reconciler.runOnce()
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect([p.status, p.statusReason]).toEqual(['CLOSED', 'STOP_LOSS'])
    const fills = await t.db.fill.findMany({ where: { order: { clientOrderId: stop!.client_order_id } } })
    expect(fills.map((f) => f.exchangeFillId).sort()).toEqual(fake.fills.filter((f) => f.order_id === stop!.order_id).map((f) => f.trade_id).sort())
    expect(fills).toHaveLength(1)
    expect(fake.orders.find((o) => o.client_order_id === 'web-7f3e')!.status).toBe('OPEN')
  })
})
