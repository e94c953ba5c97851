import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadEquityHistory, MAX_CURVE_POINTS } from '@/lib/server/performance/equity-history'
import { createTrader } from '@/lib/server/traders/create-trader'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/**
 * Three days of one snapshot a minute (4320 rows): the curve is thinned to at most
 * MAX_CURVE_POINTS buckets in PostgreSQL, while each day's close is read exactly.
 */
describe('loadEquityHistory', () => {
  let t: TestDatabase
  let accountId: string
  const T0 = Date.parse('2025-03-01T00:00:00Z')
  const MINUTE = 60_000
  // Each day's last minute closes at these; the other minutes are 1000 + (minute mod 7), never a close.
  const CLOSES = ['1010', '1060.5', '1007.475']

  beforeAll(async () => {
    t = await createTestDatabase()
    const userId = (await t.db.user.create({ data: { email: 'h@example.com', passwordHash: 'x' } })).id
    accountId = (await createTrader({ db: t.db, userId, input: { name: 'H', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })).accountId
    const rows = Array.from({ length: 3 * 1440 }, (_, i) => ({
      accountId,
      at: new Date(T0 + i * MINUTE),
      equity: i % 1440 === 1439 ? CLOSES[Math.floor(i / 1440)]! : String(1000 + (i % 7)),
      reason: 'INTERVAL',
    }))
    await t.db.equitySnapshot.createMany({ data: rows })
  })
  afterAll(() => t.drop())

  test('UTC days: the first snapshot, then exactly each day\'s last one; the curve thinned but keeping both ends', async () => {
    const h = await loadEquityHistory(t.db, { accountIds: [accountId], fromMs: 0, toMs: T0 + 10 * 1440 * MINUTE, timeZone: 'UTC' })
    expect(h.snapshots).toBe(4320)
    expect(h.daily.map((p) => [new Date(p.at).toISOString(), p.equity.toFixed()])).toEqual([
      ['2025-03-01T00:00:00.000Z', '1000'],
      ['2025-03-01T23:59:00.000Z', '1010'],
      ['2025-03-02T23:59:00.000Z', '1060.5'],
      ['2025-03-03T23:59:00.000Z', '1007.475'],
    ])
    expect(h.curve.length).toBeGreaterThan(MAX_CURVE_POINTS / 2)
    expect(h.curve.length).toBeLessThanOrEqual(MAX_CURVE_POINTS + 2)
    const sorted = [...h.curve].sort((a, b) => a.at - b.at)
    expect(sorted[0]!.at).toBe(T0)
    expect(sorted[sorted.length - 1]!.at).toBe(T0 + (3 * 1440 - 1) * MINUTE)
  })

  test("the user's days: in Tokyo (UTC+9) a day closes at 14:59 UTC", async () => {
    const h = await loadEquityHistory(t.db, { accountIds: [accountId], fromMs: 0, toMs: T0 + 10 * 1440 * MINUTE, timeZone: 'Asia/Tokyo' })
    expect(h.daily.map((p) => new Date(p.at).toISOString())).toEqual([
      '2025-03-01T00:00:00.000Z',
      '2025-03-01T14:59:00.000Z',
      '2025-03-02T14:59:00.000Z',
      '2025-03-03T14:59:00.000Z',
      '2025-03-03T23:59:00.000Z',
    ])
  })

  test('a window: only its snapshots, to exclusive', async () => {
    const h = await loadEquityHistory(t.db, { accountIds: [accountId], fromMs: T0 + 1440 * MINUTE, toMs: T0 + 1440 * MINUTE + 10 * MINUTE, timeZone: 'UTC' })
    expect(h.snapshots).toBe(10)
    expect(h.curve).toHaveLength(10)
    // Minutes 1440…1449: first 1000 + 1440 mod 7 = 1000 + 5; last 1000 + 1449 mod 7 = 1000 + 0 (1449 = 7 × 207)
    expect(h.daily.map((p) => p.equity.toFixed())).toEqual(['1005', '1000'])
  })
})
