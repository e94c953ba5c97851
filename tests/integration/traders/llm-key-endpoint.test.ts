import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTrader } from '@/lib/server/traders/create-trader'
import { apiUser, call, fieldsOf, startApiDatabase } from '@/tests/integration/api/api-harness'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'

// The stored LLM key goes only to the endpoint it was saved for; base URLs and webhooks are http(s) only.

type Handler = Parameters<typeof call>[0]
let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let routes: {
  settings: typeof import('@/app/api/v1/traders/[id]/settings/route')
  test: typeof import('@/app/api/v1/traders/[id]/test-connection/route')
  channels: typeof import('@/app/api/v1/notification-channels/route')
}
const KEY = 'sk-saved-for-host-a-00112233'
const NEW_KEY = 'sk-typed-again-for-b-4455667'
let hostA: FakeLlmServer
let hostB: FakeLlmServer

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  routes = {
    settings: await import('@/app/api/v1/traders/[id]/settings/route'),
    test: await import('@/app/api/v1/traders/[id]/test-connection/route'),
    channels: await import('@/app/api/v1/notification-channels/route'),
  }
})
afterAll(() => t?.stop())
afterEach(async () => {
  await hostA?.close()
  await hostB?.close()
})

let seq = 0
async function traderWithKeyAt(url: string) {
  const tr = await createTrader({ db: t.db, userId: alice.id, input: { name: `K${++seq}`, quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })
  const res = await patch(tr.id, { provider: 'OPENAI_COMPATIBLE', apiKey: KEY, ai: { model: 'm1', baseUrl: url } })
  expect(res.status).toBe(200)
  return tr
}
const patch = (id: string, body: unknown) => call(routes.settings.PATCH as Handler, 'PATCH', `/api/v1/traders/${id}/settings`, { token: alice.token, id, body })
const testConn = (id: string, body?: unknown) => call(routes.test.POST as Handler, 'POST', `/api/v1/traders/${id}/test-connection`, { token: alice.token, id, body })
const row = (id: string) => t.db.trader.findUniqueOrThrow({ where: { id }, select: { provider: true, aiSettings: true, aiApiKeyEnc: true } })
const sentKeys = (s: FakeLlmServer) => s.requests.map((r) => r.headers.authorization)

describe('the stored LLM key is never sent to a new host', () => {
  it('"Test connection" with another host refuses (400 apiKey) and sends nothing to either host', async () => {
    hostA = await startFakeOpenAI({ apiKey: KEY })
    hostB = await startFakeOpenAI()
    const tr = await traderWithKeyAt(hostA.url)
    const res = await testConn(tr.id, { ai: { baseUrl: hostB.url } })
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['apiKey'])
    expect(res.body.error.message).toBe(`apiKey: enter the API key again: the base URL changed from ${new URL(hostA.url).origin} to ${new URL(hostB.url).origin}`)
    expect(hostB.requests).toHaveLength(0)
    expect(hostA.requests).toHaveLength(0)
  })

  it('with the key typed again, the test goes to the new host with that key only', async () => {
    hostA = await startFakeOpenAI({ apiKey: KEY })
    hostB = await startFakeOpenAI({ apiKey: NEW_KEY })
    hostB.script([{ content: 'OK' }])
    const tr = await traderWithKeyAt(hostA.url)
    const res = await testConn(tr.id, { apiKey: NEW_KEY, ai: { baseUrl: hostB.url } })
    expect(res.status).toBe(200)
    expect(res.body.ok).toBe(true)
    expect(sentKeys(hostB)).toEqual([`Bearer ${NEW_KEY}`])
    expect(JSON.stringify(hostB.requests)).not.toContain(KEY)
  })

  it('saving a new host without the key is refused and changes nothing; with the key it saves', async () => {
    hostA = await startFakeOpenAI({ apiKey: KEY })
    hostB = await startFakeOpenAI({ apiKey: NEW_KEY })
    const tr = await traderWithKeyAt(hostA.url)
    const before = await row(tr.id)
    const refused = await patch(tr.id, { ai: { baseUrl: hostB.url } })
    expect(refused.status).toBe(400)
    expect(fieldsOf(refused.body)).toEqual(['apiKey'])
    expect(refused.body.error.message).toContain('enter the API key again: the base URL changed from')
    expect(await row(tr.id)).toEqual(before)

    expect((await patch(tr.id, { apiKey: NEW_KEY, ai: { baseUrl: hostB.url } })).status).toBe(200)
    hostB.script([{ content: 'OK' }])
    expect((await testConn(tr.id)).body.ok).toBe(true)
    expect(sentKeys(hostB)).toEqual([`Bearer ${NEW_KEY}`])
    expect(hostA.requests).toHaveLength(0)
  })

  it('the same host with another path keeps the key', async () => {
    hostA = await startFakeOpenAI({ apiKey: KEY })
    const tr = await traderWithKeyAt(hostA.url)
    expect((await patch(tr.id, { ai: { baseUrl: `${hostA.url}/` } })).status).toBe(200)
    hostA.script([{ content: 'OK' }])
    expect((await testConn(tr.id)).body.ok).toBe(true)
    expect(sentKeys(hostA)).toEqual([`Bearer ${KEY}`])
  })

  it.each([
    ['another provider (its default endpoint)', { provider: 'ANTHROPIC', ai: { baseUrl: '' } }],
    ['clearing the base URL (the public endpoint)', { ai: { baseUrl: '' } }],
  ])('%s needs the key again', async (_label, body) => {
    hostA = await startFakeOpenAI({ apiKey: KEY })
    const tr = await traderWithKeyAt(hostA.url)
    const res = await patch(tr.id, body)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['apiKey'])
  })

  it('cannot be moved by way of the built-in rules: rules with a new URL, then back to the LLM', async () => {
    hostA = await startFakeOpenAI({ apiKey: KEY })
    hostB = await startFakeOpenAI()
    const tr = await traderWithKeyAt(hostA.url)
    expect((await patch(tr.id, { provider: 'RULES', ai: { baseUrl: hostB.url } })).status).toBe(200)
    const back = await patch(tr.id, { provider: 'OPENAI_COMPATIBLE' })
    expect(back.status).toBe(400)
    expect(fieldsOf(back.body)).toEqual(['apiKey'])
    const tested = await testConn(tr.id, { provider: 'OPENAI_COMPATIBLE' })
    expect(tested.status).toBe(400)
    expect(hostB.requests).toHaveLength(0)
  })
})

