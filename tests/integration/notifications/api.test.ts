import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { NotificationLoop } from '@/workers/notifications/notification-loop'
import { apiUser, call, fieldsOf, startApiDatabase } from '../api/api-harness'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let rx: WebhookReceiver
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let channels: typeof import('@/app/api/v1/notification-channels/route')
let channel: typeof import('@/app/api/v1/notification-channels/[id]/route')
let testRoute: typeof import('@/app/api/v1/notification-channels/[id]/test/route')
let deliveriesRoute: typeof import('@/app/api/v1/notification-deliveries/route')
let feed: typeof import('@/app/api/v1/notifications/route')

const BOT_TOKEN = '555666777:AAtelegramSecretTokenForApiTests_xyz'
const telegramUrl = `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage?chat_id=777`
const SECRET_PATH = 'api-secret-path-42'

beforeAll(async () => {
  t = await startApiDatabase()
  rx = await startWebhookReceiver()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  channels = await import('@/app/api/v1/notification-channels/route')
  channel = await import('@/app/api/v1/notification-channels/[id]/route')
  testRoute = await import('@/app/api/v1/notification-channels/[id]/test/route')
  deliveriesRoute = await import('@/app/api/v1/notification-deliveries/route')
  feed = await import('@/app/api/v1/notifications/route')
})
afterAll(async () => {
  await rx?.close()
  await t?.stop()
})

const create = (body: unknown, token = alice.token) => call(channels.POST, 'POST', '/api/v1/notification-channels', { token, body })
const patch = (id: string, body: unknown, token = alice.token) => call(channel.PATCH, 'PATCH', `/api/v1/notification-channels/${id}`, { token, body, id })
const activity = (userId: string, type: string, message: string, severity: 'info' | 'warning' | 'error' = 'info') =>
  t.db.$transaction((tx) => recordActivity(tx, { userId, type, message, severity }))

