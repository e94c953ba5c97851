// npm run bench — prints figures; nothing here asserts on time.
import { spawnSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { dec } from '@/lib/domain/decimal'
import { TriggerIndex } from '@/lib/domain/triggers/trigger-index'
import { FillModel } from '@/lib/exchange/paper/fill-model'
import { seededRandom } from '@/lib/domain/random'
import { benchDecisionCycle } from './decision-cycle'
import { benchLiveRoundTrip } from './live-round-trip'
import { benchLogs, LOG_BENCH_ROWS } from './logs-query'
import { benchOpens } from './open-throughput'
import { benchPanic, benchPanicDuringBurst } from './panic'
import { benchRiskRead } from './risk-read'
import { benchTickToExit } from './tick-to-exit'
import { benchTwoWorkers } from './two-workers'
import { webhookLatency } from './webhook-latency'

function benchTriggerIndex(positions: number, ticks: number) {
  const index = new TriggerIndex()
  const rnd = seededRandom(7)
  for (let i = 0; i < positions; i++) {
    const entry = 60000 + (rnd() - 0.5) * 2000
    const long = i % 2 === 0
    const sl = long ? entry * 0.97 : entry * 1.03
    const tp = long ? entry * 1.05 : entry * 0.95
    index.upsert({ id: `${i}:sl`, positionId: String(i), symbol: 'BTC/USDT', kind: 'STOP_LOSS', exitSide: long ? 'SELL' : 'BUY', price: dec(sl.toFixed(2)) })
    index.upsert({ id: `${i}:tp`, positionId: String(i), symbol: 'BTC/USDT', kind: 'TAKE_PROFIT', exitSide: long ? 'SELL' : 'BUY', price: dec(tp.toFixed(2)) })
  }
  // A quiet market: the price wanders inside the band where nothing fires, as on most ticks.
  const quotes = Array.from({ length: ticks }, () => {
    const mid = 60000 + (rnd() - 0.5) * 20
    return { bid: dec(mid.toFixed(2)), ask: dec((mid + 0.01).toFixed(2)) }
  })
  const t = performance.now()
  let fired = 0
  for (const q of quotes) fired += index.fired('BTC/USDT', q).length
  const ms = performance.now() - t
  return { positions, ticks, fired, usPerTick: ((ms * 1000) / ticks).toFixed(2), ticksPerSec: Math.round(ticks / (ms / 1000)) }
}

function benchFillModel(orders: number) {
  const model = new FillModel({}, seededRandom(1))
  const asks = Array.from({ length: 20 }, (_, i) => [dec(60000 + i), dec('0.5')] as [ReturnType<typeof dec>, ReturnType<typeof dec>])
  const bids = Array.from({ length: 20 }, (_, i) => [dec(59999 - i), dec('0.5')] as [ReturnType<typeof dec>, ReturnType<typeof dec>])
  const snap = { bid: dec(59999), ask: dec(60000), last: dec(60000), asks, bids }
  const t = performance.now()
  for (let i = 0; i < orders; i++) model.marketFills(i % 2 ? 'BUY' : 'SELL', dec('1.2'), snap)
  const ms = performance.now() - t
  return { orders, usPerOrder: ((ms * 1000) / orders).toFixed(2) }
}

// The configuration is read once per process: sections refresh quotes between measurements, not
// during them, so a busy machine must not turn them stale.
process.env.MARKET_STALE_AFTER_MS ??= '600000'

// npm run bench -- <section> ...  runs only those sections (names below); none given runs all.
const SECTIONS = ['trigger-index', 'fill-model', 'panic', 'decision-cycle', 'open-throughput', 'risk-read', 'live-round-trip', 'webhooks', 'tick-to-exit', 'two-workers', 'logs']
const only = process.argv.slice(2)
const unknown = only.filter((n) => !SECTIONS.includes(n))
if (unknown.length) throw new Error(`unknown bench section(s): ${unknown.join(', ')}`)
const sections = only.length ? SECTIONS.filter((n) => only.includes(n)) : SECTIONS

// Each section runs in a process of its own: one that ran after others in the same process
// inherited their heap and compiled code (opens at 100 concurrent: 388/s alone, 316/s after the
// panic and decision-cycle sections), so a figure depended on what had run before it.
if (sections.length > 1) {
  let failed = 0
  for (const section of sections) {
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), section], { stdio: 'inherit' })
    if (run.status !== 0) failed++
  }
  process.exit(failed ? 1 : 0)
}
const want = (name: string) => sections.includes(name)

