// Two worker processes versus one (issue 10). 200 traders, each on its own paper account with one
// LONG position whose stop sits at the same price; one price move crosses all 200 stops at once.
// Measured: from the move at the Binance-compatible REST server (polled every 100 ms) to every
// position CLOSED, first with one worker, then with two splitting the accounts; then how long the
// survivor takes to hold everything after `kill -9` of the primary. Real worker processes
// (`node --import tsx workers/main.ts`, as `npm start` runs them) against one PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createDb, type Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeBinance, type FakeBinance } from '@/tests/support/fake-binance'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { waitFor } from '@/tests/support/wait-for'
import { withBenchDatabase } from './bench-database'

const ROOT = path.resolve(import.meta.dirname, '..')
const SYMBOL = 'BTC/USDT'

// Polled every 10 ms: the figures are times to these conditions.
const waitUntil = <T>(check: () => Promise<T | null | false | undefined>, what: string) => waitFor(check, what, 120_000, 10)

async function seed(db: Db, traders: number) {
  await saveMarketRules(db, { symbol: SYMBOL, base: 'BTC', quote: 'USDT', tickSize: dec('0.01'), stepSize: dec('0.00001'), minQty: dec('0.00001'), minNotional: dec('5') }, 'bench')
  const now = Date.now()
  await saveQuotes(db, [{ symbol: SYMBOL, bid: dec('60000'), ask: dec('60000.01'), last: dec('60000'), bids: [[dec('60000'), dec('1000')]], asks: [[dec('60000.01'), dec('1000')]], exchangeTs: now, receivedAt: now }], 'bench')
  for (let i = 0; i < traders; i++) {
    const user = await db.user.create({ data: { email: `two-${i}@example.com`, passwordHash: 'x' } })
    const trader = await createTrader({ db, userId: user.id, input: { name: `T${i}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: [SYMBOL] } })
    await useManualTraderSettings(db, trader.id)
    await openPosition({ db, userId: user.id, actor: { kind: 'USER', id: user.id }, input: { traderId: trader.id, symbol: SYMBOL, side: 'LONG', sizeMode: 'BASE', size: '0.001', entryType: 'MARKET', stopLoss: '59000' } })
  }
}

function startWorkerProcess(url: string, fake: FakeBinance): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '100', WORKER_HEARTBEAT_MS: '250' },
    stdio: 'ignore',
  })
}

async function run(workerCount: number, traders: number) {
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    const fake = await startFakeBinance()
    fake.setPrice(SYMBOL, '60000.00', '60000.01')
    const children: ChildProcess[] = []
    try {
      await seed(db, traders)
      for (let i = 0; i < workerCount; i++) {
        children.push(startWorkerProcess(url, fake))
        // One after the other, as an operator adds workers: the second one splits what the first holds.
        await waitUntil(async () => {
          const beats = await db.workerHeartbeat.findMany({ where: { lastSeenAt: { gte: new Date(Date.now() - 1000) } } })
          return beats.length === i + 1 && beats.every((b) => b.shards === 64 / (i + 1))
        }, `${i + 1} worker(s) sharing the shards`)
      }
      await new Promise((r) => setTimeout(r, 2000)) // every worker has armed its positions' stops
      const beats = await db.workerHeartbeat.findMany({ where: { lastSeenAt: { gte: new Date(Date.now() - 1000) } }, orderBy: { primary: 'desc' } })
      const t0 = performance.now()
      fake.setPrice(SYMBOL, '58000.00', '58000.01')
      let half = 0
      await waitUntil(async () => {
        const closed = await db.position.count({ where: { status: 'CLOSED' } })
        if (!half && closed >= traders / 2) half = performance.now() - t0
        return closed === traders
      }, 'every stop filled')
      const all = performance.now() - t0
      const exits = await db.order.count({ where: { purpose: 'STOP_LOSS' } })
      let takeoverMs: number | null = null
      if (workerCount > 1) {
        const primary = children[0]!
        const killedAt = performance.now()
        primary.kill('SIGKILL')
        const survivor = beats.find((b) => !b.primary)!
        await waitUntil(() => db.workerHeartbeat.findFirst({ where: { id: survivor.id, primary: true, shards: 64 / (workerCount - 1) } }), 'the survivor taking over')
        takeoverMs = Math.round(performance.now() - killedAt)
      }
      return {
        workers: workerCount,
        traders,
        'accounts per worker': beats.map((b) => b.accounts).join(' / '),
        'stop exits sent': exits,
        'half closed ms': Math.round(half),
        'all closed ms': Math.round(all),
        'exits/s': Math.round(traders / (all / 1000)),
        'kill -9 → survivor holds all, ms': takeoverMs ?? '–',
      }
    } finally {
      for (const c of children) c.kill('SIGKILL')
      await fake.close()
      await db.$disconnect()
    }
  })
}

export async function benchTwoWorkers(traders = 200) {
  return [await run(1, traders), await run(2, traders)]
}
