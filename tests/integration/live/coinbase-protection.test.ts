import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import type { ActorRef } from '@/lib/server/audit/actor'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { AppError } from '@/lib/server/errors/app-error'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { OrderReconciler } from '@/workers/reconcile/reconcile-orders'
import { startFakeCoinbase, type FakeCoinbase } from '@/tests/support/fake-coinbase'
import { coinbaseTestKey, createCoinbaseLiveTrader } from '@/tests/support/live-coinbase-account'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// Coinbase accounts are LIVE only (no usable sandbox): this file is the one place that turns the
// second key on, for a LIVE account whose REST host is a local server.
process.env.LIVE_TRADING_ENABLED = 'true'

const key = coinbaseTestKey('organizations/org-test/apiKeys/key-live')

/** The same services as on Binance, on the second venue: nothing above the port changes. */
describe('live trading on Coinbase Advanced Trade: protected on the exchange', () => {
  let t: TestDatabase
  let fake: FakeCoinbase
  let userId: string
  let traderId: string
  const worker: ActorRef = { kind: 'WORKER', id: 'test-worker' }

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeCoinbase({ apiKey: key.name, publicKeyPem: key.publicKey, balances: { USD: '10000' } })
    ;({ userId, traderId } = await createCoinbaseLiveTrader(t.db, fake, key, { watchlist: ['BTC/USD'] }))
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await fake.close()
    await t.drop()
  })

  /** 0.01 BTC at market with its stop at 59,000. */
  const openLong = () =>
    openPosition({
      db: t.db,
      userId,
      actor: { kind: 'USER', id: userId },
      input: { traderId, symbol: 'BTC/USD', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
    })

  async function price(bid: string, ask: string) {
    fake.setPrice('BTC/USD', bid, ask)
    await seedMarket(t.db, { symbol: 'BTC/USD', bid, ask })
  }

  test('entry fills → a stop-limit rests on Coinbase under our client id → the market falls through it → closed once, books equal the exchange', async () => {
    await price('60000.00', '60000.01')
    const { positionId } = await openLong()
    let p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('MONITORING')
    expect(fromDb(p.openQty).toFixed()).toBe('0.01') // Coinbase charges its fee in the quote currency

    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const resting = fake.orders.filter((o) => o.status === 'OPEN')
    expect(resting).toHaveLength(1)
    const row = await t.db.order.findFirstOrThrow({ where: { positionId, type: 'STOP_MARKET' } })
    expect(resting[0]!.client_order_id).toBe(row.clientOrderId) // ours, not ccxt's invented one
    expect(resting[0]).toMatchObject({ side: 'SELL', stopDirection: 'STOP_DIRECTION_STOP_DOWN' })
    expect(resting[0]!.size.toFixed()).toBe('0.01')
    expect(resting[0]!.stopPrice!.toFixed()).toBe('59000')
    expect(row).toMatchObject({ status: 'SUBMITTED', exchangeOrderId: resting[0]!.order_id, clientOrderId: resting[0]!.client_order_id })
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')

    await price('58990.00', '58990.01')
    expect(fake.orders.find((o) => o.order_id === resting[0]!.order_id)!.status).toBe('FILLED')
    await new OrderReconciler(t.db, { actor: worker, log: () => {}, recheckAfterMs: 0 }).runOnce()
    p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('STOP_LOSS')
    const fills = await t.db.fill.findMany({ where: { positionId } })
    expect(fills).toHaveLength(fake.fills.length)
    expect(fake.balance('BTC').available.plus(fake.balance('BTC').hold).isZero()).toBe(true)
    expect(fromDb(p.realizedPnl).toFixed()).toBe(fake.balance('USD').available.minus(10000).toFixed())
  })

  test('a close while Coinbase still queues the stop\'s cancel sends no exit, says why, and the next close goes through', async () => {
    await price('60000.00', '60000.01')
    const { positionId } = await openLong()
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const stop = await t.db.order.findFirstOrThrow({ where: { positionId, type: 'STOP_MARKET' } })
    // Coinbase shows the accepted cancel CANCEL_QUEUED for the next 4 reads of the order: one more
    // than the adapter makes (one, then three while it waits), so the stop still holds the coins when it gives up.
    fake.setCancelQueuedReads(4)
    const user: ActorRef = { kind: 'USER', id: userId }
    const err = await closePosition({ db: t.db, userId, actor: user, positionId, input: {} }).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).status).toBe(503)
    expect((err as AppError).message).toMatch(/^the exchange accepted the cancel of resting stop \S+ but has not carried it out yet/)
    const exits = await t.db.order.findMany({ where: { positionId, purpose: 'MANUAL_EXIT' } })
    expect(exits.map((o) => [o.status, o.rejectReason])).toEqual([['REJECTED', expect.stringMatching(/^not sent: the resting stop could not be taken off the exchange first/)]])
    // The exit never went to Coinbase (where the held coins would have had it refused); the stop did.
    const sent = (clientOrderId: string) => fake.requests.filter((r) => r.method === 'POST' && JSON.stringify(r.body ?? null).includes(clientOrderId))
    expect(sent(stop.clientOrderId)).toHaveLength(1)
    expect(sent(exits[0]!.clientOrderId)).toEqual([])
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('MONITORING')

    // The next read finds the cancel done: the next close takes the stop off and sells.
    fake.setCancelQueuedReads(0)
    await closePosition({ db: t.db, userId, actor: user, positionId, input: {} })
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId }, include: { orders: { where: { id: stop.id } } } })
    expect(p.status).toBe('CLOSED')
    expect(p.orders[0]!.status).toBe('CANCELED')
    expect(fake.balance('BTC').available.plus(fake.balance('BTC').hold).isZero()).toBe(true)
  })
})
