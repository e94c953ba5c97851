// From a price tick crossing a stop to the exit order persisted, with many paper positions open
// (issue 10). The real worker (startWorker) runs in this process with its market data streaming
// over real ccxt pro from the local Binance-compatible websocket server of the tests; positions
// are seeded straight into a real PostgreSQL: one opened through openPosition, the rest copied
// from it in SQL with stops 0.02 apart, so each tick crosses exactly one stop.
//
// Clock: t0 is taken just before the fake server writes the tick to the socket (so loopback and
// ccxt's parsing are included); "exit persisted" is when this process receives the NOTIFY that
// the exit's transaction (order row + EXIT_REQUESTED) sends on commit, on its own connection.
// The next tick is pushed once the position is CLOSED and the worker has settled (one tick
// crossing one stop at a time).
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { parseEnv } from '@/lib/config/env'
import { createDb, type Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { EVENTS_CHANNEL, QUOTES_CHANNEL, type AppEvent } from '@/lib/server/events/notify'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { copyFilledPosition } from '@/tests/support/copy-filled-position'
import { startFakeBinance } from '@/tests/support/fake-binance'
import { startFakeBinanceStream } from '@/tests/support/fake-binance-stream'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { startWorker } from '@/workers/worker'
import { withBenchDatabase } from './bench-database'
import { percentile } from './percentile'

const SYMBOL = 'BTC/USDT'
const QTY = '0.001'
const TOP_STOP = dec('59000')
const STOP_STEP = dec('0.02')
const SETTLE_MS = 250

/** One LONG position opened for real, then `n - 1` copies (entry order and fill included), stop i at 59000 - 0.02 i. */
async function seedPositions(db: Db, n: number): Promise<string[]> {
  const user = await db.user.create({ data: { email: `tick-${n}@example.com`, passwordHash: 'x' } })
  const trader = await createTrader({ db, userId: user.id, input: { name: 'Ticks', quoteCurrency: 'USDT', startingBalance: '100000000', watchlist: [SYMBOL] } })
  await useManualTraderSettings(db, trader.id)
  await saveMarketRules(db, { symbol: SYMBOL, base: 'BTC', quote: 'USDT', tickSize: dec('0.01'), stepSize: dec('0.00001'), minQty: dec('0.00001'), minNotional: dec('5') }, 'bench')
  const now = Date.now()
  await saveQuotes(db, [{ symbol: SYMBOL, bid: dec('60000'), ask: dec('60000.01'), last: dec('60000'), bids: [[dec('60000'), dec('1000')]], asks: [[dec('60000.01'), dec('1000')]], exchangeTs: now, receivedAt: now }], 'bench')
  const { positionId } = await openPosition({
    db,
    userId: user.id,
    actor: { kind: 'USER', id: user.id },
    input: { traderId: trader.id, symbol: SYMBOL, side: 'LONG', sizeMode: 'BASE', size: QTY, entryType: 'MARKET', stopLoss: TOP_STOP.toFixed() },
  })
  return [positionId, ...(await copyFilledPosition(db, positionId, n - 1, { prefix: 'b', stopStep: STOP_STEP.toFixed() }))]
}

async function scenario(positions: number, samples: number, housekeepingMs: number) {
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    const rest = await startFakeBinance()
    const ws = await startFakeBinanceStream({ rest })
    const listener = new pg.Client({ connectionString: url })
    let worker: Awaited<ReturnType<typeof startWorker>> | null = null
    try {
      const trace = (m: string) => process.env.TICK_TRACE && console.log(`[tick-to-exit ${positions}] ${m}`)
      const seededAt = performance.now()
      const ids = await seedPositions(db, positions)
      trace(`seeded in ${Math.round(performance.now() - seededAt)} ms`)
      await listener.connect()
      await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
      await listener.query(`LISTEN ${QUOTES_CHANNEL}`)
      const waiting = new Map<string, (at: number) => void>()
      let quoteWaiter: ((at: number) => void) | null = null
      listener.on('notification', (n) => {
        const at = performance.now()
        if (n.channel === QUOTES_CHANNEL) {
          quoteWaiter?.(at)
          quoteWaiter = null
          return
        }
        const e = JSON.parse(n.payload ?? '{}') as AppEvent
        if (e.kind === 'position') {
          waiting.get(e.positionId)?.(at)
          waiting.delete(e.positionId)
        }
      })

      const cfg = parseEnv({
        ...process.env,
        MARKET_DATA_SOURCE: 'exchange',
        MARKET_DATA_URL: rest.url,
        MARKET_DATA_WS_URL: ws.url,
        // No poll during the measurement: every exit comes from a streamed tick.
        MARKET_POLL_INTERVAL_MS: '3600000',
        MARKET_STALE_AFTER_MS: '600000',
        // Also the worker's housekeeping period (approval expiry, every user's loss breakers).
        WORKER_HEARTBEAT_MS: String(housekeepingMs),
      })
      const log: string[] = []
      const startedAt = performance.now()
      worker = await startWorker({ db, cfg, databaseUrl: url, log: (m) => (log.push(m), trace(`worker: ${m}`)) })
      const startMs = performance.now() - startedAt
      const armed = log.find((m) => m.startsWith('monitoring '))
      for (const end = Date.now() + 120_000; !log.some((m) => m.startsWith('market data: streaming ')); ) {
        if (Date.now() > end) throw new Error(`tick-to-exit: the worker did not start streaming; log: ${log.join(' | ')}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      // Start-up passes (protection check, balances, reconciliation) finish before the first tick.
      await new Promise((r) => setTimeout(r, 2000))

      const toExit: number[] = []
      const toStored: number[] = []
      const roundTrip: number[] = []
      for (let k = 0; k < samples; k++) {
        const id = ids[k]!
        // How responsive the machine is right now: one trivial statement through Prisma.
        const rt = performance.now()
        await db.$queryRaw`SELECT 1`
        roundTrip.push(performance.now() - rt)
        const stop = TOP_STOP.minus(STOP_STEP.mul(k))
        const bid = stop.minus('0.01')
        const persisted = new Promise<number>((resolve) => waiting.set(id, resolve))
        const stored = new Promise<number>((resolve) => (quoteWaiter = resolve))
        const t0 = performance.now()
        if (ws.push(SYMBOL, bid.toFixed(2), bid.plus('0.01').toFixed(2)) !== 1) throw new Error('tick-to-exit: the worker is not subscribed')
        const [exitAt, storedAt] = await Promise.all([persisted, stored])
        toExit.push(exitAt - t0)
        trace(`sample ${k}: exit persisted ${(exitAt - t0).toFixed(1)} ms, quote stored ${(storedAt - t0).toFixed(1)} ms`)
        toStored.push(storedAt - t0)
        for (const end = Date.now() + 120_000; ; ) {
          const p = await db.position.findUniqueOrThrow({ where: { id }, select: { status: true } })
          if (p.status === 'CLOSED') break
          if (Date.now() > end) throw new Error(`tick-to-exit: position ${id} is ${p.status}, not closed`)
          await new Promise((r) => setTimeout(r, 10))
        }
        trace(`sample ${k}: closed after ${(performance.now() - t0).toFixed(0)} ms`)
        // The worker finishes the tick after the close (trigger re-arm, rule management over every
        // open position, the web's notifications): the next tick comes once that has settled.
        await new Promise((r) => setTimeout(r, SETTLE_MS))
      }
      const stillOpen = await db.position.count({ where: { status: 'MONITORING' } })
      if (stillOpen !== positions - samples) throw new Error(`tick-to-exit: ${stillOpen} positions still monitored, expected ${positions - samples}`)
      toExit.sort((a, b) => a - b)
      toStored.sort((a, b) => a - b)
      roundTrip.sort((a, b) => a - b)
      return {
        positions,
        'housekeeping every (ms)': housekeepingMs,
        ticks: samples,
        'worker start (ms)': Math.round(startMs),
        armed: armed?.replace(/^monitoring (\d+) .*/, '$1') ?? '?',
        'tick→quote stored p50 (ms)': percentile(toStored, 50).toFixed(1),
        'tick→exit persisted p50 (ms)': percentile(toExit, 50).toFixed(1),
        'p99 (ms)': percentile(toExit, 99).toFixed(1),
        'max (ms)': toExit.at(-1)!.toFixed(1),
        'SELECT 1 p50 (ms)': percentile(roundTrip, 50).toFixed(2),
      }
    } finally {
      await worker?.stop()
      await listener.end().catch(() => undefined)
      await ws.close()
      await rest.close()
      await db.$disconnect()
    }
  })
}

/**
 * Each scenario on a fresh database: `positions` open, `samples` ticks each crossing one stop.
 * Run with the worker's default housekeeping period (2 s) and with it once a minute: every pass
 * recomputes each user's loss breakers from all their positions in the worker's own event loop,
 * so the second figure is the tick path alone. The first gets fewer ticks (each waits for the
 * worker to settle); 100 of them span some 20 housekeeping passes, so its p99 is not just its maximum.
 */
export async function benchTickToExit(
  scenarios: number[] = [1_000, 10_000],
  runs: { housekeepingMs: number; samples: number }[] = [
    { housekeepingMs: 2_000, samples: 100 },
    { housekeepingMs: 60_000, samples: 200 },
  ],
) {
  const rows = []
  for (const n of scenarios) {
    for (const r of runs) rows.push(await scenario(n, r.samples, r.housekeepingMs))
  }
  return rows
}
