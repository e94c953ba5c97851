import { describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { runPanic } from '@/lib/server/panic/run-panic'
import { openPosition } from '@/lib/server/positions/open-position'
import { binanceWithTimeout } from '@/tests/support/live-binance-account'
import { isEntry, liveBinanceScenario } from '@/tests/support/live-binance-scenario'
import { OrderReconciler } from '@/workers/reconcile/reconcile-orders'

/**
 * Panic pressed while a live entry's outcome is unknown (Binance answered -1007) and the exchange
 * does not know the order yet. Booked CANCELED, it was never looked up again: an order that then
 * landed bought coins after the panic, with no position, no stop and nothing in the books.
 */
describe('Binance spot: panic while an entry is sent without an answer', () => {
  const live = liveBinanceScenario()

  test('the entry is booked lost, not canceled: reported as not settled, and when it lands after all its fill is booked', async () => {
    const db = live.t.db
    live.fake.injectFault(isEntry, { kind: 'status1007', execute: false })
    await expect(
      openPosition({
        db, userId: live.userId, actor: live.user(),
        input: { traderId: live.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^the exchange did not confirm/) })
    const entry = await db.order.findFirstOrThrow({ where: { traderId: live.traderId, purpose: 'ENTRY' } })
    const positionId = entry.positionId!
    expect([entry.status, entry.lastCheckedAt !== null]).toEqual(['NEW', true])

    const report = await runPanic({ db, userId: live.userId, actor: live.user(), scope: { accountId: live.accountId }, backoffMs: () => 0, newOrderGraceMs: 0 })
    expect(report.orders).toEqual([expect.objectContaining({ clientOrderId: entry.clientOrderId, outcome: 'FAILED', detail: expect.stringMatching(/^sent without an answer and not found on the exchange: it may still land there/) })])
    expect(await db.order.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({ status: 'REJECTED', rejectReason: expect.stringMatching(/^lost: sent without an answer/) })

    // The request lands after all (it was in flight), and the reconciler asks about lost orders again.
    const late = binanceWithTimeout(live.fake, live.accountId, 10_000)
    try {
      await late.placeOrder({ clientOrderId: entry.clientOrderId, symbol: 'BTC/USDT', side: 'BUY', type: 'MARKET', qty: dec('0.01'), reduceOnly: false })
    } finally {
      await late.close()
    }
    const reconciler = new OrderReconciler(db, { actor: live.worker, log: () => {}, newOrderGraceMs: 0, recheckAfterMs: 0, lostRecheckMs: 0 })
    await reconciler.runOnce()
    const booked = await db.order.findUniqueOrThrow({ where: { id: entry.id } })
    expect([booked.status, fromDb(booked.filledQty).toFixed()]).toEqual(['FILLED', '0.01'])
    const p = await db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect([p.status, fromDb(p.openQty).toFixed()]).toEqual(['MONITORING', '0.00999'])
  })
})
