import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { recordPositionEvent, withBatchedAudit } from '@/lib/server/audit/record-position-event'
import { listLogs } from '@/lib/server/logs/list-logs'
import { recordRiskRejection, RiskRejection } from '@/lib/server/risk/entry-risk'
import { createTrader } from '@/lib/server/traders/create-trader'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

// The feed's writers fill ActivityEvent.symbol, which the logs viewer's symbol filter reads.
let t: TestDatabase
let userId: string
let traderId: string
let btc: string
let eth: string
const actor = { kind: 'USER' as const, id: 'u' }

beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 's@example.com', passwordHash: 'x' } })).id
  const trader = await createTrader({ db: t.db, userId, input: { name: 'Alpha', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })
  traderId = trader.id
  const position = (symbol: string) =>
    t.db.position.create({ data: { traderId, accountId: trader.accountId, symbol, side: 'LONG', status: 'OPEN', entryType: 'MARKET', requestedQty: '1' }, select: { id: true } })
  btc = (await position('BTC/USDT')).id
  eth = (await position('ETH/USDT')).id
})
afterAll(() => t?.drop())

const feed = () => t.db.activityEvent.findMany({ where: { userId }, orderBy: { id: 'asc' }, select: { type: true, message: true, positionId: true, symbol: true, mirrorsPositionEvent: true } })

describe('the symbol of a feed row', () => {
  it('is the position\'s for a position event, written alone or in a batch (in the order recorded)', async () => {
    await t.db.$transaction((tx) => recordPositionEvent(tx, { positionId: btc, userId, type: 'SL_CHANGED', actor, message: 'alone' }))
    await t.db.$transaction((tx) =>
      withBatchedAudit(tx, async () => {
        await recordPositionEvent(tx, { positionId: eth, userId, type: 'FILL', actor, message: 'batch 1' })
        await recordPositionEvent(tx, { positionId: btc, userId, type: 'FILL', actor, message: 'batch 2' })
        await recordPositionEvent(tx, { positionId: eth, userId, type: 'ORDER_STATUS', actor, message: 'batch 3' })
      }),
    )
    // Each flagged as a mirror: the logs viewer shows it as the audit line only.
    expect((await feed()).filter((r) => r.positionId).map((r) => [r.message, r.symbol, r.mirrorsPositionEvent])).toEqual([
      ['alone', 'BTC/USDT', true],
      ['batch 1', 'ETH/USDT', true],
      ['batch 2', 'BTC/USDT', true],
      ['batch 3', 'ETH/USDT', true],
    ])
    // A batch's mirror rows keep the times of their audit rows (UTC, to the millisecond).
    const times = async (message: string) => [
      (await t.db.positionEvent.findFirstOrThrow({ where: { message } })).createdAt.toISOString(),
      (await t.db.activityEvent.findFirstOrThrow({ where: { message } })).createdAt.toISOString(),
    ]
    for (const m of ['batch 1', 'batch 2', 'batch 3']) {
      const [audit, mirror] = await times(m)
      expect(mirror).toBe(audit)
    }
  })

  it.each<[string, { positionId?: string; symbol?: string }, string | null]>([
    ['a position only: the position\'s', { positionId: 'eth' }, 'ETH/USDT'],
    ['a symbol only', { symbol: 'SOL/USDT' }, 'SOL/USDT'],
    ['neither: none', {}, null],
  ])('of an activity row naming %s', async (_label, about, symbol) => {
    const message = `activity ${JSON.stringify(about)}`
    // The table is built before the positions exist: 'eth' names the ETH position.
    const positionId = about.positionId ? eth : undefined
    await t.db.$transaction((tx) => recordActivity(tx, { userId, traderId, type: 'NOTE', severity: 'warning', message, symbol: about.symbol, positionId }))
    const row = await t.db.activityEvent.findFirstOrThrow({ where: { userId, message } })
    // The feed's own row, never a mirror, even about a position.
    expect(row).toMatchObject({ symbol, traderId, severity: 'warning', positionId: positionId ?? null, mirrorsPositionEvent: false })
  })

  it('is the asked symbol for an approval, so the logs viewer finds it by symbol', async () => {
    await createApproval({
      db: t.db,
      traderId,
      userId,
      decisionId: null,
      step: { kind: 'ENTRY', symbol: 'XRP/USDT', side: 'LONG', entryType: 'MARKET', limitPrice: null, qty: '10', stopLoss: '0.4', takeProfits: [] },
      expiryMinutes: 15,
      summary: {},
    })
    const { logs } = await listLogs({ db: t.db, userId, filter: { symbol: 'XRP/USDT' } })
    expect(logs.map((l) => [l.kind, l.type, l.symbol])).toEqual([['activity', 'APPROVAL_NEEDED', 'XRP/USDT']])
  })

  it('is the refused symbol for an entry refused by a risk limit: the feed row and the risk line both found by symbol', async () => {
    const rejection = new RiskRejection([{ limit: 'maxConcurrentPositions', label: 'max open positions', message: 'max open positions reached (3 of 3)', currentValue: '4', allowedValue: '3', scope: 'trader' }])
    const trader = await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })
    await recordRiskRejection(t.db, { userId, traderId, accountId: trader.accountId, source: 'AI', symbol: 'DOGE/USDT', rejection })
    const { logs } = await listLogs({ db: t.db, userId, filter: { symbol: 'DOGE/USDT' } })
    expect(logs.map((l) => [l.kind, l.type, l.symbol]).sort()).toEqual([
      ['activity', 'LIMIT_BREACHED', 'DOGE/USDT'],
      ['risk', 'maxConcurrentPositions', 'DOGE/USDT'],
    ])
  })
})

