import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { exchangeAppError } from '@/lib/server/errors/known-error'
import { EVENTS_CHANNEL, type AppEvent } from '@/lib/server/events/notify'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// The paper exchange fills an entry inside the entry's own transaction: when it cannot place the
// order, nothing of the entry may remain (no position, no order, no paper order), and the caller
// hears why, as a retryable 503.
let t: TestDatabase
let userId: string
let trader: { id: string; accountId: string }
const actor = { kind: 'USER' as const, id: 'u' }
const entry = { symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' }

beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 'paper-entry@example.com', passwordHash: 'x' } })).id
  trader = await createTrader({ db: t.db, userId, input: { name: 'Paper', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  await useManualTraderSettings(t.db, trader.id)
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
})
afterAll(() => t.drop())

test('a placement that fails inside the entry transaction leaves nothing behind; once it can place, the entry fills', async () => {
  // A holding the paper exchange cannot value (no market for it): its margin check cannot run.
  await t.db.accountBalance.create({ data: { accountId: trader.accountId, asset: 'NOPRICE', amount: '3' } })
  const err = await openPosition({ db: t.db, userId, actor, input: { traderId: trader.id, ...entry } }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ExchangeError)
  expect(exchangeAppError(err)).toMatchObject({ code: 'EXCHANGE_UNAVAILABLE', status: 503 })
  expect(String((err as Error).message)).toContain('no price to value the NOPRICE balance')
  expect(await t.db.position.count({ where: { traderId: trader.id } })).toBe(0)
  expect(await t.db.order.count({ where: { traderId: trader.id } })).toBe(0)
  expect(await t.db.paperOrder.count({ where: { accountId: trader.accountId } })).toBe(0)
  expect(await t.db.positionEvent.count()).toBe(0)

  await t.db.accountBalance.delete({ where: { accountId_asset: { accountId: trader.accountId, asset: 'NOPRICE' } } })
  const { positionId } = await openPosition({ db: t.db, userId, actor, input: { traderId: trader.id, ...entry } })
  const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId }, include: { orders: true } })
  expect(p.status).toBe('MONITORING')
  expect(p.openQty.toString()).toBe('0.01')
  expect(p.orders.map((o) => [o.purpose, o.status, o.filledQty.toString()])).toEqual([['ENTRY', 'FILLED', '0.01']])
  expect(await t.db.paperOrder.count({ where: { accountId: trader.accountId } })).toBe(1)
})

test('the entry audit trail is written in order, mirrored to the activity feed with the symbol, and notified on commit', async () => {
  const other = await createTrader({ db: t.db, userId, input: { name: 'Audited', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  await useManualTraderSettings(t.db, other.id)
  const listener = new pg.Client({ connectionString: t.url })
  await listener.connect()
  const heard: AppEvent[] = []
  listener.on('notification', (n) => heard.push(JSON.parse(n.payload ?? '{}') as AppEvent))
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
  try {
    const { positionId } = await openPosition({ db: t.db, userId, actor, input: { traderId: other.id, ...entry } })
    const trail = [
      ['CREATED', null, 'CREATED'],
      ['STATUS_CHANGED', 'CREATED', 'SUBMITTING'],
      ['FILL', null, null],
      ['ORDER_STATUS', 'NEW', 'FILLED'],
      ['STATUS_CHANGED', 'SUBMITTING', 'OPEN'],
      ['STATUS_CHANGED', 'OPEN', 'MONITORING'],
    ]
    const events = await t.db.positionEvent.findMany({ where: { positionId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    expect(events.map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual(trail)
    expect(events.every((e) => e.actor === 'USER' && e.actorId === 'u')).toBe(true)
    expect(events[0]!.after).toEqual({ stopLoss: '59000', takeProfits: [] })
    // Nothing before or after is a NULL column, not a JSON null.
    const [{ nulls }] = await t.db.$queryRaw<{ nulls: number }[]>`SELECT count(*)::int AS nulls FROM "PositionEvent" WHERE "positionId" = ${positionId} AND before IS NULL AND (after IS NULL) = (type NOT IN ('CREATED', 'FILL'))`
    expect(nulls).toBe(6)
    const feed = await t.db.activityEvent.findMany({ where: { positionId }, orderBy: { id: 'asc' } })
    // Each copy names the audit row it copies: the logs viewer's search finds audit rows through it.
    expect(feed.map((a) => [a.type, a.message, a.symbol, a.mirrorsPositionEvent, a.positionEventId, a.createdAt.getTime()])).toEqual(events.map((e) => [e.type, e.message, 'BTC/USDT', true, e.id, e.createdAt.getTime()]))
    for (let i = 0; i < 100 && heard.filter((h) => h.kind === 'position' && h.positionId === positionId).length < 6; i++) await new Promise((r) => setTimeout(r, 20))
    expect(heard.filter((h) => h.kind === 'position' && h.positionId === positionId).map((h) => (h as { type: string }).type)).toEqual(trail.map(([type]) => type))
  } finally {
    await listener.end()
  }
})
