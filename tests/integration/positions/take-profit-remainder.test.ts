import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { ExchangePort, OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { createTrader } from '@/lib/server/traders/create-trader'
import { DelegatingExchange } from '../../support/delegating-exchange'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/**
 * The real paper exchange, except that the first take-profit exit only half fills and then
 * expires (as a market order beyond a thin book does on an exchange). The paper books hold what
 * was really sold.
 */
class FirstTakeProfitHalfFills extends DelegatingExchange {
  private used = false
  override async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    if (this.used || !req.clientOrderId.startsWith('tl-tp-')) return this.inner.placeOrder(req)
    this.used = true
    const r = await this.inner.placeOrder({ ...req, qty: req.qty.div(2) })
    return { ...r, status: 'EXPIRED' }
  }
}

const worker = { kind: 'WORKER' as const, id: 'tp-test' }

describe('take-profit levels that cannot be sold as planned (real PostgreSQL, paper exchange)', () => {
  let t: TestDatabase
  let n = 0
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.drop())

  async function open(size: string, takeProfits: { price: string; sharePct: string }[]) {
    const userId = (await t.db.user.create({ data: { email: `tp-${++n}@example.com`, passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: `tp${n}`, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    const input = { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size, entryType: 'MARKET', stopLoss: '50000', takeProfits }
    const { positionId } = await openPosition({ db: t.db, userId, actor: { kind: 'USER', id: userId }, input })
    const levels = await t.db.takeProfit.findMany({ where: { positionId }, orderBy: { price: 'asc' } })
    return { userId, positionId, levels, paper: new PaperExchange(t.db, trader.accountId, { staleAfterMs: 60_000 }) }
  }
  const takeProfit = (positionId: string, takeProfitId: string, exchange: ExchangePort) =>
    requestExit({ db: t.db, positionId, size: { kind: 'TAKE_PROFIT', takeProfitId }, purpose: 'TAKE_PROFIT', actor: worker, reason: 'Take-profit reached', exchange })
  const position = (id: string) => t.db.position.findUniqueOrThrow({ where: { id } })

  test('a level whose exit part-filled and ended sends only what it has not sold when it fires again', async () => {
    // 1 BTC: 50 % at 61000, 30 % at 62000; 20 % is meant to run.
    const { positionId, levels, paper } = await open('1', [{ price: '61000', sharePct: '50' }, { price: '62000', sharePct: '30' }])
    const [tp1, tp2] = levels
    const exchange = new FirstTakeProfitHalfFills(paper)
    await seedMarket(t.db, { bid: '61000', ask: '61000.01' })

    await takeProfit(positionId, tp1!.id, exchange)
    let p = await position(positionId)
    expect(p.status).toBe('MONITORING')
    expect(p.openQty.toString()).toBe('0.75') // 0.25 of the 0.5 sold, then the order expired
    expect((await t.db.takeProfit.findUniqueOrThrow({ where: { id: tp1!.id } })).status).toBe('ACTIVE')

    // The level fires again: 0.25 more, not 0.5.
    await takeProfit(positionId, tp1!.id, exchange)
    const exits = await t.db.order.findMany({ where: { positionId, takeProfitId: tp1!.id }, orderBy: { createdAt: 'asc' } })
    expect(exits.map((o) => [o.status, o.qty.toString(), o.filledQty.toString()])).toEqual([
      ['EXPIRED', '0.5', '0.25'],
      ['FILLED', '0.25', '0.25'],
    ])
    expect((await t.db.takeProfit.findUniqueOrThrow({ where: { id: tp1!.id } })).status).toBe('FILLED')

    await seedMarket(t.db, { bid: '62000', ask: '62000.01' })
    await takeProfit(positionId, tp2!.id, exchange)
    p = await position(positionId)
    expect(p.openQty.toString()).toBe('0.2') // the 20 % meant to run
    expect(p.status).toBe('MONITORING')
  })

  test('a level too small to be sold on its own ends with the reason instead of being refused on every tick; the stop can still move', async () => {
    // 0.001 BTC (about 60 USDT): 5 % is 0.00005 BTC, about 3 USDT, under the 5 USDT minimum.
    const { userId, positionId, levels, paper } = await open('0.001', [{ price: '61000', sharePct: '5' }, { price: '63000', sharePct: '95' }])
    const [small] = levels
    await seedMarket(t.db, { bid: '61500', ask: '61500.01' })

    expect(await takeProfit(positionId, small!.id, paper)).toBeNull()
    expect(await t.db.order.count({ where: { positionId, purpose: 'TAKE_PROFIT' } })).toBe(0)
    expect((await t.db.takeProfit.findUniqueOrThrow({ where: { id: small!.id } })).status).toBe('CANCELED')
    const [event] = await t.db.positionEvent.findMany({ where: { positionId, type: 'TP_CHANGED' } })
    expect(event!.message).toBe('Take-profit at 61000 canceled: its quantity cannot be sold on its own (order value 3.075 USDT (0.00005 × 61500) is below the minimum 5 USDT for BTC/USDT)')
    expect(await takeProfit(positionId, small!.id, paper)).toBeNull() // fired again: nothing more happens
    expect(await t.db.positionEvent.count({ where: { positionId, type: 'TP_CHANGED' } })).toBe(1)
    expect((await position(positionId)).openQty.toString()).toBe('0.001')

    // The price is past a level: moving the stop alone is still allowed.
    await seedMarket(t.db, { bid: '63500', ask: '63500.01' })
    await modifyProtection({ db: t.db, userId, actor: { kind: 'USER', id: userId }, positionId, input: { stopLoss: '60000' } })
    expect((await position(positionId)).stopLoss!.toString()).toBe('60000')
    expect(dec((await position(positionId)).openQty.toString()).eq('0.001')).toBe(true)
  })

  test('new levels beyond what a taken level leaves are refused, naming the share left exactly', async () => {
    const { userId, positionId, levels, paper } = await open('1', [{ price: '61000', sharePct: '70.3' }])
    await seedMarket(t.db, { bid: '61000', ask: '61000.01' })
    await takeProfit(positionId, levels[0]!.id, paper)
    expect((await t.db.takeProfit.findUniqueOrThrow({ where: { id: levels[0]!.id } })).status).toBe('FILLED')
    const modify = modifyProtection({ db: t.db, userId, actor: { kind: 'USER', id: userId }, positionId, input: { takeProfits: [{ price: '65000', sharePct: '30' }] } })
    await expect(modify).rejects.toMatchObject({
      status: 400,
      fieldErrors: [{ field: 'takeProfits', message: 'with 70.3% already taken, the new levels may add up to at most 29.7%' }],
    })
  })
})