describe('/api/v1/notification-channels', () => {
  it.each([
    ['GET channels', () => call(channels.GET, 'GET', '/api/v1/notification-channels', { token: null })],
    ['POST channels', () => call(channels.POST, 'POST', '/api/v1/notification-channels', { token: null, body: { name: 'x', url: telegramUrl } })],
    ['PATCH a channel', () => call(channel.PATCH, 'PATCH', '/', { token: null, id: 'x', body: { name: 'y' } })],
    ['DELETE a channel', () => call(channel.DELETE, 'DELETE', '/', { token: null, id: 'x' })],
    ['POST a test', () => call(testRoute.POST, 'POST', '/', { token: null, id: 'x' })],
    ['GET deliveries', () => call(deliveriesRoute.GET, 'GET', '/api/v1/notification-deliveries', { token: null })],
    ['GET notifications', () => call(feed.GET, 'GET', '/api/v1/notifications', { token: 'tl_unknown' })],
  ])('%s answers 401 without valid credentials', async (_label, request) => {
    const res = await request()
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
  })

  it('creates a channel with a detected format and a masked hint; the URL is in no response', async () => {
    const res = await create({ name: 'Phone', url: telegramUrl })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ id: expect.any(String), name: 'Phone', format: 'telegram', urlHint: 'https://api.telegram.org/…/sendMessage', enabled: true, createdAt: expect.any(String) })
    const discord = await create({ name: 'Team', url: 'https://discord.com/api/webhooks/1234567890/dIsCoRdToKeN-secret' })
    expect(discord.body).toMatchObject({ format: 'discord', urlHint: 'https://discord.com/api/webhooks/…' })

    const list = await call(channels.GET, 'GET', '/api/v1/notification-channels', { token: alice.token })
    expect(list.body.channels.map((c: { name: string }) => c.name)).toEqual(['Phone', 'Team'])
    const everything = JSON.stringify([res.body, discord.body, list.body])
    for (const secret of [BOT_TOKEN, '555666777', 'dIsCoRdToKeN', '1234567890', 'chat_id']) expect(everything).not.toContain(secret)
    expect(Object.keys(list.body.channels[0])).not.toContain('url')
    // Another user sees none of them.
    expect((await call(channels.GET, 'GET', '/api/v1/notification-channels', { token: bob.token })).body).toEqual({ channels: [] })
  })

  it.each([
    ['a URL that is not http(s)', { name: 'x', url: 'ftp://example.com/hook' }, ['url']],
    ['text that is no URL', { name: 'x', url: 'not a url' }, ['url']],
    ['a Telegram URL without chat_id', { name: 'x', url: `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage` }, ['url']],
    ['a missing URL and name', {}, ['name', 'url']],
    ['an unknown format', { name: 'x', url: 'https://example.com/h', format: 'slack' }, ['format']],
  ])('answers 400 naming the field for %s, without echoing the URL', async (_label, body, fields) => {
    const res = await create(body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body).sort()).toEqual(fields)
    expect(JSON.stringify(res.body)).not.toContain(BOT_TOKEN)
  })

  it('PATCH renames, disables and replaces the URL; 404 for another user; DELETE removes it', async () => {
    const { body: created } = await create({ name: 'Ops', url: `${rx.origin}/hooks/${SECRET_PATH}` })
    expect(created).toMatchObject({ format: 'generic', urlHint: `${rx.origin}/…` })
    const before = await t.db.notificationChannel.findUniqueOrThrow({ where: { id: created.id } })

    const renamed = await patch(created.id, { name: 'Ops 2', enabled: false })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ id: created.id, name: 'Ops 2', enabled: false, format: 'generic' })

    const replaced = await patch(created.id, { url: telegramUrl })
    expect(replaced.body).toMatchObject({ format: 'telegram', urlHint: 'https://api.telegram.org/…/sendMessage', enabled: false })
    expect(JSON.stringify(replaced.body)).not.toContain(BOT_TOKEN)
    expect((await t.db.notificationChannel.findUniqueOrThrow({ where: { id: created.id } })).urlEnc).not.toBe(before.urlEnc)

    const bad = await patch(created.id, { url: 'javascript:alert(1)' })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['url'])
    expect((await patch(created.id, { name: 'mine' }, bob.token)).status).toBe(404)
    expect((await call(channel.DELETE, 'DELETE', '/', { token: bob.token, id: created.id })).status).toBe(404)

    const del = await call(channel.DELETE, 'DELETE', '/', { token: alice.token, id: created.id })
    expect(del.status).toBe(204)
    expect((await call(channel.DELETE, 'DELETE', '/', { token: alice.token, id: created.id })).status).toBe(404)
  })

  it('POST …/test sends a message now and reports the outcome', async () => {
    const { body: created } = await create({ name: 'Receiver', url: `${rx.origin}/hooks/${SECRET_PATH}` })
    const ok = await call(testRoute.POST, 'POST', '/', { token: alice.token, id: created.id })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ delivered: true, httpStatus: 200, error: null })
    expect(rx.requests.at(-1)).toMatchObject({ path: `/hooks/${SECRET_PATH}`, body: { type: 'TEST' } })

    rx.replyNext({ status: 404, body: `no hook at /hooks/${SECRET_PATH}` })
    const refused = await call(testRoute.POST, 'POST', '/', { token: alice.token, id: created.id })
    expect(refused.body).toEqual({ delivered: false, httpStatus: 404, error: 'HTTP 404: no hook at /hooks/…' })
    expect((await call(testRoute.POST, 'POST', '/', { token: bob.token, id: created.id })).status).toBe(404)
  })
})

