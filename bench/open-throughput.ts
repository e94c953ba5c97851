// Opening paper positions (POST /api/v1/positions: bearer token, JSON body, 201 with the
// position) against a real PostgreSQL: one at a time, 20 and 100 at once (one trader each), next to
// the database's own ceiling of single-row commits; then 100 at once with the risk limits on, and
// by the traders of one user with them on, then with its user-wide limits the account-wide
// defaults (see LEVELS). Twice: through the real HTTP API of a
// production build (scripts/web-server.ts, as npm start runs it; the requests come from this process), and
// by calling the route handler in-process, which is what the route itself costs. Each pass starts
// with a warm-up burst (WARM_UP), reported as its first row. Each open is
// timed to its fill committed (heard over LISTEN) and to its 201 (which also reads the position's
// detail back for the body), and the CPU each process spent per open is read from /proc: what
// bounds the figures on a machine this size. Also counts the SQL statements and transactions of
// one open, and times PostgreSQL's part of it statement by statement (see statementTimes).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { createDb, type Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { DEFAULT_ACCOUNT_LIMITS, LIMIT_LABELS } from '@/lib/domain/risk/risk-limits'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { issueApiToken } from '@/lib/server/auth/api-tokens'
import { createTrader } from '@/lib/server/traders/create-trader'
import { buildWebAppIfNeeded } from '@/scripts/start/build-web-app'
import { webProcessArgs } from '@/scripts/start/web-command'
import { waitFor } from '@/tests/support/wait-for'
import { withBenchDatabase, withProcessDatabase } from './bench-database'
import { percentile } from './percentile'
import { postgresCpuMs, processCpuMs } from './process-cpu'
import { statementTimes } from './statement-times'
import { EVENTS_CHANNEL, type AppEvent } from '@/lib/server/events/notify'

const TRADERS = 100
const SYMBOLS = 50
/**
 * Opens of a 100-at-once burst that each pass starts with, on traders of their own. They are
 * measured like a level (the first row of each pass): a server just started runs its code
 * unoptimized, and V8 takes a couple of thousand opens to compile the hot path (the web process's
 * CPU per open fell from 2.7 to 1.6 ms over 4,500 opens here). The levels after it are what a
 * server that has been running serves.
 */
const WARM_UP = { http: 2500, inProcess: 2000 }

type PostHandler = (req: Request) => Promise<Response>
/** Sends one open as `token`; the response's status and body. */
type PostOpen = (token: string, body: string) => Promise<{ status: number; text: string }>

const ROOT = path.resolve(import.meta.dirname, '..')

function inProcess(handler: PostHandler): PostOpen {
  return async (token, body) => {
    const res = await handler(new Request('http://localhost/api/v1/positions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }))
    return { status: res.status, text: await res.text() }
  }
}

// node:http rather than fetch: the client shares the machine with the server and PostgreSQL, and
// fetch (undici, web streams) spent 1.5 ms of CPU per open here against 0.5 ms for node:http.
function overHttp(base: string): PostOpen {
  const url = new URL(`${base}/api/v1/positions`)
  const agent = new http.Agent({ keepAlive: true })
  return (token, body) =>
    new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) }
      const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode!, text }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(body)
    })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** The production build (built first if `.next` does not hold this commit's) serving `url`'s database, as npm start runs it. */
async function startWebApp(url: string) {
  const env = { ...process.env, DATABASE_URL: url, NEXTAUTH_SECRET: randomBytes(32).toString('base64url'), SECRETS_KEY: randomBytes(32).toString('base64url') }
  buildWebAppIfNeeded(ROOT, env, (m) => console.log(`[bench] ${m}`))
  const port = await freePort()
  const child = spawn(process.execPath, webProcessArgs(ROOT, port, false), {
    cwd: ROOT,
    env: { ...env, NODE_ENV: 'production', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const base = `http://127.0.0.1:${port}`
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`the web server exited (${child.exitCode})`)
    return fetch(`${base}/api/health`).then(() => true, () => false)
  }, 'the web server to answer', 120_000).catch((e: Error) => {
    throw new Error(`${e.message}:\n${err.slice(-2000)}`)
  })
  return {
    base,
    pid: child.pid!,
    async stop() {
      child.kill('SIGINT')
      await exited
    },
  }
}

/** Single-row autocommit INSERTs from `clients` connections for `ms`: what one commit costs PostgreSQL here. */
async function commitCeiling(url: string, clients: number, ms: number) {
  const pool = new pg.Pool({ connectionString: url, max: clients })
  await pool.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, v int NOT NULL, at timestamptz NOT NULL DEFAULT now())')
  const end = performance.now() + ms
  let n = 0
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = await pool.connect()
      try {
        while (performance.now() < end) {
          await c.query('INSERT INTO bench_commit (v) VALUES ($1)', [n])
          n++
        }
      } finally {
        c.release()
      }
    }),
  )
  await pool.query('DROP TABLE bench_commit')
  await pool.end()
  return Math.round(n / (ms / 1000))
}

