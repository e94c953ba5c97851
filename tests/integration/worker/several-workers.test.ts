import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const TRADERS = 16

/**
 * Real worker processes (`node --import tsx workers/main.ts`, as `npm start` runs it) against one database: two
 * split the accounts, each stop fires once, from the worker that owns its account; `kill -9` of
 * one hands its accounts and the primary role (the market data feed) to the other.
 */
describe('several workers split the accounts through PostgreSQL', () => {
  let t: TestDatabase
  let fake: FakeBinance
  const workers: { child: ChildProcess; out: string[] }[] = []
  const traders: { id: string; userId: string; accountId: string }[] = []

  const startWorkerProcess = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        MARKET_DATA_SOURCE: 'exchange',
        MARKET_DATA_URL: fake.url,
        MARKET_POLL_INTERVAL_MS: '150',
        WORKER_HEARTBEAT_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const w = { child, out: [] as string[] }
    child.stdout!.on('data', (d) => w.out.push(String(d)))
    child.stderr!.on('data', (d) => w.out.push(String(d)))
    workers.push(w)
    return w
  }
  const heartbeatOf = async (pid: number) => t.db.workerHeartbeat.findFirst({ where: { pid }, orderBy: { lastSeenAt: 'desc' } })
  const openAll = async (stop: string) => {
    const ids: string[] = []
    for (const tr of traders) {
      const { positionId } = await openPosition({
        db: t.db,
        userId: tr.userId,
        actor: { kind: 'USER', id: tr.userId },
        input: { traderId: tr.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.001', entryType: 'MARKET', stopLoss: stop },
      })
      ids.push(positionId)
    }
    return ids
  }
  /** Every position closed by exactly one stop-loss order that sold exactly what it held; who did each. */
  const stopExits = async (positionIds: string[]) => {
    await waitFor(async () => (await t.db.position.count({ where: { id: { in: positionIds }, status: 'CLOSED' } })) === positionIds.length, 'every stop fired', 30_000)
    const byWorker = new Map<string, number>()
    for (const id of positionIds) {
      const orders = await t.db.order.findMany({ where: { positionId: id }, orderBy: { createdAt: 'asc' } })
      expect(orders.map((o) => `${o.purpose} ${o.status} ${o.filledQty.toString()}`)).toEqual(['ENTRY FILLED 0.001', 'STOP_LOSS FILLED 0.001'])
      const exits = await t.db.positionEvent.findMany({ where: { positionId: id, actor: 'WORKER', fromStatus: 'MONITORING', message: { startsWith: 'Stop loss' } } })
      expect(exits).toHaveLength(1)
      byWorker.set(exits[0]!.actorId!, (byWorker.get(exits[0]!.actorId!) ?? 0) + 1)
    }
    return byWorker
  }

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinance()
    for (let i = 0; i < TRADERS; i++) {
      const user = await t.db.user.create({ data: { email: `w${i}@example.com`, passwordHash: 'x' } })
      const trader = await createTrader({ db: t.db, userId: user.id, input: { name: `T${i}`, quoteCurrency: 'USDT', startingBalance: '1000', watchlist: ['BTC/USDT'] } })
      await useManualTraderSettings(t.db, trader.id)
      traders.push({ id: trader.id, userId: user.id, accountId: trader.accountId })
    }
  })
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL')
    await fake?.close()
    await t?.drop()
  })

  test('two workers split the accounts, each stop fires once; after kill -9 of one the other takes everything over', async () => {
    onTestFailed(() => {
      for (const w of workers) console.log(`worker ${w.child.pid} said:\n${w.out.join('').slice(-4000)}`)
    })
    const a = startWorkerProcess()
    // Alone, the first worker holds every shard and is the primary one (it runs the feed).
    await waitFor(async () => {
      const h = await heartbeatOf(a.child.pid!)
      return h?.primary && h.shards === 64 && h.accounts === TRADERS
    }, 'the first worker holding everything', 60_000)
    await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }), 'first quote')

    const b = startWorkerProcess()
    const split = await waitFor(async () => {
      const [ha, hb] = await Promise.all([heartbeatOf(a.child.pid!), heartbeatOf(b.child.pid!)])
      return ha && hb && ha.shards === 32 && hb.shards === 32 ? { ha, hb } : null
    }, 'the shards split between the two workers', 60_000)
    expect(split.ha.primary).toBe(true)
    expect(split.hb.primary).toBe(false)
    expect(split.ha.accounts + split.hb.accounts).toBe(TRADERS)

    // Both watch their own accounts' stops (the second one on the ticks the primary publishes):
    // each worker exits exactly the positions of the accounts it holds, and each position once.
    const first = await openAll('59000')
    fake.setPrice('BTC/USDT', '58000.00', '58000.01')
    const expected = new Map(([[split.ha.id, split.ha.accounts], [split.hb.id, split.hb.accounts]] as [string, number][]).filter(([, n]) => n > 0))
    expect(await stopExits(first)).toEqual(expected)

    // kill -9 of the primary: PostgreSQL frees its locks; the other takes every shard and the feed.
    fake.setPrice('BTC/USDT', '60000.00', '60000.01')
    await waitFor(async () => (await t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }))?.bid.toString() === '60000', 'the price back up')
    const second = await openAll('59000')
    a.child.kill('SIGKILL')
    const killedAt = Date.now()
    const took = await waitFor(async () => {
      const h = await heartbeatOf(b.child.pid!)
      return h?.primary && h.shards === 64 && h.accounts === TRADERS ? h : null
    }, 'the survivor holding everything', 30_000)
    console.log(`several workers: the survivor held every shard and the feed ${Date.now() - killedAt} ms after kill -9 (heartbeat every 500 ms)`)
    fake.setPrice('BTC/USDT', '58000.00', '58000.01')
    expect(await stopExits(second)).toEqual(new Map([[took.id, TRADERS]]))
    expect(b.out.join('')).toContain('this worker is now the primary one')
  }, 180_000)
})
