import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pruneEquitySnapshots } from '@/lib/server/accounts/prune-equity-snapshots'
import { loadEquityHistory } from '@/lib/server/performance/equity-history'
import { performanceReport } from '@/lib/server/performance/performance-report'
import { createTrader } from '@/lib/server/traders/create-trader'
import { EquitySnapshotLoop } from '@/workers/equity/equity-snapshot-loop'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

/**
 * Ten days of one snapshot a minute for two accounts, one owned by a user in Asia/Kolkata (UTC+5:30,
 * whose days end at 18:30 UTC, inside a UTC hour) and one by a user in UTC. Pruned a week after the
 * seventh day: of the three oldest days only what the figures read is left.
 */
describe('equity snapshot retention', () => {
  let t: TestDatabase
  const MINUTE = 60_000
  const DAY_MINUTES = 1440
  // Snapshot k is at START + k minutes (20 s past each minute); the last one is 30 s before NOW.
  const START = Date.parse('2026-03-01T00:00:20Z')
  const COUNT = 10 * DAY_MINUTES
  const NOW = new Date(START + COUNT * MINUTE - 50_000)
  // Older than NOW − 7 days: k < 3 days of minutes.
  const OLD = 3 * DAY_MINUTES
  // Account A's unpriced snapshots: one inside hour 1, one the last of hour 2.
  const UNPRICED = new Set([100, 179])
  // Snapshots taken on a fill (both accounts), none the last of its hour or day: three in the old
  // days (minute 30 of hour 0, 20:34 on day 0, 17:40 on day 1), one in the last week.
  const FILLS = new Set([30, 1234, 2500, 5000])
  const accounts = { kolkata: { userId: '', accountId: '' }, utc: { userId: '', accountId: '' } }
  const equityOf = (k: number) => (10_000 + k * 0.25 - (k % 13) * 7).toFixed(2)

  const kolkataReport = () => performanceReport({ db: t.db, userId: accounts.kolkata.userId, query: { mode: 'PAPER' }, now: NOW })
  const kolkataDaily = async () =>
    (await loadEquityHistory(t.db, { accountIds: [accounts.kolkata.accountId], fromMs: 0, toMs: NOW.getTime(), timeZone: 'Asia/Kolkata' })).daily.map((p) => [
      new Date(p.at).toISOString(),
      p.equity.toFixed(),
    ])
  const remaining = async (accountId: string) =>
    (await t.db.equitySnapshot.findMany({ where: { accountId }, select: { at: true }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })).map((r) => Math.round((r.at.getTime() - START) / MINUTE))

  beforeAll(async () => {
    t = await createTestDatabase()
    for (const [name, timeZone] of [['kolkata', 'Asia/Kolkata'], ['utc', 'UTC']] as const) {
      const userId = (await t.db.user.create({ data: { email: `${name}@example.com`, passwordHash: 'x', timeZone } })).id
      const trader = await createTrader({ db: t.db, userId, input: { name, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
      accounts[name] = { userId, accountId: trader.accountId }
      await t.db.equitySnapshot.deleteMany({ where: { accountId: trader.accountId } })
      await t.db.equitySnapshot.createMany({
        data: Array.from({ length: COUNT }, (_, k) => ({
          accountId: trader.accountId,
          at: new Date(START + k * MINUTE),
          equity: equityOf(k),
          unpriced: name === 'kolkata' && UNPRICED.has(k),
          reason: FILLS.has(k) ? 'FILL' : 'INTERVAL',
        })),
      })
    }
  })
  afterAll(() => t.drop())

  test('keeps the last week, and of older days every fill snapshot, the first snapshot and the last of each hour and of each of the owner\'s days; the figures do not change', async () => {
    const reportBefore = (await kolkataReport()).equity
    const dailyBefore = await kolkataDaily()
    // The first snapshot, then the closes of the 11 Kolkata days the 10 UTC days touch; the old ones at 18:29 UTC.
    expect(dailyBefore).toHaveLength(12)
    expect(dailyBefore.slice(1, 4).map(([at]) => at)).toEqual(['2026-03-01T18:29:20.000Z', '2026-03-02T18:29:20.000Z', '2026-03-03T18:29:20.000Z'])

    // Small batches: the pass goes through many statements.
    const deleted = await pruneEquitySnapshots(t.db, { now: NOW, batchRows: 500 })

    const minute = (k: number) => k % 60
    // Kolkata: every minute 59 (last of its UTC hour), 18:29 UTC (last of a Kolkata day), the first
    // snapshot (0), the first and last unpriced ones (100, 179), and 178 (the last priced one of hour 2).
    // Both: every fill snapshot.
    const keptKolkata = (k: number) => k >= OLD || minute(k) === 59 || k % DAY_MINUTES === 18 * 60 + 29 || [0, 100, 178, 179].includes(k) || FILLS.has(k)
    // UTC: days end on an hour, so minute 59 covers them; and the first snapshot.
    const keptUtc = (k: number) => k >= OLD || minute(k) === 59 || k === 0 || FILLS.has(k)
    const all = Array.from({ length: COUNT }, (_, k) => k)
    expect(await remaining(accounts.kolkata.accountId)).toEqual(all.filter(keptKolkata))
    expect(await remaining(accounts.utc.accountId)).toEqual(all.filter(keptUtc))
    // Of the 4320 old rows, Kolkata keeps 72 hours' last (179 among them) + 3 days' 18:29 + 0, 100
    // and 178 + the 3 old fills; UTC keeps 72 hours' last + the first + the 3 old fills.
    expect(deleted).toBe(OLD - (72 + 3 + 3 + 3) + OLD - (72 + 1 + 3))
    const fillsLeft = await t.db.equitySnapshot.findMany({ where: { accountId: accounts.kolkata.accountId, reason: 'FILL' }, select: { at: true }, orderBy: { at: 'asc' } })
    expect(fillsLeft.map((r) => r.at.getTime())).toEqual([...FILLS].map((k) => START + k * MINUTE))

    expect(await kolkataDaily()).toEqual(dailyBefore)
    const after = (await kolkataReport()).equity
    // Priced snapshots: the last week's 10080 and the 76 + 3 (fills) old priced ones kept.
    expect([reportBefore.snapshots, after.snapshots]).toEqual([COUNT - 2, 7 * DAY_MINUTES + 76 + 3])
    for (const k of ['start', 'end', 'totalReturnPct', 'annualizedReturnPct', 'sharpe', 'sortino', 'days', 'unpricedSkipped'] as const) expect(after[k]).toEqual(reportBefore[k])
    expect(reportBefore.start).toEqual({ at: new Date(START).toISOString(), equity: '10000' }) // equityOf(0)

    // Nothing more to thin until time passes.
    expect(await pruneEquitySnapshots(t.db, { now: NOW, batchRows: 500 })).toBe(0)
  })

  test('the worker\'s loop thins old snapshots after an interval pass, at most once per pruneEveryMs', async () => {
    const { accountId } = accounts.utc
    // Eight days before now, three in one UTC hour (the account's first snapshot is older still):
    // only the last of the hour stays.
    const hour = Math.floor((Date.now() - 8 * DAY_MINUTES * MINUTE) / 3_600_000) * 3_600_000
    const at = (m: number) => new Date(hour + m * MINUTE)
    await t.db.equitySnapshot.createMany({ data: [1, 2, 3].map((m) => ({ accountId, at: at(m), equity: '1', reason: 'INTERVAL' })) })
    const inHour = () => t.db.equitySnapshot.count({ where: { accountId, at: { gte: at(0), lt: at(60) } } })
    const recent = () => t.db.equitySnapshot.count({ where: { accountId, at: { gte: new Date(Date.now() - 60_000) } } })
    const log: string[] = []
    const loop = new EquitySnapshotLoop(t.db, (m) => log.push(m), { databaseUrl: t.url, intervalMs: 50, pruneEveryMs: 3_600_000 }).start()
    try {
      await waitFor(async () => (await inHour()) === 1, 'the first two of the hour thinned out')
      // Another one before the last: the loop passes again and again, but prunes only hourly.
      await t.db.equitySnapshot.create({ data: { accountId, at: at(2), equity: '1', reason: 'INTERVAL' } })
      const passes = await recent()
      await waitFor(async () => (await recent()) >= passes + 3, 'three more interval passes')
      expect(await inHour()).toBe(2)
    } finally {
      await loop.stop()
    }
    expect(log.filter((m) => m.includes('thinned out'))).toHaveLength(1)
  })
})