const NO_LIMITS = Object.fromEntries(Object.keys(LIMIT_LABELS).map((k) => [k, null]))

// Every limit that reads the ledger on, the trader's and the user's, each far from binding: the
// entry then reads the risk state (its trader's and its book's), as with the default limits, and
// nothing is refused. Each trader holds up to a few dozen positions of 100 USDT here.
const WIDE_LIMITS = {
  ...NO_LIMITS,
  maxConcurrentPositions: 1000, maxExposurePctEquity: '100', dailyLossLimitPct: '50', maxDrawdownPct: '50',
  maxTradesPerDay: 100_000, cooldownMinutes: 1, maxConsecutiveLosses: 100, duplicateWindowSeconds: 60,
}

// The one user's user-wide limits: every one of WIDE_LIMITS but the cooldown and duplicate window;
// or the limits the account-wide defaults set (open positions, exposure, daily loss, drawdown) at WIDE_LIMITS' values,
// which read neither the book's entries nor its latest closes.
const ONE_USER_LIMITS = {
  all: { ...WIDE_LIMITS, cooldownMinutes: null, duplicateWindowSeconds: null },
  defaults: { ...NO_LIMITS, ...Object.fromEntries(Object.keys(DEFAULT_ACCOUNT_LIMITS).map((k) => [k, WIDE_LIMITS[k as keyof typeof WIDE_LIMITS]])) },
}

/** The limits of `traders` (the ones that each have a user of their own) and of their users. */
async function setLimits(db: Db, traders: { id: string }[], limits: Record<string, string | number | null>) {
  const ids = traders.map((t) => t.id)
  await db.trader.updateMany({ where: { id: { in: ids } }, data: { riskLimits: limits } })
  await db.user.updateMany({ where: { traders: { some: { id: { in: ids } } } }, data: { riskLimits: limits } })
}

async function seed(db: Db) {
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `B${String(i).padStart(2, '0')}/USDT`)
  for (const symbol of symbols) {
    await saveMarketRules(db, { symbol, base: symbol.split('/')[0]!, quote: 'USDT', tickSize: dec('0.01'), stepSize: dec('0.001'), minQty: dec('0.001'), minNotional: dec('5') }, 'bench')
  }
  // TRADERS traders, each with a user of its own, without limits.
  const eachOwnUser = async (name: string) => {
    const out: { id: string; token: string }[] = []
    for (let i = 0; i < TRADERS; i++) {
      const user = await db.user.create({ data: { email: `open-bench-${name}-${i}@example.com`, passwordHash: 'x', riskLimits: NO_LIMITS } })
      const trader = await createTrader({ db, userId: user.id, input: { name: `${name} ${i}`, quoteCurrency: 'USDT', startingBalance: '10000000', watchlist: symbols } })
      await db.trader.update({ where: { id: trader.id }, data: { riskLimits: NO_LIMITS } })
      out.push({ id: trader.id, token: (await issueApiToken(db, user.id, 'bench')).token })
    }
    return out
  }
  const traders = await eachOwnUser('T')
  // One user with TRADERS traders, every limit on: its entries read their book side by side, then
  // write and commit in turn (the book's BookEntryTotals row), since the user-wide limits count
  // them all. Not the user-wide cooldown and duplicate window, which would refuse one trader's
  // entry in a symbol another has just entered.
  const owner = await db.user.create({ data: { email: 'open-bench-one-user@example.com', passwordHash: 'x', riskLimits: ONE_USER_LIMITS.all } })
  const token = (await issueApiToken(db, owner.id, 'bench')).token
  const oneUser: { id: string; token: string }[] = []
  for (let i = 0; i < TRADERS; i++) {
    const trader = await createTrader({ db, userId: owner.id, input: { name: `One user ${i}`, quoteCurrency: 'USDT', startingBalance: '10000000', watchlist: symbols } })
    await db.trader.update({ where: { id: trader.id }, data: { riskLimits: WIDE_LIMITS } })
    oneUser.push({ id: trader.id, token })
  }
  // The warm-up's traders: like `traders`, with every symbol still free for the levels.
  const warmUp = await eachOwnUser('W')
  return { symbols, traders, oneUser, owner: owner.id, warmUp }
}

async function refreshQuotes(db: Db, symbols: string[]) {
  const now = Date.now()
  await saveQuotes(
    db,
    symbols.map((symbol) => ({ symbol, bid: dec('100'), ask: dec('100.01'), last: dec('100'), bids: [[dec('100'), dec('100000000')]], asks: [[dec('100.01'), dec('100000000')]], exchangeTs: now, receivedAt: now })),
    'bench',
  )
}

