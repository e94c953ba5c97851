import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { recordActivity, type ActivityInput } from '@/lib/server/activity/record-activity'
import { createChannel, listChannels, listDeliveries, sendTestNotification, updateChannel } from '@/lib/server/notifications/channels'
import { DELIVERY_BACKOFF_MS, MAX_DELIVERY_ATTEMPTS } from '@/lib/server/notifications/deliver-notifications'
import { closePosition } from '@/lib/server/positions/close-position'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { openSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { NotificationLoop } from '@/workers/notifications/notification-loop'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver'

const actor = { kind: 'USER' as const, id: 'u' }
const SECRET_PATH = 'generic-secret-abc123'
const SECRET_KEY = 'topsecretkey987'

let t: TestDatabase
let rx: WebhookReceiver
let userId: string
let clock: Date
const logs: string[] = []

beforeEach(async () => {
  t = await createTestDatabase()
  rx = await startWebhookReceiver()
  userId = (await t.db.user.create({ data: { email: 'n@example.com', passwordHash: 'x' } })).id
  // Ahead of the database's clock, so every event counts as settled.
  clock = new Date(Date.now() + 60_000)
  logs.length = 0
})
afterEach(async () => {
  await rx.close()
  await t.drop()
})

const genericUrl = () => `${rx.origin}/hooks/${SECRET_PATH}?key=${SECRET_KEY}`
const newLoop = (o: { timeoutMs?: number } = {}) => new NotificationLoop(t.db, { log: (m) => logs.push(m), intervalMs: 1000, now: () => clock, ...o })
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms))
const activity = (a: Partial<ActivityInput> & { type: string }) =>
  t.db.$transaction((tx) => recordActivity(tx, { userId, message: `${a.type} happened`, ...a }))
const deliveries = () => t.db.notificationDelivery.findMany({ orderBy: { eventId: 'asc' } })
const bodies = () => rx.requests.map((r) => r.body as Record<string, unknown>)

async function channel(input: Record<string, unknown> = {}) {
  return createChannel({ db: t.db, userId, input: { name: 'Hook', url: genericUrl(), ...input } })
}

