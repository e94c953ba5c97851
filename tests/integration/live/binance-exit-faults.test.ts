import { describe, expect, test } from 'vitest'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { requestExit } from '@/lib/server/positions/request-exit'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import type { FakeSpotFault } from '@/tests/support/fake-binance-spot'
import { isNewOrder, ordersPostedWith, restingStopsOn } from '@/tests/support/live-binance-account'
import { isCancel, isMarketSell, isStop, liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * Faults while a position with a stop resting on Binance is closed (requestExit: the stop comes
 * off first, then the market sell goes out), with real ccxt against the fake spot server, real
 * PostgreSQL and the real OrderReconciler. Invariants: a failed cancel sends no exit and leaves
 * the position protected (or protected again by the keeper's next pass); an exit whose outcome is
 * unknown is looked up by its client order id and never sold twice; never two stops resting.
 */
describe('Binance spot: faults during the exit', () => {
  const live = liveBinanceScenario()
  const { openLong, openProtected, reconcileUntil, order, position, sells, expectAtMostOneStopResting, expectBooksEqualExchange } = live

  describe('3. a fault during the EXIT of a position with a resting stop', () => {
    const closeByHand = (positionId: string) =>
      requestExit({ db: live.t.db, positionId, userId: live.userId, actor: live.user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })

    test.each([
      { name: 'HTTP 503 on the cancel, not executed: the stop still rests', execute: false },
      { name: 'HTTP 502 on the cancel, executed: the stop is gone, re-placed by the keeper', execute: true },
    ])('stop cancel fails ($name) → the exit is not sent, back to MONITORING, protected again', async ({ execute }) => {
      const { positionId, stop } = await openProtected()
      live.fake.injectFault(isCancel, { kind: 'http5xx', status: execute ? 502 : 503, execute })
      const err = await closeByHand(positionId).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ExchangeError)
      expect(sells()).toHaveLength(0)
      expect(live.fake.requests.filter(isMarketSell)).toHaveLength(0)
      const exit = await live.t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'MANUAL_EXIT' } })
      expect(exit.status).toBe('REJECTED')
      expect(exit.rejectReason).toMatch(/resting stop could not be taken off/)
      expect((await position(positionId)).status).toBe('MONITORING')
      expect(live.fake.orders.find((o) => o.orderId === stop.orderId)!.status).toBe(execute ? 'CANCELED' : 'NEW')
      expectAtMostOneStopResting()

      // The keeper's next pass: the marked stop comes off (or is found canceled) and a fitting one is placed.
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('placed')
      expect(restingStopsOn(live.fake)).toHaveLength(1)
      expect(restingStopsOn(live.fake)[0]!.clientOrderId).not.toBe(stop.clientOrderId)
      expect((await order(stop.clientOrderId)).status).toBe('CANCELED')

      // Reconciliation retries the close (it did not go through): the stop comes off first, one sell.
      await reconcileUntil(async () => (await position(positionId)).status === 'CLOSED')
      expect(sells()).toHaveLength(1)
      expect(restingStopsOn(live.fake)).toHaveLength(0)
      await expectBooksEqualExchange(positionId)
    })

    test.each([
      { name: 'accepted, then the connection drops', fault: { kind: 'acceptThenDrop' } as FakeSpotFault, executed: true },
      { name: '-1007, executed', fault: { kind: 'status1007', execute: true } as FakeSpotFault, executed: true },
      { name: 'HTTP 502, executed', fault: { kind: 'http5xx', status: 502, execute: true } as FakeSpotFault, executed: true },
      { name: '-1007, not executed', fault: { kind: 'status1007', execute: false } as FakeSpotFault, executed: false },
      { name: 'connection dropped before the request is read', fault: { kind: 'dropBeforeAccept' } as FakeSpotFault, executed: false },
    ])('the market exit has an unknown outcome ($name) → never a second sell', async ({ fault, executed }) => {
      const { positionId, stop } = await openProtected()
      live.fake.injectFault(isMarketSell, fault)
      const err = await closeByHand(positionId).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ExchangeError)
      expect((err as ExchangeError).kind).toBe('unknown')
      expect(live.fake.orders.find((o) => o.orderId === stop.orderId)!.status).toBe('CANCELED')
      const exit = await live.t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'MANUAL_EXIT' } })
      expect(exit.status).toBe('NEW')
      expect((await position(positionId)).status).toBe('CLOSING')
      expect(sells()).toHaveLength(executed ? 1 : 0)
      // While the exit is unsettled the keeper places no stop (it would lock what is being sold).
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('in-place')
      expect(restingStopsOn(live.fake)).toHaveLength(0)

      await closeLiveAdapters()
      await reconcileUntil(async () => (await position(positionId)).status === 'CLOSED')
      expect(ordersPostedWith(live.fake, exit.clientOrderId)).toBe(1)
      expect(sells().filter((o) => o.status === 'FILLED')).toHaveLength(1)
      expect(sells()).toHaveLength(1)
      const exits = await live.t.db.order.findMany({ where: { positionId, purpose: 'MANUAL_EXIT' }, orderBy: { createdAt: 'asc' } })
      if (executed) {
        expect(exits.map((o) => o.status)).toEqual(['FILLED'])
      } else {
        // Declared lost (never re-sent under its id), then retried once under a new one.
        expect(exits.map((o) => o.status)).toEqual(['REJECTED', 'FILLED'])
        expect(exits[0]!.rejectReason).toMatch(/^lost: /)
      }
      expect((await position(positionId)).statusReason).toBe('MANUAL_EXIT')
      expect(live.fake.balance('BTC').free.plus(live.fake.balance('BTC').locked).isZero()).toBe(true)
      await expectBooksEqualExchange(positionId)
    })
  })

  describe('a close while the placement of the stop is still unsettled (its answer was lost)', () => {
    const closeByHand = (positionId: string) =>
      requestExit({ db: live.t.db, positionId, userId: live.userId, actor: live.user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })

    test('the stop did reach the exchange: it is found by client order id and canceled before the one sell', async () => {
      const positionId = await openLong()
      live.fake.injectFault(isStop, { kind: 'acceptThenDrop' })
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('unknown')
      const [resting] = restingStopsOn(live.fake)
      expect(resting).toBeDefined()
      await closeByHand(positionId)
      expect(live.fake.orders.find((o) => o.orderId === resting!.orderId)!.status).toBe('CANCELED')
      expect((await order(resting!.clientOrderId)).status).toBe('CANCELED')
      expect((await position(positionId)).status).toBe('CLOSED')
      expect(sells()).toHaveLength(1)
      expect(restingStopsOn(live.fake)).toHaveLength(0)
      await expectBooksEqualExchange(positionId)
    })

    test('the stop never reached the exchange: the exit goes out, the stop is later declared lost and never sent', async () => {
      const positionId = await openLong()
      live.fake.injectFault(isStop, { kind: 'dropBeforeAccept' })
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('unknown')
      const stop = await live.t.db.order.findFirstOrThrow({ where: { positionId, type: 'STOP_MARKET' } })
      expect(restingStopsOn(live.fake)).toHaveLength(0)
      await closeByHand(positionId)
      expect((await position(positionId)).status).toBe('CLOSED')
      expect(sells()).toHaveLength(1)
      const marked = await order(stop.clientOrderId)
      expect(marked.status).toBe('NEW')
      expect(marked.cancelRequestedAt).not.toBeNull()
      await reconcileUntil(async () => (await order(stop.clientOrderId)).status !== 'NEW')
      expect((await order(stop.clientOrderId)).status).toBe('REJECTED')
      expect(ordersPostedWith(live.fake, stop.clientOrderId)).toBe(1)
      expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('in-place')
      expect(restingStopsOn(live.fake)).toHaveLength(0)
      await expectBooksEqualExchange(positionId)
    })
  })
})
