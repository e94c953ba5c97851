import { describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { runPanic } from '@/lib/server/panic/run-panic'
import { ordersPostedWith } from '@/tests/support/live-binance-account'
import { isMarketSell, liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * Panic's exit on a live Binance account whose answer is lost. Binance takes a client order id
 * again once the first order with it has ended, so an exit whose outcome is unknown must be
 * looked up, never sent again under the same id: sent again, a filled exit sells a second time
 * (when the account holds more of the coin) or is refused and the real fill is never booked.
 */
describe('Binance spot: panic when the exchange does not confirm its exit', () => {
  const live = liveBinanceScenario()

  test.each([
    { name: 'executed (-1007, then found filled)', fault: { kind: 'status1007' as const, execute: true }, executed: true },
    { name: 'executed (accepted, then the connection drops)', fault: { kind: 'acceptThenDrop' as const }, executed: true },
    { name: 'not executed (-1007): looked up, then sent under a new id', fault: { kind: 'status1007' as const, execute: false }, executed: false },
  ])('$name: sold once, the position CLOSED with the exchange fill', async (c) => {
    const positionId = await live.openLong()
    // More of the coin than the position holds (bought elsewhere): a second sell would go through.
    live.fake.setBalance('BTC', fromDb((await live.position(positionId)).openQty).plus('0.05').toFixed())
    live.fake.injectFault(isMarketSell, c.fault)

    const report = await runPanic({ db: live.t.db, userId: live.userId, actor: live.user(), scope: { accountId: live.accountId }, backoffMs: () => 0 })

    expect(report.positions).toMatchObject([{ positionId, outcome: 'CLOSED' }])
    const exits = await live.t.db.order.findMany({ where: { positionId, purpose: 'MANUAL_EXIT' }, orderBy: { createdAt: 'asc' } })
    // Each client order id went out once, and one sell executed on the exchange.
    for (const e of exits) expect(ordersPostedWith(live.fake, e.clientOrderId)).toBe(1)
    expect(live.sells().filter((o) => o.status === 'FILLED')).toHaveLength(1)
    expect(exits.map((e) => e.status)).toEqual(c.executed ? ['FILLED'] : ['REJECTED', 'FILLED'])
    if (!c.executed) expect(exits[0]!.rejectReason).toMatch(/^lost: /)
    expect(live.fake.balance('BTC').free.toFixed()).toBe('0.05')
    // The books hold the exchange's fill: the position's exit is what was sold.
    const p = await live.position(positionId)
    expect([p.status, fromDb(p.openQty).toFixed(), fromDb(p.exitQty).toFixed()]).toEqual(['CLOSED', '0', '0.00999'])
  })
})
