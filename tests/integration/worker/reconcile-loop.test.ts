import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import type { Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { matchRestingPaperOrders, PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ExchangePort, OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { createTrader } from '@/lib/server/traders/create-trader'
import { OrderReconciler, type ReconcileOptions } from '@/workers/reconcile/reconcile-orders'
import { startWorker, type Worker } from '@/workers/worker'
import { FlakyExchange, type Misbehaviour } from '../panic/flaky-exchange'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

/**
 * A real paper exchange whose placeOrder waits at a gate: the request that persisted the order
 * is "still sending" (or its process hangs) until the test opens the gate.
 */
class GatedExchange implements ExchangePort {
  private release!: () => void
  private readonly gate = new Promise<void>((r) => (this.release = r))
  constructor(private readonly inner: ExchangePort) {}
  get accountId() {
    return this.inner.accountId
  }
  marketRules(symbol: string) {
    return this.inner.marketRules(symbol)
  }
  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    await this.gate
    return this.inner.placeOrder(req)
  }
  cancelOrder(id: string) {
    return this.inner.cancelOrder(id)
  }
  fetchOrder(id: string) {
    return this.inner.fetchOrder(id)
  }
  fetchBalances() {
    return this.inner.fetchBalances()
  }
  open() {
    this.release()
  }
}

async function newTrader(db: Db, email: string) {
  const userId = (await db.user.create({ data: { email, passwordHash: 'x' } })).id
  const trader = await createTrader({ db, userId, input: { name: email, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT'] } })
  await useManualTraderSettings(db, trader.id)
  return { userId, traderId: trader.id, accountId: trader.accountId, actor: { kind: 'USER' as const, id: userId } }
}

type Trader = Awaited<ReturnType<typeof newTrader>>

async function openLong(db: Db, tr: Trader, o: { size?: string; stopLoss: string; limitPrice?: string }) {
  const { positionId } = await openPosition({
    db,
    userId: tr.userId,
    actor: tr.actor,
    input: {
      traderId: tr.traderId,
      symbol: 'BTC/USDT',
      side: 'LONG',
      sizeMode: 'BASE',
      size: o.size ?? '0.01',
      entryType: o.limitPrice ? 'LIMIT' : 'MARKET',
      limitPrice: o.limitPrice,
      stopLoss: o.stopLoss,
    },
  })
  return positionId
}

const exitOrders = (db: Db, positionId: string) =>
  db.order.findMany({ where: { positionId, purpose: { not: 'ENTRY' } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })

/**
 * Starts a full close whose request persists its exit order and then hangs before reaching the
 * exchange (as if the process froze mid-send), until the test calls `gated.open()`.
 */
async function holdClose(db: Db, tr: Trader, positionId: string) {
  const gated = new GatedExchange(new PaperExchange(db, tr.accountId, { staleAfterMs: 60_000 }))
  const sending = requestExit({ db, positionId, actor: tr.actor, purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Close requested', exchange: gated })
  sending.catch(() => {}) // awaited by the test; this only keeps an early failure from going unhandled
  const [exit] = await waitFor(async () => {
    const l = await exitOrders(db, positionId)
    return l.length ? l : null
  }, 'exit order persisted')
  return { gated, sending, exit: exit! }
}

describe('reconciliation passes (real PostgreSQL, paper exchange)', () => {
  let t: TestDatabase
  const worker = { kind: 'WORKER' as const, id: 'reconcile-test' }
  const log: string[] = []
  const reconciler = (o: Partial<ReconcileOptions> = {}) => new OrderReconciler(t.db, { actor: worker, log: (m) => log.push(m), ...o })

  beforeAll(async () => {
    t = await createTestDatabase()
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
  })
  afterAll(async () => {
    await t.drop()
  })

  test('(b) a NEW order past its grace that the exchange does not know is declared lost only after the not-found budget; a fill that then arrives is still recorded', async () => {
    const tr = await newTrader(t.db, 'b@example.com')
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    const positionId = await openLong(t.db, tr, { stopLoss: '50000' })
    const { gated, sending, exit } = await holdClose(t.db, tr, positionId)
    expect(exit!.status).toBe('NEW')

    let clock = Date.now()
    // Two reconcilers (two passes at once) must count each check once.
    const a = reconciler({ now: () => clock, newOrderGraceMs: 30_000, notFoundBudget: 3, recheckAfterMs: 5000, exitRetryBackoffMs: () => 3_600_000 })
    const b = reconciler({ now: () => clock, newOrderGraceMs: 30_000, notFoundBudget: 3, recheckAfterMs: 5000, exitRetryBackoffMs: () => 3_600_000 })
    const both = () => Promise.all([a.runOnce(), b.runOnce()])
    const order = () => t.db.order.findUniqueOrThrow({ where: { id: exit!.id } })

    await both()
    expect(await order()).toMatchObject({ status: 'NEW', notFoundCount: 0, lastCheckedAt: null }) // within the grace: its sender may still be sending

    clock += 31_000
    await both()
    expect(await order()).toMatchObject({ status: 'NEW', notFoundCount: 1 })
    await both() // no time has passed: not asked again
    expect((await order()).notFoundCount).toBe(1)

    clock += 5000
    await both()
    expect(await order()).toMatchObject({ status: 'NEW', notFoundCount: 2 })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSING')

    clock += 5000
    const [ra, rb] = await both()
    expect(ra.lost + rb.lost).toBe(1)
    const lost = await order()
    expect(lost.status).toBe('REJECTED')
    expect(lost.notFoundCount).toBe(3)
    expect(lost.rejectReason).toMatch(/^lost: unknown to the exchange after 3 checks/)
    // The position is no longer stuck in CLOSING: it is watched again and its exit may be retried.
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('MONITORING')
    expect(await t.db.paperOrder.count({ where: { clientOrderId: exit!.clientOrderId } })).toBe(0) // never re-sent

    // The frozen request comes back to life and its order lands after all: the fill is real.
    gated.open()
    await sending
    const landed = await order()
    expect(landed.status).toBe('FILLED')
    const fills = await t.db.fill.findMany({ where: { orderId: exit!.id } })
    expect(fills).toHaveLength(1)
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('CLOSED')
    expect(p.openQty.toString()).toBe('0')
    expect((await exitOrders(t.db, positionId)).length).toBe(1) // and no second exit was sent
  })

  test('(d) a resting order filled on the exchange while we did not hear of it is applied once, however many passes run at once', async () => {
    const tr = await newTrader(t.db, 'd@example.com')
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    const positionId = await openLong(t.db, tr, { stopLoss: '50000', limitPrice: '59000' })
    const entry = await t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'ENTRY' } })
    expect(entry.status).toBe('SUBMITTED')

    // The market trades through the limit and the paper engine fills it; the worker dies before
    // applying the update (applyExchangeUpdates never runs).
    await seedMarket(t.db, { bid: '58900', ask: '58900.01' })
    expect(await matchRestingPaperOrders(t.db, 'BTC/USDT')).toHaveLength(1)
    expect((await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).status).toBe('SUBMITTED')
    const paperFills = await t.db.paperFill.count({ where: { paperOrder: { clientOrderId: entry.clientOrderId } } })
    expect(paperFills).toBeGreaterThan(0)

    const a = reconciler({ recheckAfterMs: 0 })
    const b = reconciler({ recheckAfterMs: 0 })
    const [a1, a1again, b1, b1again] = await Promise.all([a.runOnce(), a.runOnce(), b.runOnce(), b.runOnce()])
    // A pass asked for while one runs joins it: one reconciler never overlaps itself.
    expect(a1again).toBe(a1)
    expect(b1again).toBe(b1)
    expect(a1.checked + b1.checked).toBe(2) // both asked the exchange, concurrently
    const runs = [a1, b1, await a.runOnce(), await b.runOnce()]
    expect(runs.reduce((s, r) => s + r.errors, 0)).toBe(0)
    expect(runs.reduce((s, r) => s + r.applied, 0)).toBe(1)

    const after = await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })
    expect(after.status).toBe('FILLED')
    expect(await t.db.fill.count({ where: { orderId: entry.id } })).toBe(paperFills)
    expect(await t.db.positionEvent.count({ where: { positionId, type: 'FILL' } })).toBe(paperFills)
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('MONITORING')
    expect(p.openQty.toString()).toBe('0.01')
    expect(p.avgEntryPrice.toString()).toBe('59000')
  })
  test('(e) a refused partial close is sent again for the same quantity, once even by two passes at once, and only a bounded number of times', async () => {
    const tr = await newTrader(t.db, 'e@example.com')
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    const plan = new Map<string, Misbehaviour>()
    const flaky = new FlakyExchange(new PaperExchange(t.db, tr.accountId, { staleAfterMs: 60_000 }), plan)
    const exchangeFor = () => flaky
    const opts = { exchangeFor, exitRetryBackoffMs: () => 0, maxExitAttempts: 3 }
    const a = reconciler(opts)
    const b = reconciler(opts)

    const positionId = await openLong(t.db, tr, { stopLoss: '50000', size: '0.01' })
    plan.set('BTC/USDT', { mode: 'REJECT', times: 2 })
    await requestExit({ db: t.db, positionId, actor: tr.actor, purpose: 'MANUAL_EXIT', size: { kind: 'SHARE', pct: dec(30) }, reason: 'Partial close', exchange: flaky })
    expect((await exitOrders(t.db, positionId)).map((o) => o.status)).toEqual(['REJECTED'])
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('MONITORING')

    await Promise.all([a.runOnce(), b.runOnce()]) // one retry between them; refused again
    const twoRefused = await exitOrders(t.db, positionId)
    expect(twoRefused.map((o) => o.status)).toEqual(['REJECTED', 'REJECTED'])
    // A pass that decided to retry the first refusal before it saw the second attempt sends nothing.
    const stale = await requestExit({
      db: t.db,
      positionId,
      actor: { kind: 'WORKER', id: 'late pass' },
      purpose: 'MANUAL_EXIT',
      size: { kind: 'QTY', qty: dec('0.003') },
      reason: 'late retry',
      retryOf: twoRefused[0]!.id,
      exchange: flaky,
    })
    expect(stale).toBeNull()
    expect(await exitOrders(t.db, positionId)).toHaveLength(2)
    await Promise.all([a.runOnce(), b.runOnce()]) // the third attempt goes through
    let exits = await exitOrders(t.db, positionId)
    expect(exits.map((o) => [o.status, o.qty.toString(), o.createdBy])).toEqual([
      ['REJECTED', '0.003', 'USER'],
      ['REJECTED', '0.003', 'WORKER'],
      ['FILLED', '0.003', 'WORKER'],
    ])
    expect(new Set(exits.map((o) => o.clientOrderId)).size).toBe(3)
    await Promise.all([a.runOnce(), b.runOnce()]) // done: nothing more
    expect(await exitOrders(t.db, positionId)).toHaveLength(3)
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('MONITORING')
    expect(p.openQty.toString()).toBe('0.007')

    // An exchange that keeps refusing: three attempts in all, then the loop leaves it (and says so).
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    plan.set('BTC/USDT', { mode: 'REJECT', times: 100 })
    await requestExit({ db: t.db, positionId, actor: tr.actor, purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Close', exchange: flaky })
    for (let i = 0; i < 5; i++) await a.runOnce()
    exits = await exitOrders(t.db, positionId)
    expect(exits.slice(3).map((o) => [o.status, o.qty.toString()])).toEqual([
      ['REJECTED', '0.007'],
      ['REJECTED', '0.007'],
      ['REJECTED', '0.007'],
    ])
    expect(log.filter((m) => m.includes(positionId) && /3 exit attempts in a row did not go through/.test(m))).toHaveLength(1)
    plan.clear()
  })
  test('(f) an exchange failing for one order is logged and does not stop the others; the next pass catches up', async () => {
    const one = await newTrader(t.db, 'f1@example.com')
    const two = await newTrader(t.db, 'f2@example.com')
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    const p1 = await openLong(t.db, one, { stopLoss: '50000', limitPrice: '59000' })
    const p2 = await openLong(t.db, two, { stopLoss: '50000', limitPrice: '59000' })
    await seedMarket(t.db, { bid: '58900', ask: '58900.01' })
    expect(await matchRestingPaperOrders(t.db, 'BTC/USDT')).toHaveLength(2)

    let down = true
    const exchangeFor = (a: { id: string; kind: 'PAPER' | 'CCXT' }): ExchangePort => {
      const paper = new PaperExchange(t.db, a.id, { staleAfterMs: 60_000 })
      if (a.id !== one.accountId) return paper
      return {
        accountId: a.id,
        marketRules: (symbol) => paper.marketRules(symbol),
        placeOrder: (req) => paper.placeOrder(req),
        cancelOrder: (id) => paper.cancelOrder(id),
        fetchBalances: () => paper.fetchBalances(),
        fetchOrder: async (id) => {
          if (down) throw new ExchangeError('503 Service Unavailable (simulated)', true)
          return paper.fetchOrder(id)
        },
      }
    }
    const r = reconciler({ exchangeFor, recheckAfterMs: 0 })
    const entry = (positionId: string) => t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'ENTRY' } })

    const first = await r.runOnce()
    expect(first.errors).toBe(1)
    expect(first.applied).toBe(1)
    expect((await entry(p1)).status).toBe('SUBMITTED')
    expect((await entry(p2)).status).toBe('FILLED')
    const failing = (await entry(p1)).clientOrderId
    expect(log.some((m) => m.includes(`order ${failing} failed`) && m.includes('503 Service Unavailable'))).toBe(true)

    down = false
    const second = await r.runOnce()
    expect(second.errors).toBe(0)
    expect((await entry(p1)).status).toBe('FILLED')
    expect((await t.db.position.findUniqueOrThrow({ where: { id: p1 } })).status).toBe('MONITORING')
  })

  test('(g) an entry declared lost that fills after all brings its position back from FAILED, protected by its stop', async () => {
    const tr = await newTrader(t.db, 'g@example.com')
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    // The entry's request persists its order, then hangs before reaching the exchange.
    const gated = new GatedExchange(new PaperExchange(t.db, tr.accountId, { staleAfterMs: 60_000 }))
    const opening = openPosition({
      db: t.db,
      userId: tr.userId,
      actor: tr.actor,
      input: { traderId: tr.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '50000' },
      exchange: gated,
    })
    opening.catch(() => {}) // awaited below
    const entry = await waitFor(() => t.db.order.findFirst({ where: { traderId: tr.traderId, purpose: 'ENTRY' } }), 'entry order persisted')
    const positionId = entry.positionId!

    let clock = Date.now()
    const r = reconciler({ now: () => clock, newOrderGraceMs: 30_000, notFoundBudget: 3, recheckAfterMs: 5000, exitRetryBackoffMs: () => 3_600_000 })
    for (let i = 0; i < 3; i++) {
      clock += 31_000
      await r.runOnce()
    }
    expect(await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({ status: 'REJECTED', notFoundCount: 3 })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('FAILED')

    // The request wakes up and the entry fills: that exposure is real and must be watched.
    gated.open()
    await opening
    expect((await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).status).toBe('FILLED')
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('MONITORING')
    expect(p.statusReason).toBeNull()
    expect(p.openQty.toString()).toBe('0.01')
    expect(p.stopLoss?.toString()).toBe('50000')
    expect(await t.db.fill.count({ where: { orderId: entry.id } })).toBe(1)
    const moves = await t.db.positionEvent.findMany({ where: { positionId, type: 'STATUS_CHANGED' }, select: { fromStatus: true, toStatus: true } })
    expect(moves).toEqual(expect.arrayContaining([{ fromStatus: 'SUBMITTING', toStatus: 'FAILED' }, { fromStatus: 'FAILED', toStatus: 'OPEN' }, { fromStatus: 'OPEN', toStatus: 'MONITORING' }]))
  })
})

describe('worker: reconciliation runs as a loop beside the market loop and the trigger monitor', () => {
  let t: TestDatabase
  let fake: FakeBinance
  const log: string[] = []

  const start = (o: { exchangeFor?: (a: { id: string; kind: 'PAPER' | 'CCXT' }) => ExchangePort; reconcile?: Omit<ReconcileOptions, 'actor' | 'log' | 'exchangeFor'> }) => {
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500' })
    return startWorker({ db: t.db, cfg, databaseUrl: t.url, log: (m) => log.push(m), ...o })
  }

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinance()
    // The fake's prices, so positions can be opened before the worker's first poll.
    await seedMarket(t.db, { bid: '60000.00', ask: '60000.01' })
  })
  afterAll(async () => {
    await fake.close()
    await t.drop()
  })

  test('(a) at start, a NEW order within its grace is left to the web request sending it, whose fill is then applied normally', async () => {
    const tr = await newTrader(t.db, 'a@example.com')
    await seedMarket(t.db, { bid: '60000.00', ask: '60000.01' })
    const positionId = await openLong(t.db, tr, { stopLoss: '50000' })
    const { gated, sending, exit } = await holdClose(t.db, tr, positionId)

    let worker: Worker | null = null
    try {
      // The start-up pass has run when startWorker returns; then several scheduled passes.
      worker = await start({ reconcile: { intervalMs: 100, newOrderGraceMs: 30_000, recheckAfterMs: 0 } })
      expect(await t.db.order.findUniqueOrThrow({ where: { id: exit!.id } })).toMatchObject({ status: 'NEW', notFoundCount: 0, lastCheckedAt: null })
      await new Promise((r) => setTimeout(r, 1000))
      expect(await t.db.order.findUniqueOrThrow({ where: { id: exit!.id } })).toMatchObject({ status: 'NEW', notFoundCount: 0, lastCheckedAt: null })
      expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSING')

      gated.open()
      await sending
      const done = await t.db.order.findUniqueOrThrow({ where: { id: exit!.id } })
      expect(done.status).toBe('FILLED')
      expect(done.rejectReason).toBeNull()
      expect(await t.db.fill.count({ where: { orderId: exit!.id } })).toBe(1)
      expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
    } finally {
      await worker?.stop()
    }
  })

  test('(c) a stop-loss exit refused by a rate limit (nothing sent) is REJECTED at once and sent again by the loop within seconds, without a restart; the position closes once', async () => {
    const tr = await newTrader(t.db, 'c@example.com')
    fake.setPrice('BTC/USDT', '60000.00', '60000.01')
    await seedMarket(t.db, { bid: '60000.00', ask: '60000.01' })
    const positionId = await openLong(t.db, tr, { stopLoss: '59000' })

    const plan = new Map<string, Misbehaviour>()
    const exchanges = new Map<string, FlakyExchange>()
    const exchangeFor = (a: { id: string; kind: 'PAPER' | 'CCXT' }) => {
      let x = exchanges.get(a.id)
      if (!x) exchanges.set(a.id, (x = new FlakyExchange(new PaperExchange(t.db, a.id, { staleAfterMs: 10_000 }), plan)))
      return x
    }
    const calls = () => [...exchanges.values()].flatMap((x) => x.calls)

    let worker: Worker | null = null
    try {
      // The default 30 s grace: the retry must not wait for it, since the sender reported its failure.
      worker = await start({ exchangeFor, reconcile: { intervalMs: 200, newOrderGraceMs: 30_000, notFoundBudget: 3, recheckAfterMs: 700, exitRetryBackoffMs: () => 0 } })
      await waitFor(async () => (await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status === 'MONITORING', 'position monitored')

      plan.set('BTC/USDT', { mode: 'THROW' })
      fake.setPrice('BTC/USDT', '58000.00', '58000.01')
      await waitFor(async () => calls().some((c) => c.outcome === 'THROWN'), 'stop loss fired into a 429')
      // The price bounces back above the stop: the monitor will not fire again, so whatever
      // exit follows is the loop's doing.
      fake.setPrice('BTC/USDT', '60000.00', '60000.01')
      const firedAt = Date.now()
      // A 429 proves nothing was sent: the exit is REJECTED "not sent" at once (no lookups needed).
      const [first] = await exitOrders(t.db, positionId)
      expect(first).toMatchObject({ purpose: 'STOP_LOSS' })

      await waitFor(async () => (await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status === 'CLOSED', 'exit retried and filled', 10_000)
      expect(Date.now() - firedAt).toBeLessThan(8000)

      const exits = await exitOrders(t.db, positionId)
      expect(exits.map((o) => [o.purpose, o.status])).toEqual([
        ['STOP_LOSS', 'REJECTED'],
        ['STOP_LOSS', 'FILLED'],
      ])
      expect(exits[0]!.rejectReason).toMatch(/^not sent: /)
      expect(exits[1]!.clientOrderId).not.toBe(exits[0]!.clientOrderId)
      expect(exits[1]!.createdBy).toBe('WORKER')
      expect(calls().map((c) => [c.clientOrderId, c.outcome])).toEqual([
        [exits[0]!.clientOrderId, 'THROWN'],
        [exits[1]!.clientOrderId, 'PASSED'],
      ])
      const events = await t.db.positionEvent.findMany({ where: { positionId }, orderBy: { createdAt: 'asc' } })
      expect(events.some((e) => /did not go through \(not sent: /.test(e.message))).toBe(true)

      const exitFills = await t.db.fill.findMany({ where: { positionId, side: 'SELL' } })
      expect(exitFills.every((f) => f.orderId === exits[1]!.id)).toBe(true)
      expect(exitFills.reduce((s, f) => s.plus(f.qty.toString()), dec(0)).toFixed()).toBe('0.01')
      const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
      expect(p.openQty.toString()).toBe('0')
      // Nothing more is sent once it is closed.
      await new Promise((r) => setTimeout(r, 600))
      expect(calls()).toHaveLength(2)
      expect(await exitOrders(t.db, positionId)).toHaveLength(2)
    } finally {
      await worker?.stop()
    }
  })
})