describe('only http(s) URLs', () => {
  const BAD = ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com/v1', 'data:text/plain,hello', 'gopher://example.com/']

  it.each(BAD)('LLM base URL %s → 400 ai.baseUrl, on save and on test', async (url) => {
    const tr = await createTrader({ db: t.db, userId: alice.id, input: { name: `U${++seq}`, quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })
    const saved = await patch(tr.id, { provider: 'OPENAI_COMPATIBLE', ai: { model: 'm', baseUrl: url } })
    expect(saved.status).toBe(400)
    expect(fieldsOf(saved.body)).toContain('ai.baseUrl')
    expect(saved.body.error.fields.find((f: { field: string }) => f.field === 'ai.baseUrl').message).toBe('must be an http:// or https:// URL')
    const tested = await testConn(tr.id, { provider: 'OPENAI_COMPATIBLE', ai: { model: 'm', baseUrl: url } })
    expect(tested.status).toBe(400)
    expect(fieldsOf(tested.body)).toEqual(['ai.baseUrl'])
  })

  it.each(BAD)('notification webhook %s → 400 url, and the URL is not echoed', async (url) => {
    const res = await call(routes.channels.POST as Handler, 'POST', '/api/v1/notification-channels', { token: alice.token, body: { name: 'hook', url } })
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['url'])
    expect(JSON.stringify(res.body)).not.toContain(url)
  })

  it('accepts http and https', async () => {
    const tr = await createTrader({ db: t.db, userId: alice.id, input: { name: `U${++seq}`, quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })
    expect((await patch(tr.id, { provider: 'OPENAI_COMPATIBLE', ai: { model: 'm', baseUrl: 'http://127.0.0.1:11434/v1' } })).status).toBe(200)
    expect((await call(routes.channels.POST as Handler, 'POST', '/api/v1/notification-channels', { token: alice.token, body: { name: 'hook', url: 'https://example.com/hook' } })).status).toBe(201)
  })
})
