import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { createChannel } from '@/lib/server/notifications/channels'
import { sendDailySummaries } from '@/lib/server/notifications/send-daily-summaries'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { NotificationLoop } from '@/workers/notifications/notification-loop'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { apiUser, call, fieldsOf, startApiDatabase } from '../api/api-harness'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver'

const actor = { kind: 'USER' as const, id: 'u' }
// 23:00Z on 9 March 2026 is 08:00 on 10 March in Tokyo (UTC+9, no DST).
const pass = (iso: string) => sendDailySummaries({ db: t.db, now: new Date(iso) })
const summaries = (userId: string) => t.db.activityEvent.findMany({ where: { userId, type: 'DAILY_SUMMARY' }, orderBy: { id: 'asc' } })

let t: TestDatabase
let rx: WebhookReceiver

describe('sendDailySummaries', () => {
  beforeEach(async () => {
    t = await createTestDatabase()
    rx = await startWebhookReceiver()
  })
  afterEach(async () => {
    await rx.close()
    await t.drop()
  })

  /** A Tokyo user with two closed paper trades (a win and a loss) and two open ones (one without a stop). */
  async function tokyoTrader() {
    const user = await t.db.user.create({ data: { email: 'tokyo@example.com', passwordHash: 'x', timeZone: 'Asia/Tokyo', dailySummaryAt: '08:00' } })
    const trader = await createTrader({ db: t.db, userId: user.id, input: { name: 'Momentum', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'BTC/USDT, ETH/USDT, SOL/USDT, XRP/USDT' } })
    const open = (symbol: string, side: 'LONG' | 'SHORT', size: string, stopLoss: string) =>
      openPosition({ db: t.db, userId: user.id, actor, input: { traderId: trader.id, symbol, side, sizeMode: 'BASE', size, entryType: 'MARKET', stopLoss } })
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
    const win = await open('BTC/USDT', 'LONG', '0.05', '59000')
    const loss = await open('ETH/USDT', 'SHORT', '0.5', '3100')
    await seedMarket(t.db, { bid: '61000', ask: '61010' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3050', ask: '3051' })
    await closePosition({ db: t.db, userId: user.id, actor, positionId: win.positionId, input: {} })
    await closePosition({ db: t.db, userId: user.id, actor, positionId: loss.positionId, input: {} })
    // Other symbols: entries on one symbol must be some minutes apart.
    await seedMarket(t.db, { symbol: 'SOL/USDT', bid: '150', ask: '150.1' })
    await seedMarket(t.db, { symbol: 'XRP/USDT', bid: '2', ask: '2.001' })
    const protectedOpen = await open('SOL/USDT', 'LONG', '4', '140')
    // Opening needs a stop; a position without one (e.g. adopted from the exchange) is seeded by clearing it.
    const bare = await open('XRP/USDT', 'SHORT', '100', '2.2')
    await t.db.position.update({ where: { id: bare.positionId }, data: { stopLoss: null } })
    // Into the period the 10 March summary covers (05:00 Tokyo that day); the fills stay as they were.
    await t.db.position.updateMany({ where: { id: { in: [win.positionId, loss.positionId] } }, data: { closedAt: new Date('2026-03-09T20:00:00Z') } })
    const rows = await t.db.position.findMany({ where: { traderId: trader.id } })
    const byId = new Map(rows.map((r) => [r.id, r]))
    const closed = [byId.get(win.positionId)!, byId.get(loss.positionId)!]
    const guarded = byId.get(protectedOpen.positionId)!
    return {
      user,
      closed,
      open: [guarded, byId.get(bare.positionId)!],
      pnl: fromDb(closed[0]!.realizedPnl).plus(fromDb(closed[1]!.realizedPnl)),
      fees: fromDb(closed[0]!.fees).plus(fromDb(closed[1]!.fees)),
      risk: fromDb(guarded.avgEntryPrice).minus(140).mul(fromDb(guarded.openQty)),
    }
  }

  it('sends once per local day at the chosen Tokyo time, with the figures of the 24 h before it, to the feed and a channel', async () => {
    const s = await tokyoTrader()
    expect(s.closed.map((p) => p.status)).toEqual(['CLOSED', 'CLOSED'])
    expect(fromDb(s.closed[0]!.realizedPnl).gt(0) && fromDb(s.closed[1]!.realizedPnl).lt(0)).toBe(true)
    await createChannel({ db: t.db, userId: s.user.id, input: { name: 'Hook', url: `${rx.origin}/hooks/daily` } })

    expect(await pass('2026-03-09T22:59:00Z')).toBe(0)
    expect(await summaries(s.user.id)).toEqual([])

    // Two workers at the same moment: one summary.
    const [a, b] = await Promise.all([pass('2026-03-09T23:00:00Z'), pass('2026-03-09T23:00:00Z')])
    expect(a + b).toBe(1)
    expect(await pass('2026-03-09T23:30:00Z')).toBe(0)
    expect(await pass('2026-03-10T14:59:00Z')).toBe(0) // 23:59 in Tokyo, still 10 March
    const [first] = await summaries(s.user.id)
    expect(first).toMatchObject({ severity: 'info' })
    expect(first!.message).toBe(
      'Daily summary, 2026-03-09 08:00 to 2026-03-10 08:00 (Asia/Tokyo):\n' +
        `PAPER USDT: PnL ${s.pnl.gt(0) ? '+' : ''}${s.pnl.toFixed()}, 2 closed trades (1 win), fees ${s.fees.toFixed()}; 2 open positions, open risk ${s.risk.toFixed()} (1 without a stop)`,
    )
    expect((await t.db.user.findUniqueOrThrow({ where: { id: s.user.id } })).dailySummarySentOn).toBe('2026-03-10')

    // The next local day: the trades closed before its period are no longer in it.
    expect(await pass('2026-03-10T23:00:00Z')).toBe(1)
    const next = (await summaries(s.user.id))[1]!
    expect(next.message).toBe(
      `Daily summary, 2026-03-10 08:00 to 2026-03-11 08:00 (Asia/Tokyo):\nPAPER USDT: no closed trades; 2 open positions, open risk ${s.risk.toFixed()} (1 without a stop)`,
    )

    // The channel gets both, as DAILY_SUMMARY.
    const loop = new NotificationLoop(t.db, { log: () => {}, intervalMs: 1000, now: () => new Date(Date.now() + 60_000) })
    await loop.runOnce()
    const sent = rx.requests.map((r) => r.body as { type: string; message: string }).filter((b) => b.type === 'DAILY_SUMMARY')
    expect(sent.map((b) => b.message)).toEqual([first!.message, next.message])
  })

  it('reads each user in their own zone, an unknown zone as UTC, and skips users without a time', async () => {
    const mk = (email: string, timeZone: string, dailySummaryAt: string | null) => t.db.user.create({ data: { email, passwordHash: 'x', timeZone, dailySummaryAt } })
    const tokyo = await mk('t@example.com', 'Asia/Tokyo', '08:00')
    const utc = await mk('u@example.com', 'UTC', '23:30')
    const unknown = await mk('m@example.com', 'Mars/Olympus', '23:15')
    const off = await mk('o@example.com', 'UTC', null)

    expect(await pass('2026-03-09T23:00:00Z')).toBe(1)
    expect(await pass('2026-03-09T23:15:00Z')).toBe(1)
    expect(await pass('2026-03-09T23:30:00Z')).toBe(1)
    const sentOn = async (id: string) => (await t.db.user.findUniqueOrThrow({ where: { id } })).dailySummarySentOn
    expect([await sentOn(tokyo.id), await sentOn(unknown.id), await sentOn(utc.id), await sentOn(off.id)]).toEqual(['2026-03-10', '2026-03-09', '2026-03-09', null])
    expect((await summaries(unknown.id))[0]!.message).toBe('Daily summary, 2026-03-08 23:15 to 2026-03-09 23:15 (UTC):\nNo closed trades and no open positions.')
    expect(await summaries(off.id)).toEqual([])
  })

  it("one user's summary that cannot be made leaves the others' sent, and is reported by user", async () => {
    // Checked first (users go by id): a time stored in a shape the API never writes.
    const broken = await t.db.user.create({ data: { id: 'a-broken-time', email: 'b@example.com', passwordHash: 'x', timeZone: 'UTC', dailySummaryAt: '8am' } })
    const tokyo = await t.db.user.create({ data: { id: 'b-tokyo', email: 't@example.com', passwordHash: 'x', timeZone: 'Asia/Tokyo', dailySummaryAt: '08:00' } })
    const failures: string[] = []
    expect(await sendDailySummaries({ db: t.db, now: new Date('2026-03-09T23:00:00Z'), onFailure: (userId, e) => failures.push(`${userId}: ${e.message}`) })).toBe(1)
    expect((await summaries(tokyo.id)).map((e) => e.message)).toEqual([expect.stringMatching(/^Daily summary, 2026-03-09 08:00 to 2026-03-10 08:00 \(Asia\/Tokyo\)/)])
    expect(await summaries(broken.id)).toEqual([])
    expect(failures).toEqual(['a-broken-time: "8am" is not a time HH:MM'])
  })
})

describe('/api/v1/notification-settings', () => {
  let api: Awaited<ReturnType<typeof startApiDatabase>>
  let route: typeof import('@/app/api/v1/notification-settings/route')
  let alice: { id: string; token: string }
  beforeAll(async () => {
    api = await startApiDatabase()
    alice = await apiUser(api, 'alice@example.com')
    route = await import('@/app/api/v1/notification-settings/route')
  })
  afterAll(async () => {
    await api?.stop()
  })
  const patch = (body: unknown) => call(route.PATCH, 'PATCH', '/api/v1/notification-settings', { token: alice.token, body })

  it('reads, sets and turns off the daily summary time', async () => {
    expect((await call(route.GET, 'GET', '/api/v1/notification-settings', { token: alice.token })).body).toEqual({ dailySummaryAt: null, timeZone: 'UTC', dailySummarySentOn: null })
    const set = await patch({ dailySummaryAt: '07:45' })
    expect(set.status).toBe(200)
    expect(set.body.dailySummaryAt).toBe('07:45')
    expect((await api.db.activityEvent.findFirstOrThrow({ where: { userId: alice.id, type: 'NOTIFICATION_SETTINGS_CHANGED' } })).message).toBe('Notification settings changed: daily summary at 07:45 (UTC)')
    expect((await patch({ dailySummaryAt: null })).body.dailySummaryAt).toBeNull()
    expect((await api.db.user.findUniqueOrThrow({ where: { id: alice.id } })).dailySummaryAt).toBeNull()
  })

  it.each([
    ['24:00', { dailySummaryAt: '24:00' }, ['dailySummaryAt']],
    ['no leading zero', { dailySummaryAt: '7:45' }, ['dailySummaryAt']],
    ['a number', { dailySummaryAt: 745 }, ['dailySummaryAt']],
    ['missing', {}, ['dailySummaryAt']],
    ['an unknown field', { dailySummaryAt: '07:00', sendAt: 'x' }, ['sendAt']],
  ])('400 naming the field for %s, nothing written', async (_label, body, fields) => {
    await patch({ dailySummaryAt: '06:00' })
    const res = await patch(body)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(fields)
    expect((await api.db.user.findUniqueOrThrow({ where: { id: alice.id } })).dailySummaryAt).toBe('06:00')
  })

  it('answers 401 without credentials', async () => {
    expect((await call(route.PATCH, 'PATCH', '/api/v1/notification-settings', { token: null, body: { dailySummaryAt: null } })).status).toBe(401)
  })
})