describe('NotificationLoop', () => {
  it('sends exactly the notifiable events of a position lifecycle and of the activity feed, as generic JSON', async () => {
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Momentum', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'BTC/USDT, ETH/USDT' } })
    await activity({ type: 'APPROVAL_NEEDED' }) // before the channel existed: never sent
    await new Promise((r) => setTimeout(r, 5))
    const ch = await channel()
    expect(ch.format).toBe('generic')

    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor,
      input: { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.05', entryType: 'MARKET', stopLoss: '59000', takeProfits: [{ price: '62000', sharePct: '50' }, { price: '63000', sharePct: '50' }] },
    })
    await modifyProtection({ db: t.db, userId, actor, positionId, input: { stopLoss: '59500' } })
    const tp1 = await t.db.takeProfit.findFirstOrThrow({ where: { positionId, price: '62000' } })
    await requestExit({ db: t.db, positionId, size: { kind: 'TAKE_PROFIT', takeProfitId: tp1.id }, purpose: 'TAKE_PROFIT', actor, reason: 'Take-profit 62000 touched' })
    await requestExit({ db: t.db, positionId, size: { kind: 'ALL' }, purpose: 'STOP_LOSS', actor, reason: 'Stop loss 59500 touched' })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
    const second = await openPosition({
      db: t.db,
      userId,
      actor,
      input: { traderId: trader.id, symbol: 'ETH/USDT', side: 'SHORT', sizeMode: 'BASE', size: '0.5', entryType: 'MARKET', stopLoss: '3100' },
    })
    await closePosition({ db: t.db, userId, actor, positionId: second.positionId, input: {} })

    await activity({ type: 'APPROVAL_NEEDED', severity: 'warning', traderId: trader.id })
    await activity({ type: 'TRADER_PAUSED', severity: 'warning' }) // not on the list
    await activity({ type: 'DECISION_FAILED', severity: 'error', message: 'Momentum: provider timed out' })
    await t.db.activityEvent.create({ data: { userId, type: 'PANIC', positionId, message: 'Panic: closed' } }) // per-position panic row
    await activity({ type: 'PANIC', severity: 'warning' })

    const run = await newLoop().runOnce()
    const sent = bodies().map((b) => b.type)
    expect(sent).toEqual(['POSITION_OPENED', 'STOP_MOVED', 'TP_HIT', 'STOPPED_OUT', 'POSITION_OPENED', 'POSITION_CLOSED', 'APPROVAL_NEEDED', 'ERROR', 'PANIC'])
    expect(run).toEqual({ enqueued: 9, delivered: 9, retrying: 0, failed: 0 })

    // The exact body of the first one.
    const opened = await t.db.activityEvent.findFirstOrThrow({ where: { positionId, type: 'STATUS_CHANGED', message: { startsWith: 'Entry filled' } } })
    expect(rx.requests[0]).toMatchObject({ method: 'POST', path: `/hooks/${SECRET_PATH}` })
    expect(rx.requests[0].headers['content-type']).toBe('application/json')
    expect(rx.requests[0].body).toEqual({
      id: opened.id.toString(),
      type: 'POSITION_OPENED',
      severity: 'info',
      message: 'Entry filled: 0.05 @ 60010',
      positionId,
      traderId: trader.id,
      symbol: 'BTC/USDT',
      at: opened.createdAt.toISOString(),
    })
    expect(bodies()[7]).toMatchObject({ type: 'ERROR', severity: 'error', message: 'Momentum: provider timed out', positionId: null })

    const rows = await deliveries()
    expect(rows.map((d) => [d.status, d.attempts])).toEqual(Array(9).fill(['DELIVERED', 1]))
    expect(rows.every((d) => d.deliveredAt?.getTime() === clock.getTime() && d.lastError === null)).toBe(true)
    // Each delivery carries its event's symbol, which the logs viewer's symbol filter reads.
    const eventSymbols = new Map((await t.db.activityEvent.findMany({ where: { id: { in: rows.map((d) => d.eventId) } } })).map((e) => [e.id, e.symbol]))
    expect(rows.map((d) => d.symbol)).toEqual(rows.map((d) => eventSymbols.get(d.eventId)))
    expect(rows.slice(0, 6).map((d) => d.symbol)).toEqual(['BTC/USDT', 'BTC/USDT', 'BTC/USDT', 'BTC/USDT', 'ETH/USDT', 'ETH/USDT'])

    // Nothing new: a second run enqueues and sends nothing.
    expect(await newLoop().runOnce()).toEqual({ enqueued: 0, delivered: 0, retrying: 0, failed: 0 })
    expect(rx.requests).toHaveLength(9)
  })

  it('sends Telegram sendMessage bodies with the chat id from the URL', async () => {
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Swing', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'
    await channel({ url: `${rx.origin}/bot${token}/sendMessage?chat_id=-1001234567890`, format: 'telegram' })
    await activity({ type: 'APPROVAL_NEEDED', severity: 'warning', traderId: trader.id, message: 'Approval needed: open LONG BTC/USDT (expires in 15 min)' })
    await newLoop().runOnce()

    expect(rx.requests).toHaveLength(1)
    const [req] = rx.requests
    expect(req.path).toBe(`/bot${token}/sendMessage`)
    expect(req.query.get('chat_id')).toBe('-1001234567890')
    expect(req.body).toEqual({ chat_id: '-1001234567890', text: '⚠️ Approval needed · Swing\nApproval needed: open LONG BTC/USDT (expires in 15 min)' })
  })

  it('sends Discord webhook bodies, cut to 2000 characters, with mentions disabled', async () => {
    rx.fallback = { status: 204 }
    await channel({ url: `${rx.origin}/api/webhooks/112233445566/discord-webhook-secret-token`, format: 'discord' })
    await activity({ type: 'LIMIT_BREACHED', severity: 'warning', message: `BTC/USDT entry refused @everyone ${'x'.repeat(3000)}` })
    await newLoop().runOnce()

    expect(rx.requests).toHaveLength(1)
    const body = rx.requests[0].body as { content: string; allowed_mentions: unknown }
    expect(Object.keys(body).sort()).toEqual(['allowed_mentions', 'content'])
    expect(body.allowed_mentions).toEqual({ parse: [] })
    expect(body.content).toHaveLength(2000)
    expect(body.content.startsWith('⚠️ Risk limit breached\nBTC/USDT entry refused @everyone xxx')).toBe(true)
    expect(body.content.endsWith('x…')).toBe(true)
    expect((await deliveries())[0].status).toBe('DELIVERED') // 204 is success
  })

  it('retries after a 500 once the backoff has passed, then delivers', async () => {
    await channel()
    rx.replyNext({ status: 500, body: 'upstream down' })
    await activity({ type: 'BREAKER_TRIPPED', severity: 'warning' })
    const loop = newLoop()
    const t0 = clock.getTime()

    expect(await loop.runOnce()).toMatchObject({ delivered: 0, retrying: 1 })
    let [d] = await deliveries()
    expect(d).toMatchObject({ status: 'RETRYING', attempts: 1, lastError: 'HTTP 500: upstream down', deliveredAt: null })
    expect(d.nextAttemptAt.getTime()).toBe(t0 + DELIVERY_BACKOFF_MS[0])

    advance(DELIVERY_BACKOFF_MS[0] - 1)
    await loop.runOnce()
    expect(rx.requests).toHaveLength(1) // not yet due

    advance(1)
    expect(await loop.runOnce()).toMatchObject({ delivered: 1 })
    ;[d] = await deliveries()
    expect(d).toMatchObject({ status: 'DELIVERED', attempts: 2, lastError: null })
    expect(d.deliveredAt?.getTime()).toBe(t0 + DELIVERY_BACKOFF_MS[0])
    expect(rx.requests).toHaveLength(2)
    expect(rx.requests[1].raw).toBe(rx.requests[0].raw) // the same body again
  })

  it('fails a 400 at once, without retrying, and keeps the URL out of the stored error', async () => {
    await channel()
    rx.replyNext({ status: 400, body: JSON.stringify({ error: `unknown hook ${genericUrl()}`, key: SECRET_KEY }) })
    await activity({ type: 'APPROVAL_EXPIRED', severity: 'warning' })
    const loop = newLoop()
    expect(await loop.runOnce()).toMatchObject({ failed: 1 })
    advance(24 * 3_600_000)
    await loop.runOnce()

    expect(rx.requests).toHaveLength(1)
    const [d] = await deliveries()
    expect(d).toMatchObject({ status: 'FAILED', attempts: 1 })
    expect(d.lastError).toMatch(/^HTTP 400: /)
    for (const text of [d.lastError!, JSON.stringify(await listDeliveries({ db: t.db, userId })), logs.join('\n')]) {
      expect(text).not.toContain(SECRET_PATH)
      expect(text).not.toContain(SECRET_KEY)
    }
    expect(d.lastError).toContain(`${rx.origin}/…`) // the hint stays
  })

  it('backs off 5 s, 30 s, 2 min, 10 min, 30 min, then gives up as FAILED', async () => {
    await channel()
    rx.fallback = { status: 503, body: '' }
    await activity({ type: 'PANIC', severity: 'warning' })
    const loop = newLoop()
    const waits: number[] = []
    for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      const before = clock.getTime()
      await loop.runOnce()
      const [d] = await deliveries()
      expect(d.attempts).toBe(attempt)
      if (d.status === 'FAILED') break
      expect(d.status).toBe('RETRYING')
      waits.push(d.nextAttemptAt.getTime() - before)
      clock = d.nextAttemptAt
    }
    expect(waits).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000])
    const [d] = await deliveries()
    expect(d).toMatchObject({ status: 'FAILED', attempts: 6, lastError: 'HTTP 503; gave up after 6 attempts' })
    advance(24 * 3_600_000)
    await loop.runOnce()
    expect(rx.requests).toHaveLength(6)
  })

  it('honours a 429 Retry-After for the whole channel', async () => {
    await channel()
    rx.replyNext({ status: 429, headers: { 'retry-after': '120' }, body: '{"retry_after":120}' })
    await activity({ type: 'APPROVAL_NEEDED' })
    await activity({ type: 'APPROVAL_EXPIRED' })
    const loop = newLoop()
    const t0 = clock.getTime()
    await loop.runOnce()
    expect(rx.requests).toHaveLength(1) // the second waits with the first
    const [first, second] = await deliveries()
    expect(first).toMatchObject({ status: 'RETRYING', attempts: 1 })
    expect(first.nextAttemptAt.getTime()).toBe(t0 + 120_000)
    expect(second).toMatchObject({ status: 'PENDING', attempts: 0 })
    expect(second.nextAttemptAt.getTime()).toBe(t0 + 120_000)

    advance(60_000)
    await loop.runOnce()
    expect(rx.requests).toHaveLength(1)
    advance(60_000)
    expect(await loop.runOnce()).toMatchObject({ delivered: 2 })
    expect(bodies().map((b) => b.type)).toEqual(['APPROVAL_NEEDED', 'APPROVAL_NEEDED', 'APPROVAL_EXPIRED'])
  })

  it('retries after a timeout and after a refused connection', async () => {
    await channel()
    rx.replyNext({ status: 200, hang: true })
    await activity({ type: 'APPROVAL_NEEDED' })
    await newLoop({ timeoutMs: 200 }).runOnce()
    expect((await deliveries())[0]).toMatchObject({ status: 'RETRYING', attempts: 1, lastError: 'timed out after 200 ms' })

    const gone = await startWebhookReceiver()
    await gone.close()
    const closed = await createChannel({ db: t.db, userId, input: { name: 'Gone', url: `${gone.origin}/hooks/${SECRET_PATH}` } })
    await activity({ type: 'APPROVAL_EXPIRED' })
    await newLoop().runOnce()
    const d = await t.db.notificationDelivery.findFirstOrThrow({ where: { channelId: closed.id } })
    expect(d).toMatchObject({ status: 'RETRYING', attempts: 1, lastError: 'network error: ECONNREFUSED' })
  })

  it('never sends a delivery twice when two workers run at the same time', async () => {
    await channel()
    await createChannel({ db: t.db, userId, input: { name: 'Second', url: `${rx.origin}/hooks/second` } })
    rx.fallback = { status: 200, delayMs: 20 }
    for (let i = 0; i < 6; i++) await activity({ type: 'APPROVAL_NEEDED', message: `approval ${i}` })

    const [a, b] = await Promise.all([newLoop().runOnce(), newLoop().runOnce()])
    expect(a.delivered + b.delivered).toBe(12)
    expect(a.enqueued + b.enqueued).toBe(12)
    const sent = rx.requests.map((r) => `${r.path} ${(r.body as { id: string }).id}`)
    expect(sent).toHaveLength(12)
    expect(new Set(sent).size).toBe(12)
    expect((await deliveries()).every((d) => d.status === 'DELIVERED' && d.attempts === 1)).toBe(true)
  })

  it('a loop started afresh (a restart, a new primary) also sends an event that committed after a newer one was delivered', async () => {
    await channel()
    await activity({ type: 'APPROVAL_NEEDED', message: 'first' })
    const first = await t.db.activityEvent.findFirstOrThrow({ where: { message: 'first' } })
    // A newer event, delivered by the first loop...
    await t.db.activityEvent.create({ data: { id: first.id + 10n, userId, type: 'APPROVAL_NEEDED', severity: 'warning', message: 'newer' } })
    expect((await newLoop().runOnce()).delivered).toBe(2)
    // ...and one whose transaction took a lower id but committed only now, after that loop stopped.
    await t.db.activityEvent.create({ data: { id: first.id + 5n, userId, type: 'APPROVAL_NEEDED', severity: 'warning', message: 'late' } })

    expect((await newLoop().runOnce()).delivered).toBe(1)
    expect(rx.requests).toHaveLength(3) // each event sent once
    expect((await deliveries()).map((d) => d.eventId)).toEqual([first.id, first.id + 5n, first.id + 10n])
  })

  it('skips events while a channel is disabled, including retries waiting at the time', async () => {
    const ch = await channel()
    rx.replyNext({ status: 502 })
    await activity({ type: 'APPROVAL_NEEDED', message: 'waiting' })
    const loop = newLoop()
    await loop.runOnce()
    expect((await deliveries())[0].status).toBe('RETRYING')

    await updateChannel({ db: t.db, userId, channelId: ch.id, input: { enabled: false } })
    await activity({ type: 'APPROVAL_NEEDED', message: 'while disabled' })
    advance(3_600_000)
    await loop.runOnce()
    expect((await deliveries()).map((d) => d.status)).toEqual(['SKIPPED', 'SKIPPED'])
    expect(rx.requests).toHaveLength(1)

    await updateChannel({ db: t.db, userId, channelId: ch.id, input: { enabled: true } })
    await activity({ type: 'APPROVAL_NEEDED', message: 'after' })
    await loop.runOnce()
    expect(bodies().map((b) => b.message)).toEqual(['waiting', 'after'])
  })

  it('keeps the URL sealed in the database and out of what the services return', async () => {
    const token = '987654321:ZZtopSecretBotTokenValue_abcdefghij'
    const url = `https://api.telegram.org/bot${token}/sendMessage?chat_id=42`
    const ch = await createChannel({ db: t.db, userId, input: { name: 'Phone', url } })
    expect(ch).toMatchObject({ format: 'telegram', urlHint: 'https://api.telegram.org/…/sendMessage' })

    const [row] = await t.db.$queryRaw<{ urlEnc: string; urlHint: string }[]>`SELECT "urlEnc", "urlHint" FROM "NotificationChannel" WHERE id = ${ch.id}`
    expect(row.urlEnc).toMatch(/^v1\./)
    for (const part of [url, token, 'ZZtopSecretBotTokenValue', 'api.telegram.org', 'chat_id']) expect(row.urlEnc).not.toContain(part)
    expect(openSecret(row.urlEnc)).toBe(url)
    expect(JSON.stringify(await listChannels({ db: t.db, userId }))).not.toContain(token)
    expect(JSON.stringify(ch)).not.toContain('987654321')
  })

  it('sends a test message on demand and reports a refusal with the URL redacted', async () => {
    const ch = await channel()
    expect(await sendTestNotification({ db: t.db, userId, channelId: ch.id, now: clock })).toEqual({ delivered: true, httpStatus: 200, error: null })
    expect(rx.requests[0].body).toEqual({
      id: null,
      type: 'TEST',
      severity: 'info',
      message: 'Notifications for "Hook" reach this destination.',
      positionId: null,
      traderId: null,
      symbol: null,
      at: clock.toISOString(),
    })

    rx.replyNext({ status: 401, body: `{"description":"Unauthorized for ${SECRET_PATH}"}` })
    const refused = await sendTestNotification({ db: t.db, userId, channelId: ch.id })
    expect(refused).toEqual({ delivered: false, httpStatus: 401, error: 'HTTP 401: {"description":"Unauthorized for …"}' })
    expect(await t.db.notificationDelivery.count()).toBe(0) // a test is not logged as a delivery
  })
})
