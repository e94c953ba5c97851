// The live order round trip with the venue taken out (issue 9): a trader on a Binance spot
// (TESTNET-mode) account sends market LONG entries and closes them, through the real ccxt
// client, to the local signed Binance server of the tests, against a real PostgreSQL. Node's own
// HTTP server probes stamp when each request reaches the fake and when its answer leaves (same
// process, same clock; the fake itself is untouched), so each call splits into: ours before the
// request (validation, the position/order transaction, ccxt building and signing), the venue's
// own time, and ours after the answer (parsing the report and committing the fill). ccxt's rate
// limiter stays on, as in production: its wait is part of (a) and is also shown on its own.
import dc from 'node:diagnostics_channel'
import type { IncomingMessage, Server } from 'node:http'
import { performance } from 'node:perf_hooks'
import ccxt from 'ccxt'
import pg from 'pg'
import { createDb } from '@/lib/db/client'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { startFakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { createBinanceTestnetTrader } from '@/tests/support/live-binance-account'
import { seedMarket } from '@/tests/support/seed-market'
import { withBenchDatabase } from './bench-database'
import { percentile } from './percentile'

const SYMBOL = 'BTC/USDT'
const BID = '60000.00'
const ASK = '60000.01'
const WARM_UP = 20
/** 10 s / 100 orders, with a margin. */
const ORDER_SPACING_MS = 105

interface Sample {
  /** openPosition / requestExit called → the fake has the POST /api/v3/order. */
  toRequest: number
  /** The fake's own time: request in → answer out. */
  venue: number
  /** Part of toRequest: the order held in ccxt's rate limiter. */
  rateLimiter: number
  /** The fake's answer out → the call resolved (the fill committed). */
  toCommit: number
  total: number
  /** Requests the call made to the exchange (1: the order alone). */
  requests: number
}

interface ServerHit {
  method: string
  path: string
  /** performance.now() when the request reached the server (before its handler runs). */
  receivedAt: number
  /** performance.now() once the whole answer was handed to the socket. */
  respondedAt?: number
}

/** Every request the HTTP server on `port` (in this process) receives, stamped on arrival and when answered. */
function watchServer(port: number) {
  const hits: ServerHit[] = []
  const open = new WeakMap<IncomingMessage, ServerHit>()
  const onStart = (m: unknown) => {
    const at = performance.now()
    const { request, server } = m as { request: IncomingMessage; server: Server }
    if ((server.address() as { port?: number } | null)?.port !== port) return
    const hit: ServerHit = { method: request.method ?? '', path: new URL(request.url ?? '/', 'http://x').pathname, receivedAt: at }
    open.set(request, hit)
    hits.push(hit)
  }
  const onFinish = (m: unknown) => {
    const at = performance.now()
    const hit = open.get((m as { request: IncomingMessage }).request)
    if (hit) hit.respondedAt = at
  }
  dc.subscribe('http.server.request.start', onStart)
  dc.subscribe('http.server.response.finish', onFinish)
  return {
    hits,
    stop() {
      dc.unsubscribe('http.server.request.start', onStart)
      dc.unsubscribe('http.server.response.finish', onFinish)
    },
  }
}

/** Runs `call` and splits its wall time around the one order request it sends to the fake. */
async function timed(server: { hits: ServerHit[] }, limiter: RateLimiterWatch, call: () => Promise<unknown>): Promise<Sample> {
  const before = server.hits.length
  const waited = limiter.waitMs
  const t0 = performance.now()
  await call()
  const t1 = performance.now()
  const sent = server.hits.slice(before)
  const orders = sent.filter((r) => r.method === 'POST' && r.path === '/api/v3/order')
  if (orders.length !== 1 || orders[0]!.respondedAt === undefined) {
    throw new Error(`live round trip: expected one answered POST /api/v3/order, saw ${sent.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`)
  }
  const o = orders[0] as ServerHit & { respondedAt: number }
  return { toRequest: o.receivedAt - t0, rateLimiter: limiter.waitMs - waited, venue: o.respondedAt - o.receivedAt, toCommit: t1 - o.respondedAt, total: t1 - t0, requests: sent.length }
}

interface RateLimiterWatch {
  waitMs: number
  stop(): void
}

/**
 * Adds up the time ccxt's rate limiter holds Binance requests back. ccxt binds `throttle` onto
 * each instance when it is built, so this must be installed before the account's adapter exists.
 * (Why there is a wait at all: an order costs 0.2 of binance's 50 ms rateLimit, and ccxt's leaky
 * bucket refills only while its loop runs, not while idle, so every lone order waits ~10 ms.)
 */
function watchRateLimiter(): RateLimiterWatch {
  const proto = ccxt.binance.prototype as unknown as { throttle: (cost?: number) => Promise<unknown> }
  const original = proto.throttle
  const watch: RateLimiterWatch = { waitMs: 0, stop: () => void (proto.throttle = original) }
  proto.throttle = async function (this: unknown, cost?: number) {
    const t = performance.now()
    try {
      return await original.call(this, cost)
    } finally {
      watch.waitMs += performance.now() - t
    }
  }
  return watch
}

/** Counts what `fn` sends to PostgreSQL: every statement on every pg client, and the BEGINs among them. */
async function countStatements(fn: () => Promise<unknown>) {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }
  const original = proto.query
  let statements = 0
  let transactions = 0
  proto.query = function (this: unknown, ...args: unknown[]) {
    statements++
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text
    if (text && /^\s*BEGIN/i.test(text)) transactions++
    return original.apply(this, args)
  }
  try {
    await fn()
  } finally {
    proto.query = original
  }
  return { statements, transactions }
}

