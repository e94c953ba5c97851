import { afterAll, beforeAll, expect, test } from 'vitest'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import type { CandleSource } from '@/lib/server/decisions/run-analysis-cycle'
import { createTrader } from '@/lib/server/traders/create-trader'
import { AnalysisScheduler } from '@/workers/decisions/analysis-scheduler'
import { CYCLE_CLASS } from '@/workers/decisions/cycle-claim'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { waitFor } from '@/tests/support/wait-for'

// Two workers, one trader: the account lease moved the trader to worker B while worker A's cycle
// for it was still running (past the lease's drain cap). B must not start a second cycle until A's
// has ended, or A has died.
let t: TestDatabase
let traderId: string
const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' } } })

/** A worker's scheduler whose candle reads (the first step of every cycle) are counted, and wait while `hold` is set. */
function worker(name: string) {
  const w = { calls: 0, logs: [] as string[], hold: null as Promise<void> | null, scheduler: null as unknown as AnalysisScheduler }
  const candles: CandleSource = async (symbol, tf, n) => {
    w.calls++
    await w.hold
    return feed.fetchCandles(symbol, tf, n)
  }
  w.scheduler = new AnalysisScheduler(t.db, { candles, actor: { kind: 'WORKER', id: name }, log: (m) => w.logs.push(m), staleAfterMs: 60_000 })
  return w
}
const cycles = () => t.db.decision.count({ where: { traderId } })

/** Workers A and B, with A's cycle for the trader started and held in its first step until `open()`. */
async function workerAInCycle() {
  const [a, b] = [worker('A'), worker('B')]
  let open!: () => void
  a.hold = new Promise<void>((r) => (open = r))
  const running = a.scheduler.trigger(traderId, 'MANUAL')
  await waitFor(async () => a.calls > 0, "A's cycle to start")
  return { a, b, open, running }
}

beforeAll(async () => {
  t = await createTestDatabase()
  const userId = (await t.db.user.create({ data: { email: 'claim@example.com', passwordHash: 'x' } })).id
  traderId = (await createTrader({ db: t.db, userId, input: { name: 'Claimed', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })).id
  await useManualTraderSettings(t.db, traderId)
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
})
afterAll(() => t.drop())

test("a second worker does not start a trader's cycle while another runs it, and does once it has ended", async () => {
  const { a, b, open, running } = await workerAInCycle()

  await b.scheduler.trigger(traderId, 'MANUAL')
  expect(b.calls).toBe(0)
  expect(b.logs).toEqual([`cycle for trader ${traderId} not started: another worker is still running one (it is due again on the next pass)`])

  open()
  await running
  const afterA = await cycles()
  expect(afterA).toBeGreaterThan(0)
  await b.scheduler.trigger(traderId, 'MANUAL')
  expect(b.calls).toBeGreaterThan(0)
  expect(await cycles()).toBeGreaterThan(afterA)
})

test("a worker that died holding the claim does not hold it: PostgreSQL frees it with the session", async () => {
  const { a, b, open, running } = await workerAInCycle()
  // A's claim connection is gone (the worker was killed, or lost the database).
  const ended = await t.db.$queryRaw<{ ok: boolean }[]>`
    SELECT pg_terminate_backend(pid) AS ok FROM pg_locks WHERE locktype = 'advisory' AND classid = ${CYCLE_CLASS} AND objsubid = 2`
  expect(ended.map((r) => r.ok)).toEqual([true])
  await waitFor(async () => (await t.db.$queryRaw<unknown[]>`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = ${CYCLE_CLASS}`).length === 0, 'the claim to be freed')
  // A hears of it, and goes on without ending the process.
  await waitFor(async () => a.logs.some((l) => l.startsWith(`cycle for trader ${traderId}: its claim was lost with its connection`)), 'A to hear of it')
  await b.scheduler.trigger(traderId, 'MANUAL')
  expect(b.calls).toBeGreaterThan(0)
  open()
  await running
})
