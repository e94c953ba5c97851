import { describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { TriggerMonitor } from '@/workers/monitor/trigger-monitor'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * Binance spot rests the protective stop as a STOP_LOSS_LIMIT: at 59,000 it becomes a limit sell
 * at 58,410 (1 % beyond). A price that jumps from above the stop to below that limit leaves the
 * sell resting unfilled; before, nothing noticed and the loss had no bound.
 */
describe('Binance spot: a price that gaps through the stop-limit', () => {
  const live = liveBinanceScenario()
  const { position, price, reconcileUntil } = live

  test('the worker exits at market once the price is past the limit, taking the triggered stop off first', async () => {
    const { positionId } = await live.openProtected()
    const logs: string[] = []
    const monitor = new TriggerMonitor(live.t.db, live.worker, (m) => logs.push(m))
    await monitor.loadAll()
    const tick = (bid: string, ask: string) => monitor.onQuote({ symbol: 'BTC/USDT', bid: dec(bid), ask: dec(ask), at: new Date() } as never)

    // Through the trigger but not the limit: that is the exchange's stop to fill; the worker does nothing.
    expect(await tick('58500.00', '58500.01')).toBe(0)
    expect(await tick('58410.00', '58410.01')).toBe(0)
    // From 60,000 straight to 58,000: the stop triggers and rests as a limit sell at 58,410, unfilled.
    await price('58000.00', '58000.01')
    expect(live.fake.orders.filter((o) => o.type === 'STOP_LOSS_LIMIT').map((o) => [o.status, o.triggered, o.executedQty.toFixed()])).toEqual([['NEW', true, '0']])
    expect(await tick('58000.00', '58000.01')).toBe(1)
    await reconcileUntil(async () => (await position(positionId)).status === 'CLOSED')

    const orders = await live.t.db.order.findMany({ where: { positionId }, orderBy: { createdAt: 'asc' }, select: { purpose: true, type: true, status: true, filledQty: true } })
    expect(orders.map((o) => [o.purpose, o.type, o.status, fromDb(o.filledQty).toFixed()])).toEqual([
      ['ENTRY', 'MARKET', 'FILLED', '0.01'],
      ['STOP_LOSS', 'STOP_MARKET', 'CANCELED', '0'],
      ['STOP_LOSS', 'MARKET', 'FILLED', '0.00999'],
    ])
    const exit = await live.t.db.fill.findFirstOrThrow({ where: { order: { positionId, type: 'MARKET', purpose: 'STOP_LOSS' } } })
    expect(fromDb(exit.price).toFixed()).toBe('58000')
    const event = await live.t.db.positionEvent.findFirst({ where: { positionId, message: { contains: 'The price went past the limit of the stop resting on the exchange (bid 58000)' } } })
    expect(event).not.toBeNull()
    await live.expectBooksEqualExchange(positionId)
  })
})