export async function benchLiveRoundTrip(trips: number) {
  process.env.SECRETS_KEY ??= 'bench-secrets-key-not-for-production'
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    const fake = await startFakeBinanceSpot({ balances: { USDT: '10000000' } })
    const limiter = watchRateLimiter()
    const server = watchServer(Number(new URL(fake.url).port))
    try {
      const { userId, traderId } = await createBinanceTestnetTrader(db, fake, { watchlist: [SYMBOL] })
      const actor = { kind: 'USER' as const, id: userId }
      // The fake allows 100 new orders per 10 s, as Binance does. Orders are spaced (untimed) so
      // that our order-rate gate never holds one back: on a fast machine the bench otherwise ran
      // into the gate, which refuses an order whose slot is more than 5 s off.
      let lastOrderAt = 0
      /** The same price on the exchange and in our quote table (the feed would do this), and the order's slot; untimed. */
      const ready = async () => {
        const wait = lastOrderAt + ORDER_SPACING_MS - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        lastOrderAt = performance.now()
        fake.setPrice(SYMBOL, BID, ASK)
        await seedMarket(db, { symbol: SYMBOL, bid: BID, ask: ASK })
      }
      const entry = () =>
        openPosition({ db, userId, actor, input: { traderId, symbol: SYMBOL, side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' } })
      const exitAll = (positionId: string) => requestExit({ db, positionId, userId, actor, purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'bench' })
      let positionId = ''
      const roundTrip = async () => {
        await ready()
        const open = await timed(server, limiter, async () => void ({ positionId } = await entry()))
        await ready()
        const exit = await timed(server, limiter, () => exitAll(positionId))
        return { open, exit }
      }

      // Warm-up: ccxt loads the markets (GET exchangeInfo) and opens its connection; JIT, query plans.
      for (let i = 0; i < 3; i++) {
        await ready()
        await exitAll((await entry()).positionId)
      }
      for (let i = 0; i < WARM_UP; i++) await roundTrip()

      const opens: Sample[] = []
      const exits: Sample[] = []
      for (let i = 0; i < trips; i++) {
        const r = await roundTrip()
        opens.push(r.open)
        exits.push(r.exit)
      }
      // What one entry and one exit send to PostgreSQL, over a few more round trips.
      const COUNTED = 10
      const sums = { open: { statements: 0, transactions: 0 }, exit: { statements: 0, transactions: 0 } }
      for (let i = 0; i < COUNTED; i++) {
        await ready()
        const o = await countStatements(async () => void ({ positionId } = await entry()))
        await ready()
        const x = await countStatements(() => exitAll(positionId))
        for (const [k, v] of [['open', o], ['exit', x]] as const) {
          sums[k].statements += v.statements
          sums[k].transactions += v.transactions
        }
      }
      const per = (v: { statements: number; transactions: number }) => ({ statements: +(v.statements / COUNTED).toFixed(1), transactions: +(v.transactions / COUNTED).toFixed(1) })
      const sql = { open: per(sums.open), exit: per(sums.exit) }

      const notClosed = await db.position.count({ where: { traderId, status: { not: 'CLOSED' } } })
      if (notClosed) throw new Error(`live round trip: ${notClosed} positions did not end CLOSED`)
      const filled = await db.order.count({ where: { traderId, status: 'FILLED' } })

      const rows = []
      for (const [path, samples] of [['entry: openPosition (market LONG)', opens], ['exit: requestExit ALL (market SELL)', exits]] as const) {
        for (const [measure, key] of [
          ['(a) call → exchange has the request', 'toRequest'],
          ['    of which ccxt rate-limiter wait', 'rateLimiter'],
          ['(b) exchange answer out → fill committed', 'toCommit'],
          ['(c) venue: request in → answer out (excluded)', 'venue'],
          ['(d) whole call', 'total'],
        ] as const) {
          const v = samples.map((s) => s[key]).sort((a, b) => a - b)
          rows.push({ path, measure, n: v.length, p50ms: percentile(v, 50).toFixed(2), p99ms: percentile(v, 99).toFixed(2), maxms: v[v.length - 1]!.toFixed(2) })
        }
      }
      const extraRequests = [...opens, ...exits].reduce((n, s) => n + s.requests - 1, 0)
      return { rows, sql, filledOrders: filled, extraRequests }
    } finally {
      server.stop()
      limiter.stop()
      await closeLiveAdapters()
      await fake.close()
      await db.$disconnect()
    }
  })
}