if (want('trigger-index')) {
  console.log('Trigger index: cost of checking one tick against every open position (quiet market)')
  for (const n of [100, 1_000, 10_000, 100_000]) console.table([benchTriggerIndex(n, 20_000)])
}
if (want('fill-model')) {
  console.log('Paper fill model: market order walking 3 levels of a 20-level book')
  console.table([benchFillModel(50_000)])
}
if (want('panic')) {
  console.log('Panic: wall time to flatten paper positions (halt, one market exit each, report), real PostgreSQL')
  console.table(await benchPanic([{ traders: 1, positionsPerTrader: 50 }, { traders: 5, positionsPerTrader: 10 }]))
  console.log("Panic of a user with 100 traders (an account each, user-wide limits on), in quiet and while they enter: the halt waits for each account's entry in flight")
  console.table(await benchPanicDuringBurst())
}
if (want('decision-cycle')) {
  console.log('Decision cycle: latency excluding the model (context, candles, validation, sizing, journal), real PostgreSQL')
  console.table(await benchDecisionCycle(20))
}
if (want('open-throughput')) {
  console.log('Opening positions: POST /api/v1/positions (token auth, open, paper fill, 201 body) through the HTTP API of the production build, then calling the route handler in-process; one trader per concurrent client, real PostgreSQL')
  const opens = await benchOpens()
  console.log(`PostgreSQL single-row commit ceiling: ${opens.ceiling.clients20} inserts/s at 20 clients, ${opens.ceiling.clients60} at 60; one open = ${opens.perOpen.statements} SQL statements in ${opens.perOpen.transactions} transactions (route included)`)
  console.table(opens.rows)
  for (const [t, limits] of [[opens.postgresTime, 'off'], [opens.postgresTimeWithLimits, 'on'], [opens.postgresTimeOneUser, "on, one user's 100 traders"]] as const) {
    if (!t) {
      console.log("(pg_stat_statements is not loaded on this server: no per-statement figures)")
      break
    }
    console.log(`Where PostgreSQL's part of an open goes, risk limits ${limits} (route in-process, 20 concurrent, pg_stat_statements): statements' execution and planning ${t.statementsMs} ms per open of ${t.postgresCpuMs} ms PostgreSQL CPU (the rest: binding, protocol, commits, background work)`)
    console.table(t.rows)
  }
}
if (want('risk-read')) {
  console.log("An entry's risk read (its trader's and its book's state) as the book grows: one user, one open position and 50 closed ones per trader, real PostgreSQL, the entry's SQL path; ms per read; and the worker's breaker pass over the user's traders (every heartbeat)")
  console.table(await benchRiskRead([10, 100, 300, 600], 300))
}
if (want('live-round-trip')) {
  console.log('Live order round trip excluding the venue: market entry and close on a Binance spot TESTNET account, real ccxt to the local signed Binance server, real PostgreSQL, one at a time')
  const live = await benchLiveRoundTrip(200)
  console.log(
    `${live.filledOrders} orders filled; one entry = ${live.sql.open.statements} SQL statements in ${live.sql.open.transactions} transactions, one exit = ${live.sql.exit.statements} in ${live.sql.exit.transactions}; ` +
      `exchange requests besides the order: ${live.extraRequests}`,
  )
  console.table(live.rows)
}
if (want('webhooks')) {
  console.log('TradingView webhooks: time to the 202 (the route in-process, each post its own id), without and with the signal worker loop processing beside it; then signal to fill, one entry at a time (arrival to the first fill committed, database clocks), real PostgreSQL')
  const hooks = await webhookLatency()
  console.table(hooks.rows)
  console.log(`signals still queued at the end (every one should have been processed): ${hooks.leftQueued}`)
}
if (want('tick-to-exit')) {
  console.log('Tick to exit: a streamed tick crossing one stop → the exit order committed, real worker with ccxt pro on the local Binance websocket server, paper positions seeded in PostgreSQL, one tick at a time')
  console.table(await benchTickToExit([1_000, 10_000]))
}
if (want('two-workers')) {
  console.log('Two workers versus one: 200 traders (one paper account and one LONG each), one price move crossing all 200 stops → every position CLOSED; real worker processes on one PostgreSQL, REST market data polled every 100 ms')
  console.table(await benchTwoWorkers(200))
}
if (want('logs')) {
  console.log(`Logs viewer: GET /api/v1/logs's query (listLogs, 50 lines, keyset cursor) over 1,000,000 rows (${JSON.stringify(LOG_BENCH_ROWS)}), real PostgreSQL; ms per page`)
  const logs = await benchLogs(20)
  console.log(`${logs.total} rows seeded in ${logs.seedSeconds} s: ${JSON.stringify(logs.counts)}`)
  console.table(logs.rows)
}
