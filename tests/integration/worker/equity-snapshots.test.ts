import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { EquitySnapshotLoop } from '@/workers/equity/equity-snapshot-loop'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

describe('equity snapshots: every account on a schedule, and an account right after its fills', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  let accountId: string
  let unreadAccountId: string
  const log: string[] = []
  const loops: EquitySnapshotLoop[] = []
  const snapshots = (reason: 'INTERVAL' | 'FILL', id = accountId) => t.db.equitySnapshot.findMany({ where: { accountId: id, reason }, orderBy: { id: 'asc' } })

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'eq@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Eq', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    accountId = trader.accountId
    // An exchange account whose balances were never read: its equity is unknown, not zero.
    unreadAccountId = (
      await t.db.exchangeAccount.create({
        data: {
          userId, name: 'Unread', kind: 'CCXT', venue: 'binance', mode: 'TESTNET', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001',
          apiKeyEnc: sealSecret('k-1111'), secretEnc: sealSecret('s-1111'), keyHint: '••••1111', baseUrl: 'http://127.0.0.1:1',
        },
      })
    ).id
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
  })
  afterAll(async () => {
    for (const l of loops) await l.stop()
    await t.drop()
  })

  const startLoop = (o: { intervalMs: number }) => {
    const loop = new EquitySnapshotLoop(t.db, (m) => log.push(m), { databaseUrl: t.url, intervalMs: o.intervalMs, fillSettleMs: 50, reconnectMs: 100 }).start()
    loops.push(loop)
    return loop
  }

  test('at the interval: one row per account each time, at the current marks', async () => {
    const loop = startLoop({ intervalMs: 200 })
    const rows = await waitFor(async () => {
      const r = await snapshots('INTERVAL')
      return r.length >= 3 ? r : null
    }, 'three interval snapshots')
    await loop.stop()
    // A paper account holding only its 10000 USDT.
    expect(rows.map((r) => [r.equity.toString(), r.unpriced])).toEqual(rows.map(() => ['10000', false]))
    // Spaced by the interval (each pass starts when the previous one ended plus 200 ms).
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.at.getTime() - rows[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(190)
    expect(await snapshots('INTERVAL', unreadAccountId)).toEqual([])
    // Stopped means stopped.
    const count = (await t.db.equitySnapshot.count())
    await new Promise((r) => setTimeout(r, 500))
    expect(await t.db.equitySnapshot.count()).toBe(count)
  })

  test('after each fill, even after the listening connection was cut', async () => {
    await t.db.equitySnapshot.deleteMany()
    // An hour apart: only the pass at start is an interval one.
    startLoop({ intervalMs: 3_600_000 })
    await waitFor(async () => (await snapshots('INTERVAL')).length === 1, 'the start-up pass')
    // This database's listening connections (the cluster is shared with other test files).
    const listeners = async () =>
      (await t.db.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`).map((r) => r.pid)
    const first = await waitFor(async () => {
      const pids = await listeners()
      return pids.length ? pids : null
    }, 'listening')

    const actor = { kind: 'USER' as const, id: userId }
    const entry = { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.1', entryType: 'MARKET', stopLoss: '59000' }
    const { positionId } = await openPosition({ db: t.db, userId, actor, input: entry })
    // Bought 0.1 @ 60010 for 6001 + 6.001 fee: 3992.999 USDT and 0.1 BTC at the bid 60000 = 9992.999
    const afterEntry = await waitFor(async () => (await snapshots('FILL'))[0], 'a snapshot after the entry fill')
    expect(afterEntry.equity.toString()).toBe('9992.999')

    // The connection it listens on is cut: it listens again and still hears the next fill.
    for (const pid of first) await t.db.$executeRaw`SELECT pg_terminate_backend(${pid}::int)`
    await waitFor(() => Promise.resolve(log.some((m) => m.includes('not hearing about fills'))), 'the drop to be noticed')
    await waitFor(async () => (await listeners()).some((pid) => !first.includes(pid)), 'listening again, on a new connection')
    await closePosition({ db: t.db, userId, actor, positionId, input: {} })
    // Sold 0.1 @ 60000 = 6000 − 6 fee: 9986.999 USDT, no BTC
    const afterExit = await waitFor(async () => (await snapshots('FILL'))[1], 'a snapshot after the exit fill')
    expect(afterExit.equity.toString()).toBe('9986.999')
    expect(afterExit.at.getTime()).toBeGreaterThan(afterEntry.at.getTime())
    // Fills of this account only; nothing about the others, and no extra interval pass.
    expect(await t.db.equitySnapshot.count({ where: { reason: 'FILL', accountId: { not: accountId } } })).toBe(0)
    expect(await snapshots('INTERVAL')).toHaveLength(1)
  })
})
