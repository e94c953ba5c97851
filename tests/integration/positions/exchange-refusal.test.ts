import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import { AppError } from '@/lib/server/errors/app-error'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { DelegatingExchange } from '../../support/delegating-exchange'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/** The paper exchange placing orders the way a remote one does (placed, then applied), refusing every order while `refusal` is set. */
class Refusing extends DelegatingExchange {
  refusal: 'throws' | 'reports' | null = null
  override async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    if (this.refusal === 'throws') throw new ExchangeError('Account has insufficient balance for requested action.', false)
    if (this.refusal === 'reports') return { clientOrderId: req.clientOrderId, exchangeOrderId: '77', status: 'REJECTED', filledQty: dec(0), fills: [], rejectReason: 'Binance: INSUFFICIENT_BALANCE' }
    return this.inner.placeOrder(req)
  }
}

describe('an order the exchange refuses is reported as refused, not as sent (real PostgreSQL)', () => {
  let t: TestDatabase
  let n = 0

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await t.drop()
  })

  async function trader() {
    const userId = (await t.db.user.create({ data: { email: `refusal-${++n}@example.com`, passwordHash: 'x' } })).id
    const tr = await createTrader({ db: t.db, userId, input: { name: `t${n}`, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, tr.id)
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    const exchange = new Refusing(new PaperExchange(t.db, tr.accountId, { staleAfterMs: 60_000 }))
    const actor = { kind: 'USER' as const, id: userId }
    const open = () =>
      openPosition({ db: t.db, userId, actor, exchange, input: { traderId: tr.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '55000' } })
    return { userId, actor, exchange, open, trader: tr }
  }

  test.each([
    ['throws', 'Account has insufficient balance for requested action.'],
    ['reports', 'Binance: INSUFFICIENT_BALANCE'],
  ] as const)('an entry it refuses (%s) is a 422 naming the reason and the position, which has FAILED', async (how, reason) => {
    const { exchange, open, userId } = await trader()
    exchange.refusal = how
    const err = await open().then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AppError)
    const position = await t.db.position.findFirstOrThrow({ where: { trader: { userId } }, include: { orders: true } })
    expect(err).toMatchObject({ code: 'EXCHANGE_REJECTED', status: 422 })
    expect((err as AppError).message).toBe(`the exchange refused: ${reason} (position ${position.id}, entry ${position.orders[0].clientOrderId})`)
    expect(position.status).toBe('FAILED')
    expect(position.orders).toMatchObject([{ purpose: 'ENTRY', status: 'REJECTED', rejectReason: reason }])
  })

  test('an entry the paper exchange refuses in its own transaction (more than the margin) is a 422 too', async () => {
    const { userId, actor, trader: tr } = await trader()
    const exchange = new PaperExchange(t.db, tr.accountId, { staleAfterMs: 60_000 })
    // 100,000 USDT of margin; 2 BTC at 60,000 needs 120,000.
    const err = await openPosition({
      db: t.db, userId, actor, exchange,
      input: { traderId: tr.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '2', entryType: 'MARKET', stopLoss: '55000' },
    }).then(
      () => null,
      (e: unknown) => e,
    )
    const position = await t.db.position.findFirstOrThrow({ where: { trader: { userId } }, include: { orders: true } })
    expect(err).toMatchObject({ code: 'EXCHANGE_REJECTED', status: 422 })
    expect((err as AppError).message).toMatch(new RegExp(`^the exchange refused: insufficient balance: .* \\(position ${position.id}, entry ${position.orders[0].clientOrderId}\\)$`, 'i'))
    expect(position.status).toBe('FAILED')
    expect(position.orders).toMatchObject([{ purpose: 'ENTRY', status: 'REJECTED' }])
  })

  test.each(['throws', 'reports'] as const)('a close it refuses (%s) is a 422 saying the position is still open, and it is', async (how) => {
    const { exchange, open, userId, actor } = await trader()
    const { positionId } = await open()
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('MONITORING')
    exchange.refusal = how
    await expect(closePosition({ db: t.db, userId, actor, positionId, exchange, input: {} })).rejects.toMatchObject({
      code: 'EXCHANGE_REJECTED',
      status: 422,
      message: expect.stringMatching(/^the exchange refused the exit order: .+; the position is still open$/),
    })
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId }, include: { orders: { orderBy: { createdAt: 'asc' } } } })
    expect(p.status).toBe('MONITORING')
    expect(p.openQty.toString()).toBe('0.01')
    expect(p.orders.map((o) => [o.purpose, o.status])).toEqual([
      ['ENTRY', 'FILLED'],
      ['MANUAL_EXIT', 'REJECTED'],
    ])

    exchange.refusal = null
    await expect(closePosition({ db: t.db, userId, actor, positionId, exchange, input: {} })).resolves.toMatchObject({ orderId: expect.any(String) })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
  })
})
