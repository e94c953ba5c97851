import { describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { AppError } from '@/lib/server/errors/app-error'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import type { FakeSpotFault, FakeSpotRequest } from '@/tests/support/fake-binance-spot'
import { ordersPostedWith } from '@/tests/support/live-binance-account'
import { isEntry, liveBinanceScenario, START_USDT } from '@/tests/support/live-binance-scenario'

/**
 * What the system does when Binance's answer to the ENTRY is lost, late, ambiguous or a back-off
 * (the stop: binance-stop-faults.test.ts; the exit: binance-exit-faults.test.ts). Real ccxt
 * against the fake signed spot server, real PostgreSQL, the real OrderReconciler. Invariants: the
 * order goes out at most once under its client order id; what executed is booked exactly once
 * with the exchange's fills; what did not is declared lost, the position FAILED, never re-sent.
 */
/** A CDN's error page of about 12 KB, quotes and non-ASCII included (NOTIFY payloads are limited to 8,000 bytes). */
const GATEWAY_PAGE = `<!DOCTYPE html><html><head><title>502 Bad gateway</title></head><body>${'<div class="cf-error">Ray ID: 7f3a… “error” host unreachable</div>'.repeat(180)}</body></html>`

describe('Binance spot: faults while the entry is sent', () => {
  const live = liveBinanceScenario()
  const { openLong, withShortTimeout, reconciler, reconcileUntil, position, order, newOrdersSent, expectBooksEqualExchange } = live

  interface EntryCase {
    name: string
    fault: FakeSpotFault
    /** Whether the fake executed the order behind the fault. */
    executed: boolean
    /** What openPosition answers: 502 unknown outcome, 503 nothing sent (retry after). */
    status: 502 | 503
    /** The fault never answers: the adapter's own timeout has to end the call. */
    needsTimeout?: boolean
    /** The book holds only this much (a market order takes it and expires), over `split` trades. */
    thinBook?: { liquidity: string; split: number }
  }
  const ENTRY_CASES: EntryCase[] = [
    { name: 'accepted, then the connection drops', fault: { kind: 'acceptThenDrop' }, executed: true, status: 502 },
    { name: 'accepted, then no answer (adapter timeout 1 s)', fault: { kind: 'acceptThenHang' }, executed: true, status: 502, needsTimeout: true },
    { name: '-1007 execution status unknown, executed', fault: { kind: 'status1007', execute: true }, executed: true, status: 502 },
    {
      name: 'accepted, then the connection drops; a thin book filled 0.004 of 0.01 over 3 trades',
      fault: { kind: 'acceptThenDrop' },
      executed: true,
      status: 502,
      thinBook: { liquidity: '0.004', split: 3 },
    },
    { name: '-1007 execution status unknown, not executed', fault: { kind: 'status1007', execute: false }, executed: false, status: 502 },
    { name: 'HTTP 502 from the gateway, executed', fault: { kind: 'http5xx', status: 502, execute: true }, executed: true, status: 502 },
    { name: 'HTTP 503 from the gateway, not executed', fault: { kind: 'http5xx', status: 503, execute: false }, executed: false, status: 502 },
    // ccxt quotes the page in its error, and the error in the position's events and their notifications.
    { name: 'HTTP 502 with a CDN\'s 12 KB error page, not executed', fault: { kind: 'http5xx', status: 502, execute: false, page: GATEWAY_PAGE }, executed: false, status: 502 },
    { name: '429 with Retry-After 1 s', fault: { kind: 'rateLimited', status: 429, retryAfterSec: 1 }, executed: false, status: 503 },
    { name: '418 IP ban with Retry-After 1 s', fault: { kind: 'rateLimited', status: 418, retryAfterSec: 1 }, executed: false, status: 503 },
    { name: 'connection dropped before the request is read', fault: { kind: 'dropBeforeAccept' }, executed: false, status: 502 },
  ]

  describe('1. a fault while the ENTRY is sent', () => {
    test.each(ENTRY_CASES)('$name', async (c) => {
      if (c.thinBook) {
        live.fake.setLiquidity('BTC/USDT', c.thinBook.liquidity)
        live.fake.setFillSplit(c.thinBook.split)
      }
      live.fake.injectFault(isEntry, c.fault)
      const err: unknown = await openLong(c.needsTimeout ? withShortTimeout() : undefined).then(
        () => null,
        (e: unknown) => e,
      )
      // A typed answer with the position and the entry's client order id, never a crash.
      expect(err).toBeInstanceOf(AppError)
      const appErr = err as AppError
      expect(appErr.status).toBe(c.status)
      expect(appErr.code).toBe(c.status === 502 ? 'EXCHANGE_UNCERTAIN' : 'EXCHANGE_UNAVAILABLE')
      const m = /\(position (\S+), entry (\S+)\)$/.exec(appErr.message)
      expect(m, appErr.message).not.toBeNull()
      const [, positionId, cid] = m as unknown as [string, string, string]
      if (c.status === 503) expect(appErr.retryAfterSeconds).toBe(1)
      expect(ordersPostedWith(live.fake, cid)).toBe(1)
      expect(live.fake.orders.filter((o) => o.clientOrderId === cid)).toHaveLength(c.executed ? 1 : 0)
      if (c.fault.kind === 'rateLimited') {
        // Proven not executed (the exchange refused to look at it): REJECTED at once, nothing to look up.
        expect(await order(cid)).toMatchObject({ status: 'REJECTED', rejectReason: expect.stringMatching(/^not sent: /) })
        expect((await position(positionId)).status).toBe('FAILED')
        expect(live.fake.trades).toHaveLength(0)
        return
      }
      // Unknown until the exchange is asked: the position waits in SUBMITTING, its entry NEW.
      expect((await position(positionId)).status).toBe('SUBMITTING')
      expect((await order(cid)).status).toBe('NEW')
      // The worker is another process: its adapter knows nothing of this one's (the symbol comes from our order row).
      await closeLiveAdapters()

      await reconcileUntil(async () => (await order(cid)).status !== 'NEW')
      const entry = await order(cid)
      const p = await position(positionId)
      if (c.executed) {
        const onExchange = live.fake.orders.find((o) => o.clientOrderId === cid)!
        expect(entry.status).toBe(c.thinBook ? 'EXPIRED' : 'FILLED')
        expect(onExchange.status).toBe(entry.status)
        expect(entry.exchangeOrderId).toBe(String(onExchange.orderId))
        expect(fromDb(entry.filledQty).toFixed()).toBe(onExchange.executedQty.toFixed())
        expect(p.status).toBe('MONITORING')
        // What was bought, less Binance's commission taken in the coin.
        expect(fromDb(p.openQty).toFixed()).toBe(c.thinBook ? '0.003996' : '0.00999')
        expect(live.fake.trades).toHaveLength(c.thinBook?.split ?? 1)
      } else {
        expect(entry.status).toBe('REJECTED')
        expect(entry.rejectReason).toMatch(/^lost: unknown to the exchange after 2 checks/)
        expect(p.status).toBe('FAILED')
        expect(live.fake.trades).toHaveLength(0)
        expect(live.fake.balance('USDT').free.toFixed()).toBe(START_USDT)
      }
      // More passes change nothing and send nothing: recorded once, never re-sent.
      const sent = newOrdersSent()
      await reconciler().runOnce()
      await reconciler().runOnce()
      expect(newOrdersSent()).toBe(sent)
      expect(ordersPostedWith(live.fake, cid)).toBe(1)
      expect(await live.t.db.fill.count({ where: { positionId } })).toBe(live.fake.trades.length)
      await expectBooksEqualExchange(positionId)
    })

    test('the lookups themselves fail (5xx, dropped connection, fills unreadable): never counted as "not found", the executed entry is booked once', async () => {
      live.fake.injectFault(isEntry, { kind: 'acceptThenDrop' })
      const err = (await openLong().catch((e: unknown) => e)) as AppError
      expect(err.status).toBe(502)
      const [, positionId, cid] = /\(position (\S+), entry (\S+)\)$/.exec(err.message)!
      await closeLiveAdapters()
      const isLookup = (r: FakeSpotRequest) => r.method === 'GET' && r.path === '/api/v3/order' && r.params.origClientOrderId === cid
      live.fake.injectFault(isLookup, { kind: 'http5xx', status: 503, execute: false })
      live.fake.injectFault(isLookup, { kind: 'dropBeforeAccept' })
      live.fake.injectFault(isLookup, { kind: 'status1007', execute: true })
      live.fake.injectFault((r) => r.method === 'GET' && r.path === '/api/v3/myTrades', { kind: 'http5xx', status: 500, execute: true })
      const r = reconciler()
      // With a not-found budget of 2, counting any of these failures as "unknown to the exchange"
      // would declare the executed entry lost.
      for (let i = 0; i < 4; i++) {
        const s = await r.runOnce()
        expect(s).toMatchObject({ notFound: 0, lost: 0, applied: 0, errors: 1 })
        expect(await order(cid!)).toMatchObject({ status: 'NEW', notFoundCount: 0 })
        expect(await live.t.db.fill.count({ where: { positionId } })).toBe(0)
      }
      expect(await r.runOnce()).toMatchObject({ applied: 1, errors: 0 })
      expect((await order(cid!)).status).toBe('FILLED')
      expect((await position(positionId!)).status).toBe('MONITORING')
      expect(ordersPostedWith(live.fake, cid!)).toBe(1)
      await expectBooksEqualExchange(positionId!)
    })

    test(
      // A 'retryable' ExchangeError (429/418 back-off) proves the entry was not executed: it is
      // REJECTED at once, so the retry the 503's Retry-After invites is not refused with a 409.
      '429 on the entry: nothing was sent, so the position is given up at once and a retry after Retry-After is accepted',
      async () => {
        live.fake.injectFault(isEntry, { kind: 'rateLimited', status: 429, retryAfterSec: 1 })
        const err = (await openLong().catch((e: unknown) => e)) as AppError
        expect(err.status).toBe(503)
        expect(err.retryAfterSeconds).toBe(1)
        const [, positionId] = /\(position (\S+), entry/.exec(err.message)!
        expect((await position(positionId!)).status).toBe('FAILED')
        await new Promise((r) => setTimeout(r, 1100))
        const again = await openLong()
        expect((await position(again)).status).toBe('MONITORING')
      },
    )
  })
})