describe('the link from a feed copy to its audit row', () => {
  it('is written with the copy; the migration links the copies written before it, the same message twice in turn', async () => {
    const sol = (await t.db.position.create({ data: { traderId, accountId: (await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })).accountId, symbol: 'SOL/USDT', side: 'LONG', status: 'OPEN', entryType: 'MARKET', requestedQty: '1' }, select: { id: true } })).id
    // The same stop move twice, a second apart, and another event between them.
    for (const message of ['Stop moved to 20', 'Take-profit at 30 set', 'Stop moved to 20']) {
      await t.db.$transaction((tx) => recordPositionEvent(tx, { positionId: sol, userId, type: message.startsWith('Stop') ? 'SL_CHANGED' : 'TP_CHANGED', actor, message }))
      await new Promise((r) => setTimeout(r, 5))
    }
    await t.db.$transaction((tx) => recordActivity(tx, { userId, traderId, positionId: sol, type: 'NOTE', message: 'Stop moved to 20' }))
    const links = () => t.db.activityEvent.findMany({ where: { positionId: sol }, orderBy: { id: 'asc' }, select: { message: true, positionEventId: true } })
    const audit = await t.db.positionEvent.findMany({ where: { positionId: sol }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } })
    const written = await links()
    expect(written).toEqual([
      { message: 'Stop moved to 20', positionEventId: audit[0]!.id },
      { message: 'Take-profit at 30 set', positionEventId: audit[1]!.id },
      { message: 'Stop moved to 20', positionEventId: audit[2]!.id },
      // The feed's own row about the position is no copy.
      { message: 'Stop moved to 20', positionEventId: null },
    ])

    const migration = readFileSync(join(process.cwd(), 'prisma/migrations/20261207040544_audit_search_through_mirrors/migration.sql'), 'utf8')
    const backfill = migration.split(';').find((s) => s.includes('UPDATE "ActivityEvent"'))!
    await t.db.activityEvent.updateMany({ where: { positionId: sol }, data: { positionEventId: null } })
    await t.db.$executeRawUnsafe(backfill)
    expect(await links()).toEqual(written)
    // ...and the logs viewer's search finds each audit line once, with the feed's own row.
    const { logs } = await listLogs({ db: t.db, userId, filter: { symbol: 'SOL/USDT', q: 'moved' } })
    expect(logs.map((l) => [l.kind, l.message]).sort()).toEqual([['activity', 'Stop moved to 20'], ['audit', 'Stop moved to 20'], ['audit', 'Stop moved to 20']])
  })
})
