import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { DelegatingExchange } from '../../support/delegating-exchange'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/** The paper exchange answering "back off" (429: nothing executed) to the next `busy` orders. */
class BackingOff extends DelegatingExchange {
  busy = 0
  override async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    if (this.busy > 0) {
      this.busy--
      throw new ExchangeError('429 Too Many Requests: backing off for 1 s', true, { retryAfterMs: 1000 })
    }
    return this.inner.placeOrder(req)
  }
}

// A request answered 503 sent nothing: repeating it with the same Idempotency-Key (as a client
// told to retry does) must act, not replay the failure. Once an order has gone out (or been
// refused), the key answers with it.
describe('a keyed request whose order never left may be repeated with the same key', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  let exchange: BackingOff
  const actor = () => ({ kind: 'API' as const, id: userId })
  const input = () => ({ traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '55000' })

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'keyed@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Keyed', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000.01' })
    exchange = new BackingOff(new PaperExchange(t.db, trader.accountId, { staleAfterMs: 60_000 }))
  })
  afterAll(async () => {
    await t.drop()
  })

  test('an entry: 503, then the repeat opens it, then a further repeat answers with that position', async () => {
    exchange.busy = 1
    const open = () => openPosition({ db: t.db, userId, actor: actor(), exchange, input: input(), requestKey: 'entry-1' })
    await expect(open()).rejects.toMatchObject({ code: 'EXCHANGE_UNAVAILABLE', status: 503 })
    const opened = await open()
    expect(opened.replayed).toBeUndefined()
    expect((await t.db.position.findUniqueOrThrow({ where: { id: opened.positionId } })).status).toBe('MONITORING')
    expect(await open()).toEqual({ positionId: opened.positionId, replayed: true })
    const entries = await t.db.order.findMany({ where: { traderId, purpose: 'ENTRY' }, orderBy: { createdAt: 'asc' } })
    expect(entries.map((o) => [o.status, o.rejectReason?.startsWith('not sent') ?? false])).toEqual([
      ['REJECTED', true],
      ['FILLED', false],
    ])
    // Each attempt its own client order id, both derived from the key.
    expect(entries[1]!.clientOrderId).toBe(`${entries[0]!.clientOrderId}-1`)
  })

  test('a partial close: 503, then the repeat sells once, then a further repeat sells nothing', async () => {
    const eth = { ...input(), symbol: 'ETH/USDT', size: '0.2', stopLoss: '2900' }
    const { positionId } = await openPosition({ db: t.db, userId, actor: actor(), exchange, input: eth, requestKey: 'entry-2' })
    exchange.busy = 1
    const half = () => closePosition({ db: t.db, userId, actor: actor(), exchange, positionId, input: { sharePct: '50' }, requestKey: 'half' })
    // (the route answers it 503 with Retry-After)
    await expect(half()).rejects.toMatchObject({ name: 'ExchangeError', retryable: true })
    expect(await half()).toEqual({ orderId: expect.any(String) })
    expect(await half()).toMatchObject({ replayed: true })
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect([p.status, p.openQty.toString()]).toEqual(['MONITORING', '0.1'])
    const exits = await t.db.order.findMany({ where: { positionId, purpose: 'MANUAL_EXIT' }, orderBy: { createdAt: 'asc' } })
    expect(exits.map((o) => [o.status, o.qty.toString()])).toEqual([
      ['REJECTED', '0.1'],
      ['FILLED', '0.1'],
    ])
    expect(dec(exits[1]!.filledQty.toString()).toFixed()).toBe('0.1')
  })

  test('the retry after a 503 must be the same request: with another size it is a 400, and sends nothing', async () => {
    // BTC/USDT freed: the first test's position closed (the one open; its FAILED attempt is not).
    const btc = await t.db.position.findFirstOrThrow({ where: { traderId, symbol: 'BTC/USDT', status: { notIn: ['CLOSED', 'FAILED'] } } })
    expect(await closePosition({ db: t.db, userId, actor: actor(), exchange, positionId: btc.id, input: {} })).toEqual({ orderId: expect.any(String) })
    const since = new Date()
    exchange.busy = 1
    const open = (size: string) => openPosition({ db: t.db, userId, actor: actor(), exchange, input: { ...input(), size }, requestKey: 'entry-3' })
    await expect(open('0.01')).rejects.toMatchObject({ code: 'EXCHANGE_UNAVAILABLE', status: 503 })
    await expect(open('0.02')).rejects.toMatchObject({ status: 400, fieldErrors: [{ field: 'Idempotency-Key' }] })
    // Someone else's request with the key on this trader learns nothing of it: 404, as without a key.
    const stranger = (await t.db.user.create({ data: { email: 'stranger@example.com', passwordHash: 'x' } })).id
    await expect(
      openPosition({ db: t.db, userId: stranger, actor: { kind: 'API', id: stranger }, exchange, input: { ...input(), size: '0.02' }, requestKey: 'entry-3' }),
    ).rejects.toMatchObject({ status: 404 })
    const attempts = () => t.db.order.findMany({ where: { traderId, purpose: 'ENTRY', createdAt: { gte: since } }, orderBy: { createdAt: 'asc' } })
    expect((await attempts()).map((o) => o.status)).toEqual(['REJECTED'])
    // The same request then acts.
    const { positionId } = await open('0.01')
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).openQty.toString()).toBe('0.01')
    expect((await attempts()).map((o) => o.status)).toEqual(['REJECTED', 'FILLED'])
  })
})
