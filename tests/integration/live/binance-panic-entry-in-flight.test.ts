import { describe, expect, test } from 'vitest'
import type { ExchangePort, PlaceOrderRequest } from '@/lib/exchange/port'
import { ACCOUNT_REF, exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { runPanic } from '@/lib/server/panic/run-panic'
import { openPosition } from '@/lib/server/positions/open-position'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * Panic pressed while a live entry is still on its way: committed as NEW, its sender waiting for
 * an order slot (Binance's adapter waits up to 5 s) or for the network. Booked CANCELED then, the
 * order would still go out, rest on the exchange unknown to our books (a terminal order is never
 * looked up again), and its late answer would fail the entry request. Panic lets it land, then
 * cancels it on the exchange.
 */
describe('Binance spot: panic while an entry is still on its way', () => {
  const live = liveBinanceScenario()

  test('the entry is let land, then canceled on the exchange; nothing rests and the request does not fail', { timeout: 30_000 }, async () => {
    const db = live.t.db
    const account = await db.exchangeAccount.findUniqueOrThrow({ where: { id: live.accountId }, select: ACCOUNT_REF })
    const real = exchangeForAccount(db, account)
    // The account's own adapter, 3 s slower to send (as when it waits for an order slot).
    const slow: ExchangePort = Object.create(real)
    slow.placeOrder = async (req: PlaceOrderRequest) => {
      await new Promise((r) => setTimeout(r, 3000))
      return real.placeOrder(req)
    }
    const opening = openPosition({
      db, userId: live.userId, actor: live.user(), exchange: slow,
      input: { traderId: live.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'LIMIT', limitPrice: '59000', stopLoss: '58000' },
    }).then(() => null, (e: unknown) => e)
    await new Promise((r) => setTimeout(r, 2200)) // past the 2 s an order was once given

    const report = await runPanic({ db, userId: live.userId, actor: live.user(), scope: { accountId: live.accountId }, backoffMs: () => 0 })
    expect(await opening).toBeNull()
    expect(report.orders).toMatchObject([{ outcome: 'CANCELED' }])
    const [onExchange] = live.fake.orders
    expect(live.fake.orders).toHaveLength(1)
    expect(onExchange!.status).toBe('CANCELED')
    const entry = await db.order.findFirstOrThrow({ where: { purpose: 'ENTRY' } })
    expect(entry).toMatchObject({ status: 'CANCELED', exchangeOrderId: String(onExchange!.orderId) })
    expect((await db.position.findFirstOrThrow({ where: { id: entry.positionId! } })).status).toBe('FAILED')
  })
})