/**
 * When each position's entry fill was committed, as this process hears it: the NOTIFY of its FILL
 * event, delivered on commit. The 201 comes later (its body is read after the commit).
 */
async function listenForFills(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`LISTEN ${EVENTS_CHANNEL}`)
  const at = new Map<string, number>()
  client.on('notification', (n) => {
    const e = JSON.parse(n.payload ?? '{}') as AppEvent
    if (e.kind === 'position' && e.type === 'FILL' && !at.has(e.positionId)) at.set(e.positionId, performance.now())
  })
  /** When the fill of `positionId` was heard (waits for a notification still in flight). */
  const filledAt = async (positionId: string) => {
    for (let i = 0; i < 1000 && !at.has(positionId); i++) await new Promise((r) => setTimeout(r, 1))
    const t = at.get(positionId)
    if (t === undefined) throw new Error(`no fill was committed for position ${positionId}`)
    return t
  }
  return { filledAt, end: () => client.end() }
}

/** `total` opens, `concurrency` in flight at a time, each (trader, symbol) pair used once. */
async function runLevel(post: PostOpen, w: Awaited<ReturnType<typeof seed>>, firstSymbol: number, concurrency: number, total: number, fills?: Awaited<ReturnType<typeof listenForFills>>, webPid?: number) {
  const latencies: number[] = []
  const toFill: number[] = []
  const statuses: Record<number, number> = {}
  let next = 0
  const cpu = () => ({ web: webPid ? processCpuMs(webPid) : 0, postgres: postgresCpuMs(), bench: processCpuMs(process.pid) })
  const cpu0 = cpu()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const trader = w.traders[i % TRADERS]!
        const symbol = w.symbols[firstSymbol + Math.floor(i / TRADERS)]!
        const body = JSON.stringify({ traderId: trader.id, symbol, side: 'LONG', sizeMode: 'BASE', size: '1', entryType: 'MARKET', stopLoss: '90' })
        const s = performance.now()
        const res = await post(trader.token, body)
        latencies.push(performance.now() - s)
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        if (fills && res.status === 201) toFill.push((await fills.filledAt((JSON.parse(res.text) as { position: { id: string } }).position.id)) - s)
      }
    }),
  )
  const ms = performance.now() - t0
  const cpu1 = cpu()
  const perOpen = (k: keyof typeof cpu0) => ((cpu1[k] - cpu0[k]) / total).toFixed(2)
  latencies.sort((a, b) => a - b)
  toFill.sort((a, b) => a - b)
  return {
    concurrency, opens: total, statuses: JSON.stringify(statuses), opensPerSec: Math.round(total / (ms / 1000)),
    'fill committed p50 (ms)': toFill.length ? percentile(toFill, 50).toFixed(1) : '-',
    'p99 (ms)': toFill.length ? percentile(toFill, 99).toFixed(1) : '-',
    '201 p50 (ms)': percentile(latencies, 50).toFixed(1),
    '201 p99 (ms)': percentile(latencies, 99).toFixed(1),
    'CPU ms/open web / PG / bench': `${webPid ? perOpen('web') : '-'} / ${perOpen('postgres')} / ${perOpen('bench')}`,
  }
}

