import { describe, expect, test } from 'vitest'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import type { FakeSpotFault } from '@/tests/support/fake-binance-spot'
import { ordersPostedWith, restingStopsOn } from '@/tests/support/live-binance-account'
import { isStop, liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * What the system does when Binance's answer to the protective STOP's placement (keepProtected)
 * is lost, late, ambiguous or a back-off. Invariants: an unknown outcome leaves the stop NEW and
 * the keeper sends nothing more until reconciliation settles it (placed → SUBMITTED; not → lost,
 * and the next pass places a new one); never two stops resting for the position, checked after
 * every step; the stop then really protects (the exchange executes it, the books follow once).
 */
describe('Binance spot: faults while the stop is placed', () => {
  const live = liveBinanceScenario()
  const { openLong, withShortTimeout, reconciler, reconcileUntil, price, order, position, newOrdersSent, expectAtMostOneStopResting, expectBooksEqualExchange } = live

  interface StopCase {
    name: string
    fault: FakeSpotFault
    placed: boolean
    needsTimeout?: boolean
  }
  const STOP_CASES: StopCase[] = [
    { name: 'accepted, then the connection drops', fault: { kind: 'acceptThenDrop' }, placed: true },
    { name: 'accepted, then no answer (adapter timeout 1 s)', fault: { kind: 'acceptThenHang' }, placed: true, needsTimeout: true },
    { name: '-1007, placed', fault: { kind: 'status1007', execute: true }, placed: true },
    { name: '-1007, not placed', fault: { kind: 'status1007', execute: false }, placed: false },
    { name: 'HTTP 500, placed', fault: { kind: 'http5xx', status: 500, execute: true }, placed: true },
    { name: 'HTTP 504, not placed', fault: { kind: 'http5xx', status: 504, execute: false }, placed: false },
    { name: 'connection dropped before the request is read', fault: { kind: 'dropBeforeAccept' }, placed: false },
  ]

  describe('2. a fault while the protective STOP is placed', () => {
    test.each(STOP_CASES)('$name', async (c) => {
      const positionId = await openLong()
      live.fake.injectFault(isStop, c.fault)
      const adapter = c.needsTimeout ? withShortTimeout() : undefined
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker, exchangeFor: adapter ? () => adapter : undefined })).toBe('unknown')
      expectAtMostOneStopResting()
      const stop = await live.t.db.order.findFirstOrThrow({ where: { positionId, type: 'STOP_MARKET' } })
      expect(stop.status).toBe('NEW')
      expect(stop.lastCheckedAt).not.toBeNull()
      expect(restingStopsOn(live.fake)).toHaveLength(c.placed ? 1 : 0)

      // Until it is settled, the keeper sends nothing more: the NEW stop counts as the stop.
      const sent = newOrdersSent()
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('in-place')
      expect(newOrdersSent()).toBe(sent)
      expectAtMostOneStopResting()

      await closeLiveAdapters()
      await reconcileUntil(async () => (await order(stop.clientOrderId)).status !== 'NEW')
      const settled = await order(stop.clientOrderId)
      if (c.placed) {
        expect(settled.status).toBe('SUBMITTED')
        expect(settled.exchangeOrderId).toBe(String(restingStopsOn(live.fake)[0]!.orderId))
        expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('in-place')
        expect(newOrdersSent()).toBe(sent)
        expect(restingStopsOn(live.fake)).toHaveLength(1)
      } else {
        expect(settled.status).toBe('REJECTED')
        expect(settled.rejectReason).toMatch(/^lost: /)
        expect(restingStopsOn(live.fake)).toHaveLength(0)
        // The next pass of the keeper puts a new one there, under a new client order id.
        expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('placed')
        const [now] = restingStopsOn(live.fake)
        expect(now!.clientOrderId).not.toBe(stop.clientOrderId)
        expect(now!.origQty.toFixed()).toBe('0.00999')
        expect(now!.stopPrice.toFixed()).toBe('59000')
        expect((await order(now!.clientOrderId)).status).toBe('SUBMITTED')
      }
      expect(ordersPostedWith(live.fake, stop.clientOrderId)).toBe(1)
      expect(restingStopsOn(live.fake)).toHaveLength(1)
      // Protected for real: the market falls through, the exchange executes, the books follow once.
      await price('58900.00', '58900.01')
      await reconcileUntil(async () => (await position(positionId)).status === 'CLOSED')
      expect((await position(positionId)).statusReason).toBe('STOP_LOSS')
      expect(restingStopsOn(live.fake)).toHaveLength(0)
      await expectBooksEqualExchange(positionId)
    })

    test('429 with Retry-After: deferred, nothing sent while it lasts, then placed', async () => {
      const positionId = await openLong()
      live.fake.injectFault(isStop, { kind: 'rateLimited', status: 429, retryAfterSec: 1 })
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('deferred')
      const first = await live.t.db.order.findFirstOrThrow({ where: { positionId, type: 'STOP_MARKET' } })
      expect(first.status).toBe('REJECTED')
      expect(first.rejectReason).toMatch(/^not sent: /)
      expect(restingStopsOn(live.fake)).toHaveLength(0)

      // Inside Retry-After: the keeper's next passes send nothing (they end 'deferred' or with the back-off error).
      const before = live.fake.requests.length
      for (let i = 0; i < 3; i++) {
        const r = await keepProtected({ db: live.t.db, positionId, actor: live.worker }).catch((e: unknown) => e)
        const backedOff = r === 'deferred' || (r instanceof ExchangeError && r.kind === 'retryable' && /back off/.test(r.message))
        expect(backedOff, String(r)).toBe(true)
      }
      expect(live.fake.requests.length).toBe(before)
      expect(restingStopsOn(live.fake)).toHaveLength(0)

      await new Promise((r) => setTimeout(r, 1100))
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('placed')
      expect(restingStopsOn(live.fake)).toHaveLength(1)
      expect(ordersPostedWith(live.fake, first.clientOrderId)).toBe(1)
      // The refused one is not an exit: reconciliation does not retry it as one.
      const s = await reconciler().runOnce()
      expect(s.exitsRetried).toBe(0)
      expect(restingStopsOn(live.fake)).toHaveLength(1)
      expect(await live.t.db.order.count({ where: { positionId, purpose: { not: 'ENTRY' }, type: 'MARKET' } })).toBe(0)
    })
  })
})