describe('/api/v1/notification-deliveries', () => {
  it('lists the delivery log with the event message, status and a redacted error', async () => {
    const carol = await apiUser(t, 'carol@example.com')
    const { body: ch } = await create({ name: 'Log', url: `${rx.origin}/hooks/${SECRET_PATH}?token=sekrit-token` }, carol.token)
    rx.replyNext({ status: 500, body: `crashed handling ${rx.origin}/hooks/${SECRET_PATH}?token=sekrit-token` })
    await activity(carol.id, 'APPROVAL_NEEDED', 'Approval needed: open LONG BTC/USDT', 'warning')
    await new NotificationLoop(t.db, { log: () => {}, intervalMs: 1000, now: () => new Date(Date.now() + 60_000) }).runOnce()

    const res = await call(deliveriesRoute.GET, 'GET', `/api/v1/notification-deliveries?channelId=${ch.id}`, { token: carol.token })
    expect(res.status).toBe(200)
    expect(res.body.deliveries).toEqual([
      {
        id: expect.any(String),
        channelId: ch.id,
        channelName: 'Log',
        eventId: expect.stringMatching(/^\d+$/),
        eventType: 'APPROVAL_NEEDED',
        severity: 'warning',
        message: 'Approval needed: open LONG BTC/USDT',
        status: 'RETRYING',
        attempts: 1,
        lastError: `HTTP 500: crashed handling ${rx.origin}/…`,
        nextAttemptAt: expect.any(String),
        deliveredAt: null,
        createdAt: expect.any(String),
      },
    ])
    expect(JSON.stringify(res.body)).not.toMatch(/sekrit|api-secret-path/)
    expect((await call(deliveriesRoute.GET, 'GET', '/api/v1/notification-deliveries', { token: bob.token })).body).toEqual({ deliveries: [] })
    expect((await call(deliveriesRoute.GET, 'GET', `/api/v1/notification-deliveries?channelId=${ch.id}`, { token: bob.token })).status).toBe(404)
    const bad = await call(deliveriesRoute.GET, 'GET', '/api/v1/notification-deliveries?limit=0', { token: carol.token })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['limit'])
  })
})

describe('/api/v1/notifications', () => {
  it('pages through the caller\'s feed newest first with a cursor', async () => {
    const dave = await apiUser(t, 'dave@example.com')
    for (let i = 1; i <= 5; i++) await activity(dave.id, 'APPROVAL_NEEDED', `event ${i}`, i === 5 ? 'error' : 'info')
    await activity(bob.id, 'PANIC', 'not dave\'s')
    const page = (q: string) => call(feed.GET, 'GET', `/api/v1/notifications${q}`, { token: dave.token })

    const first = await page('?limit=2')
    expect(first.status).toBe(200)
    expect(first.body.notifications.map((n: { message: string }) => n.message)).toEqual(['event 5', 'event 4'])
    expect(first.body.notifications[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      type: 'APPROVAL_NEEDED',
      severity: 'error',
      message: 'event 5',
      positionId: null,
      traderId: null,
      at: expect.any(String),
    })
    const second = await page(`?limit=2&before=${first.body.nextCursor}`)
    expect(second.body.notifications.map((n: { message: string }) => n.message)).toEqual(['event 3', 'event 2'])
    const last = await page(`?limit=2&before=${second.body.nextCursor}`)
    expect(last.body).toEqual({ notifications: [expect.objectContaining({ message: 'event 1' })], nextCursor: null })

    const bad = await page('?before=abc&limit=1000')
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body).sort()).toEqual(['before', 'limit'])
  })
})

describe('OpenAPI', () => {
  it('documents the notification endpoints, and no response schema has a URL field', async () => {
    const { GET } = await import('@/app/api/v1/openapi.json/route')
    const doc = JSON.parse(await (await GET(new Request('http://localhost/api/v1/openapi.json'))).text())
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/notifications', '/api/v1/notification-channels', '/api/v1/notification-channels/{id}', '/api/v1/notification-channels/{id}/test', '/api/v1/notification-deliveries']))
    expect(doc.paths['/api/v1/notification-channels'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateNotificationChannelRequest' })
    expect(doc.components.schemas.CreateNotificationChannelRequest.required).toEqual(['name', 'url'])
    expect(doc.components.schemas.CreateNotificationChannelRequest.properties.format.enum).toEqual(['auto', 'generic', 'telegram', 'discord'])
    for (const id of ['NotificationChannel', 'NotificationDelivery', 'TestNotificationResult', 'Notification']) {
      expect(Object.keys(doc.components.schemas[id].properties)).not.toContain('url')
    }
  })
})
