import { afterAll, beforeAll, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import type { Db } from '@/lib/db/client'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'

// A position's change reaches the worker as a notification, and the worker reloads the position to
// arm its stop. When that read fails (the database away for a moment), it is tried again: the stop
// is armed a moment later and fires, and the worker never stopped.
let t: TestDatabase
let fake: FakeBinance
let worker: Worker | null = null
let userId: string
let traderId: string
const log: string[] = []
// The trigger monitor's reads of a position (with its take-profit levels) to fail before one goes
// through: each try of a reload makes one.
let reloadsToFail = 0

beforeAll(async () => {
  t = await createTestDatabase()
  fake = await startFakeBinance()
  userId = (await t.db.user.create({ data: { email: 'reload@example.com', passwordHash: 'x' } })).id
  const trader = await createTrader({ db: t.db, userId, input: { name: 'R', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })
  await useManualTraderSettings(t.db, trader.id)
  traderId = trader.id
  const flaky = t.db.$extends({
    query: {
      position: {
        async findMany({ args, query }) {
          if (args.include && 'takeProfits' in args.include && reloadsToFail > 0) {
            reloadsToFail--
            throw new Error('Connection terminated unexpectedly')
          }
          return query(args)
        },
      },
    },
  }) as unknown as Db
  const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500' })
  worker = await startWorker({ db: flaky, cfg, databaseUrl: t.url, log: (m) => log.push(m) })
})
afterAll(async () => {
  await worker?.stop()
  await fake.close()
  await t.drop()
})

test('a reload that fails twice is tried again, and the stop it arms then fires', async () => {
  await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }), 'first quote')
  reloadsToFail = 2
  const { positionId } = await openPosition({
    db: t.db,
    userId,
    actor: { kind: 'USER', id: userId },
    input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
  })
  await waitFor(async () => reloadsToFail === 0 && (await t.db.position.findUnique({ where: { id: positionId } }))?.status === 'MONITORING', 'two failed reloads')
  // Armed by the third try (or at once checked against the last quote, if the fall came first).
  fake.setPrice('BTC/USDT', '58000.00', '58000.01')
  const closed = await waitFor(async () => {
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId }, include: { orders: { select: { purpose: true, createdBy: true } } } })
    return p.status === 'CLOSED' && p
  }, 'stop-loss exit')
  expect(closed.orders.map((o) => [o.purpose, o.createdBy])).toEqual([['ENTRY', 'USER'], ['STOP_LOSS', 'WORKER']])
  expect(log.filter((m) => m.startsWith(`position ${positionId}:`))).toEqual([
    `position ${positionId}: reload failed (Connection terminated unexpectedly); trying again, 4 more time(s)`,
    `position ${positionId}: reload failed (Connection terminated unexpectedly); trying again, 3 more time(s)`,
  ])
})