/** Counts what one open sends to PostgreSQL: every statement on every pg client, and the BEGINs among them. */
async function countStatements<T>(fn: () => Promise<T>) {
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

// Concurrency, opens, whether the risk limits are on (what they add), whose traders: one user
// each, or all of one user's (whose entries take turns under the user-wide limits); and how long
// the level waits first. Alerts come in bursts on candle closes, quiet in between: a burst of 100
// after 15 s of quiet (longer than pg's default idle timeout, which the pool no longer uses).
// The one user's book holds up to 1,000 open positions (its limit) after both passes.
const LEVELS: readonly (readonly [number, number, boolean, 'each' | 'one' | 'one, defaults', number?])[] = [
  [1, 100, false, 'each'], [20, 400, false, 'each'], [100, 500, false, 'each'], [100, 100, false, 'each', 15_000],
  [100, 500, true, 'each'], [100, 300, true, 'one'], [100, 200, true, 'one, defaults'],
]
/** Symbols one pass takes: its warm-up, then each level's opens over TRADERS traders. */
const SYMBOLS_PER_PASS = 1 + LEVELS.reduce((n, [, total]) => n + total / TRADERS, 0)

/**
 * A warm-up (connections, query plans, then WARM_UP's burst from the warm-up traders' symbol
 * `warmUpFirst` on, reported as the pass's first row), then each level, from symbol `first` on.
 */
async function measure(post: PostOpen, via: string, db: Db, w: Awaited<ReturnType<typeof seed>>, first: number, fills: Awaited<ReturnType<typeof listenForFills>>, warmUp: { first: number; opens: number }, webPid?: number) {
  await refreshQuotes(db, w.symbols)
  await runLevel(post, w, first, 10, TRADERS)
  const rows = [
    { via: `${via}: warm-up, its first ${warmUp.opens} opens`, riskLimits: 'off', users: String(TRADERS), ...(await runLevel(post, { ...w, traders: w.warmUp }, warmUp.first, 100, warmUp.opens, fills, webPid)) },
  ]
  let symbol = first + 1
  for (const [concurrency, total, limits, users, quietMs] of LEVELS) {
    await setLimits(db, w.traders, limits ? WIDE_LIMITS : NO_LIMITS)
    if (quietMs) await new Promise((r) => setTimeout(r, quietMs))
    await refreshQuotes(db, w.symbols)
    if (users !== 'each') await db.user.update({ where: { id: w.owner }, data: { riskLimits: users === 'one' ? ONE_USER_LIMITS.all : ONE_USER_LIMITS.defaults } })
    const traders = users === 'each' ? w : { ...w, traders: w.oneUser }
    rows.push({
      via: quietMs ? `${via}, after ${quietMs / 1000} s of quiet` : via, riskLimits: !limits ? 'off' : users === 'one, defaults' ? 'on (user-wide: defaults)' : 'on', users: users === 'each' ? String(TRADERS) : '1',
      ...(await runLevel(post, traders, symbol, concurrency, total, fills, webPid)),
    })
    symbol += total / TRADERS
  }
  await setLimits(db, w.traders, NO_LIMITS)
  return rows
}

export async function benchOpens() {
  return withBenchDatabase(async (url, ownCluster) => {
    const ceiling = { clients20: await commitCeiling(url, 20, 2000), clients60: await commitCeiling(url, 60, 2000) }
    // Quotes are refreshed before each level, not during it: the figures are about the open path.
    process.env.MARKET_STALE_AFTER_MS ??= '600000'
    return withProcessDatabase(url, async () => {
      const db = createDb(url)
      const fills = await listenForFills(url)
      try {
        const w = await seed(db)
        const web = await startWebApp(url)
        const rows = []
        try {
          rows.push(...(await measure(overHttp(web.base), 'HTTP, web server', db, w, 0, fills, { first: 0, opens: WARM_UP.http }, web.pid)))
        } finally {
          await web.stop()
        }
        const { POST } = (await import('@/app/api/v1/positions/route')) as unknown as { POST: PostHandler }
        const route = inProcess(POST)
        rows.push(...(await measure(route, 'route in-process', db, w, SYMBOLS_PER_PASS, fills, { first: WARM_UP.http / TRADERS, opens: WARM_UP.inProcess })))
        const perOpen = await countStatements(() => runLevel(route, w, 2 * SYMBOLS_PER_PASS, 1, 10))
        // Where PostgreSQL's part of an open goes, statement by statement (two more symbols' opens).
        const postgresTime = await statementTimes(url, TRADERS * 2, () => runLevel(route, w, 2 * SYMBOLS_PER_PASS + 1, 20, TRADERS * 2), { ownCluster, unit: 'open' })
        // The same with the risk limits on: what the entry's risk read adds.
        await setLimits(db, w.traders, WIDE_LIMITS)
        const postgresTimeWithLimits = await statementTimes(url, TRADERS * 2, () => runLevel(route, w, 2 * SYMBOLS_PER_PASS + 3, 20, TRADERS * 2), { ownCluster, unit: 'open' })
        // And by the one user's traders, whose entries read their book (every trader's positions):
        // 1,000 open after both passes, its open-position limit (at most 1,000) is off for these 100
        // more (one symbol each: a trader's watchlist holds 50, every one of them used by now).
        await db.user.update({ where: { id: w.owner }, data: { riskLimits: { ...ONE_USER_LIMITS.all, maxConcurrentPositions: null } } })
        const postgresTimeOneUser = await statementTimes(url, TRADERS, () => runLevel(route, { ...w, traders: w.oneUser }, 2 * SYMBOLS_PER_PASS + 5, 20, TRADERS), { ownCluster, unit: 'open' })
        const best = Math.max(ceiling.clients20, ceiling.clients60)
        return {
          ceiling,
          postgresTime,
          postgresTimeWithLimits,
          postgresTimeOneUser,
          perOpen: { statements: perOpen.statements / 10, transactions: perOpen.transactions / 10 },
          rows: rows.map((r) => ({ ...r, pctOfCommitCeiling: ((100 * r.opensPerSec) / best).toFixed(1) })),
        }
      } finally {
        await fills.end()
        await db.$disconnect()
      }
    })
  }, { statementStats: true })
}
