import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { Quote } from '@/lib/market-data/quote'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { StopManager } from '@/workers/management/stop-manager'
import type { AccountScope } from '@/workers/lease/account-lease'
import { TriggerMonitor } from '@/workers/monitor/trigger-monitor'
import { copyFilledPosition } from '@/tests/support/copy-filled-position'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// At start (and on taking accounts over) the worker arms its positions a thousand per query, not
// one query each (which Prisma answered in quadratic time: 30 s for 10,000). Every position must
// still be armed exactly as one at a time would: across the batches' edges, with the positions of
// other accounts, closed ones and missing ones left out, and a stop already crossed sent at once.
describe('arming many positions at start', () => {
  let t: TestDatabase
  const COPIES = 2_100
  let accountId: string
  let otherAccountId: string
  const owned = new Set<string>()
  const scope: AccountScope = { owns: (id) => owned.has(id), accountIds: () => [...owned] }
  const tick = (bid: string): Quote => ({ symbol: 'BTC/USDT', bid: dec(bid), ask: dec(bid).plus('0.01'), last: dec(bid), exchangeTs: Date.now(), receivedAt: Date.now() })

  beforeAll(async () => {
    t = await createTestDatabase()
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60000.01', depth: '1000' })
    const userId = (await t.db.user.create({ data: { email: 'many@example.com', passwordHash: 'x' } })).id
    const open = async (name: string, stopLoss: string) => {
      const trader = await createTrader({ db: t.db, userId, input: { name, quoteCurrency: 'USDT', startingBalance: '100000000', watchlist: ['BTC/USDT'] } })
      await useManualTraderSettings(t.db, trader.id)
      const input = { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG' as const, sizeMode: 'BASE' as const, size: '0.001', entryType: 'MARKET' as const, stopLoss }
      const { positionId } = await openPosition({ db: t.db, userId, actor: { kind: 'USER', id: userId }, input })
      return { positionId, accountId: trader.accountId }
    }
    const first = await open('Many', '59000')
    accountId = first.accountId
    // Copies 1..COPIES of it, stop g at 59000 - 0.02 g, with their entry orders and fills.
    await copyFilledPosition(t.db, first.positionId, COPIES, { prefix: 'm', stopStep: '0.02' })
    // Two that must stay unarmed: one closed, one monitored in an account this worker does not own.
    await t.db.position.update({ where: { id: 'mp-1500' }, data: { status: 'CLOSED', closedAt: new Date() } })
    otherAccountId = (await open('Elsewhere', '59500')).accountId
    owned.add(accountId)
  }, 120_000)
  afterAll(async () => {
    await t?.drop()
  })

  test('every owned position is armed once, with its own stop, and a stop already crossed exits at once', async () => {
    const monitor = new TriggerMonitor(t.db, { kind: 'WORKER', id: 'many' }, () => undefined, undefined, scope)
    const stops = new StopManager(t.db, { kind: 'WORKER', id: 'many' }, () => undefined, async () => [], Date.now, scope)
    // The tick comes before anything is armed: stops 59000, 58999.98 and 58999.96 are at or above its bid.
    expect(await monitor.onQuote(tick('58999.96'))).toBe(0)
    await monitor.loadAll()
    await stops.loadAll()

    const crossed = ['mp-1', 'mp-2']
    const statuses = await t.db.position.groupBy({ by: ['status'], where: { accountId }, _count: true })
    expect(Object.fromEntries(statuses.map((s) => [s.status, s._count]))).toEqual({ CLOSED: 1 + 3, MONITORING: COPIES + 1 - 1 - 3 })
    for (const id of crossed) expect((await t.db.position.findUniqueOrThrow({ where: { id } })).status).toBe('CLOSED')

    const armed = new Map(monitor.index.list().map((tr) => [tr.id, tr.price.toFixed()]))
    expect(armed.size).toBe(COPIES + 1 - 1 - 3)
    // Each side of both batch edges (1,000 and 2,000 ids in), and the last copy.
    for (const g of [999, 1000, 1001, 1999, 2000, 2001, COPIES]) expect(armed.get(`mp-${g}:sl`)).toBe(dec('59000').minus(dec('0.02').mul(g)).toFixed())
    expect(armed.has('mp-1500:sl')).toBe(false)
    expect([...armed.keys()].some((id) => id.startsWith('mp-') === false)).toBe(false)
    expect(stops.size()).toBe(COPIES + 1 - 1 - 3)
  })

  test('taking another account over arms its positions and keeps the others', async () => {
    const monitor = new TriggerMonitor(t.db, { kind: 'WORKER', id: 'many-2' }, () => undefined, undefined, scope)
    const stops = new StopManager(t.db, { kind: 'WORKER', id: 'many-2' }, () => undefined, async () => [], Date.now, scope)
    await Promise.all([monitor.loadAll(), stops.loadAll()])
    const before = monitor.index.list().length
    owned.add(otherAccountId)
    await Promise.all([monitor.rescope(), stops.rescope()])
    const other = await t.db.position.findFirstOrThrow({ where: { accountId: otherAccountId } })
    expect(monitor.index.list().map((tr) => tr.id)).toContain(`${other.id}:sl`)
    expect(monitor.index.list().length).toBe(before + 1)
    expect(stops.size()).toBe(before + 1)
    owned.delete(otherAccountId)
    await Promise.all([monitor.rescope(), stops.rescope()])
    expect(monitor.index.list().length).toBe(before)
    expect(stops.size()).toBe(before)
  })
})
