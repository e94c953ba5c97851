import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChannel, sendTestNotification } from '@/lib/server/notifications/channels'
import { addressGuardedFetch, publicOnlyFetch } from '@/lib/server/notifications/public-only-fetch'
import { sendWebhook } from '@/lib/server/notifications/send-webhook'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver'

// A notification URL is typed by a user and POSTed to by the server: by default it may reach only
// public addresses, whether the address is written in the URL or looked up from its name. The
// receiver here is on 127.0.0.1, so every request that reached it would show.
describe('notifications refuse private addresses', () => {
  let t: TestDatabase
  let rx: WebhookReceiver
  const port = () => new URL(rx.origin).port
  beforeAll(async () => {
    t = await createTestDatabase()
    rx = await startWebhookReceiver()
  })
  afterAll(async () => {
    await rx.close()
    await t.drop()
  })

  it.each([
    ['an address in the URL', () => `http://127.0.0.1:${port()}/hook`, /^refused: 127\.0\.0\.1 is a private or reserved address/],
    ['an IPv4-mapped IPv6 address', () => `http://[::ffff:127.0.0.1]:${port()}/hook`, /^refused: ::ffff:7f00:1 is a private or reserved address/],
    ['a name that resolves to loopback', () => `http://localhost:${port()}/hook`, /^refused: localhost is at (127\.0\.0\.1|::1), a private or reserved address/],
  ])('%s: failed for good, with the setting that allows it, and nothing reaches the receiver', async (_label, url, message) => {
    const before = rx.requests.length
    const outcome = await sendWebhook({ url: new URL(url()), body: { hello: 1 }, fetchImpl: publicOnlyFetch })
    expect(outcome).toMatchObject({ result: 'failed', httpStatus: null, retryAfterMs: null })
    expect(outcome.error).toMatch(message)
    expect(outcome.error).toMatch(/NOTIFY_ALLOW_PRIVATE_HOSTS=true/)
    expect(rx.requests.length).toBe(before)
  })

  it('the guard lets through what it allows, through the same lookup: a name and an address both deliver', async () => {
    const allowLoopback = addressGuardedFetch((ip) => ip === '127.0.0.1' || ip === '::1')
    for (const url of [`http://localhost:${port()}/by-name`, `http://127.0.0.1:${port()}/by-address`]) {
      const outcome = await sendWebhook({ url: new URL(url), body: { hello: 2 }, fetchImpl: allowLoopback })
      expect(outcome).toMatchObject({ result: 'delivered', httpStatus: 200 })
    }
    expect(rx.requests.slice(-2).map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/by-name', { hello: 2 }],
      ['POST', '/by-address', { hello: 2 }],
    ])
  })

  it("a channel's test message says why it was refused", async () => {
    const userId = (await t.db.user.create({ data: { email: 'ssrf@example.com', passwordHash: 'x' } })).id
    const ch = await createChannel({ db: t.db, userId, input: { name: 'Metadata', url: 'http://169.254.169.254/latest/meta-data/' } })
    const outcome = await sendTestNotification({ db: t.db, userId, channelId: ch.id, fetchImpl: publicOnlyFetch })
    expect(outcome.delivered).toBe(false)
    expect(outcome.error).toMatch(/^refused: 169\.254\.169\.254 is a private or reserved address: notifications go only to public addresses unless the server sets NOTIFY_ALLOW_PRIVATE_HOSTS=true$/)
  })
})
