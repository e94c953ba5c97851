import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import type { Db } from '@/lib/db/client'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { AccountLease } from '@/workers/lease/account-lease'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// A worker takes over the accounts of one that died, and loading their positions fails for a
// moment (the database busy): it is tried again, and the stop of the position taken over fires.
let t: TestDatabase
let fake: FakeBinance
let worker: Worker | null = null
let other: pg.Client
const log: string[] = []
// The trigger monitor's reads of the positions it should watch to fail before one goes through.
let rescopesToFail = 0

beforeAll(async () => {
  t = await createTestDatabase()
  fake = await startFakeBinance()
})
afterAll(async () => {
  await worker?.stop()
  await other?.end().catch(() => {})
  await fake.close()
  await t.drop()
})

test("a failed take-up of a dead worker's accounts is tried again, and the stop taken over fires", async () => {
  const userId = (await t.db.user.create({ data: { email: 'rescope@example.com', passwordHash: 'x' } })).id
  const trader = await createTrader({ db: t.db, userId, input: { name: 'R', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })
  await useManualTraderSettings(t.db, trader.id)
  await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
  const input = { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' }
  const { positionId } = await openPosition({ db: t.db, userId, actor: { kind: 'USER', id: userId }, input })

  // Another worker holds every account (and the primary role).
  other = new pg.Client({ connectionString: t.url })
  await other.connect()
  await new AccountLease(other, { log: () => {}, intervalMs: 3_600_000 }).start()

  const flaky = t.db.$extends({
    query: {
      position: {
        async findMany({ args, query }) {
          if (JSON.stringify(args.where) === '{"status":"MONITORING"}' && rescopesToFail > 0) {
            rescopesToFail--
            throw new Error('Timed out fetching a new connection from the connection pool')
          }
          return query(args)
        },
      },
    },
  }) as unknown as Db
  const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500' })
  worker = await startWorker({ db: flaky, cfg, databaseUrl: t.url, log: (m) => log.push(m), leaseIntervalMs: 200 })
  expect(log).toContain('another worker is the primary one; this one takes its ticks from PostgreSQL')

  // The other worker dies; taking up its accounts fails twice.
  rescopesToFail = 2
  await other.end()
  await waitFor(async () => log.some((m) => m.startsWith('monitoring 1 stop/take-profit level(s)')), 'the position taken over armed')
  expect(rescopesToFail).toBe(0)
  expect(log.filter((m) => m.startsWith('lease: taking up the new share failed'))).toEqual([
    'lease: taking up the new share failed (Timed out fetching a new connection from the connection pool); trying again, 4 more time(s)',
    'lease: taking up the new share failed (Timed out fetching a new connection from the connection pool); trying again, 3 more time(s)',
  ])

  fake.setPrice('BTC/USDT', '58000.00', '58000.01')
  const closed = await waitFor(async () => {
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    return p.status === 'CLOSED' && p
  }, 'stop-loss exit')
  expect(closed.statusReason).toBe('STOP_LOSS')
})
