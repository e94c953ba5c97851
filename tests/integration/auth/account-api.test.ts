import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fieldsOf, startApiDatabase } from '@/tests/integration/api/api-harness'
import { issueApiToken, userFromBearer } from '@/lib/server/auth/api-tokens'
import { hashPassword } from '@/lib/server/auth/password'
import { sessionCookieFor } from '@/lib/server/auth/session-cookie'
import { closeSignInAttemptCounters } from '@/lib/server/auth/sign-in-attempts'

type Started = Awaited<ReturnType<typeof startApiDatabase>>
type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>
let t: Started
let tokens: { GET: Handler; POST: Handler }
let tokenById: { DELETE: Handler }
let password: { POST: Handler }
let userId: string
let otherId: string
const PASSWORD = 'the first password'

beforeAll(async () => {
  t = await startApiDatabase()
  const passwordHash = await hashPassword(PASSWORD)
  userId = (await t.db.user.create({ data: { email: 'me@example.com', passwordHash } })).id
  otherId = (await t.db.user.create({ data: { email: 'other@example.com', passwordHash } })).id
  tokens = (await import('@/app/api/v1/api-tokens/route')) as unknown as typeof tokens
  tokenById = (await import('@/app/api/v1/api-tokens/[id]/route')) as unknown as typeof tokenById
  password = (await import('@/app/api/v1/account/password/route')) as unknown as typeof password
})
afterAll(async () => {
  await closeSignInAttemptCounters()
  await t?.stop()
})

interface Auth {
  token?: string
  cookie?: string
}

async function send(handler: Handler, method: string, path: string, auth: Auth, body?: unknown, id?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (auth.token) headers.authorization = `Bearer ${auth.token}`
  if (auth.cookie) {
    headers.cookie = auth.cookie
    headers.origin = 'http://localhost'
  }
  const req = new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const res = await handler(req, { params: Promise.resolve(id === undefined ? {} : { id }) as Promise<never> })
  const text = await res.text()
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as any }
}

async function cookieFor(id: string, version: number) {
  const u = await t.db.user.findUniqueOrThrow({ where: { id } })
  const c = await sessionCookieFor({ id: u.id, email: u.email, name: u.name }, version, false)
  return `${c.name}=${c.value}`
}

describe('API tokens: /api/v1/api-tokens', () => {
  it('creates a token shown once, lists it without the token, and the token works', async () => {
    const { token: auth } = await issueApiToken(t.db, userId, 'bootstrap')
    const created = await send(tokens.POST, 'POST', '/api/v1/api-tokens', { token: auth }, { name: 'ci bot', expiresInDays: 30 })
    expect(created.status).toBe(201)
    // A secret shown once is never stored by a cache (no-transform: small answers go uncompressed).
    expect(created.headers.get('cache-control')).toBe('no-store, no-transform')
    expect(created.body.token).toMatch(/^tl_/)
    expect(created.body.apiToken).toMatchObject({ name: 'ci bot', prefix: created.body.token.slice(0, 10), status: 'active', revokedAt: null, lastUsedAt: null })
    const days = (Date.parse(created.body.apiToken.expiresAt) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThanOrEqual(30)
    expect((await userFromBearer(t.db, `Bearer ${created.body.token}`))?.id).toBe(userId)

    const list = await send(tokens.GET, 'GET', '/api/v1/api-tokens', { token: created.body.token })
    expect(list.status).toBe(200)
    expect(list.body.tokens.map((x: { name: string }) => x.name)).toEqual(['ci bot', 'bootstrap'])
    expect(JSON.stringify(list.body)).not.toContain(created.body.token)
    expect(JSON.stringify(list.body)).not.toContain(auth)
    expect(list.body.tokens[0].lastUsedAt).not.toBeNull()
  })

  it('accepts an expiry date (end of that day, UTC) and refuses past dates and bad lifetimes naming the field', async () => {
    const { token: auth } = await issueApiToken(t.db, userId, 'dates')
    const future = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10)
    const dated = await send(tokens.POST, 'POST', '/api/v1/api-tokens', { token: auth }, { name: 'dated', expiresAt: future })
    expect(dated.status).toBe(201)
    expect(dated.body.apiToken.expiresAt).toBe(`${future}T23:59:59.999Z`)
    const cases: [unknown, string][] = [
      [{ name: 'x', expiresAt: '2001-01-01' }, 'expiresAt'],
      [{ name: 'x', expiresAt: 'next tuesday' }, 'expiresAt'],
      [{ name: 'x', expiresInDays: 0 }, 'expiresInDays'],
      [{ name: 'x', expiresInDays: 1.5 }, 'expiresInDays'],
      [{ name: 'x', expiresInDays: 5, expiresAt: future }, 'expiresAt'],
      [{ name: '' }, 'name'],
      [{}, 'name'],
    ]
    for (const [body, field] of cases) {
      const res = await send(tokens.POST, 'POST', '/api/v1/api-tokens', { token: auth }, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(fieldsOf(res.body)).toContain(field)
    }
  })

  it('refuses an expired token (401) and lists it as expired', async () => {
    const { token: auth } = await issueApiToken(t.db, userId, 'lister')
    const expiring = await issueApiToken(t.db, userId, 'short-lived', { expiresAt: new Date(Date.now() + 60_000) })
    expect((await send(tokens.GET, 'GET', '/api/v1/api-tokens', { token: expiring.token })).status).toBe(200)
    await t.db.apiToken.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const refused = await send(tokens.GET, 'GET', '/api/v1/api-tokens', { token: expiring.token })
    expect(refused.status).toBe(401)
    expect(refused.body.error.message).toMatch(/expired/)
    const list = await send(tokens.GET, 'GET', '/api/v1/api-tokens', { token: auth })
    expect(list.body.tokens.find((x: { id: string }) => x.id === expiring.id).status).toBe('expired')
  })

  it('revokes one of your tokens (204, then 401 with it) and answers 404 for another user\'s token', async () => {
    const { token: auth } = await issueApiToken(t.db, userId, 'admin tool')
    const victim = await issueApiToken(t.db, userId, 'to revoke')
    const others = await issueApiToken(t.db, otherId, 'not yours')
    expect((await send(tokenById.DELETE, 'DELETE', `/api/v1/api-tokens/${others.id}`, { token: auth }, undefined, others.id)).status).toBe(404)
    expect(await userFromBearer(t.db, `Bearer ${others.token}`)).not.toBeNull()
    expect((await send(tokenById.DELETE, 'DELETE', `/api/v1/api-tokens/${victim.id}`, { token: auth }, undefined, victim.id)).status).toBe(204)
    expect((await send(tokens.GET, 'GET', '/api/v1/api-tokens', { token: victim.token })).status).toBe(401)
    // Again: still gone, and says so without an error.
    expect((await send(tokenById.DELETE, 'DELETE', `/api/v1/api-tokens/${victim.id}`, { token: auth }, undefined, victim.id)).status).toBe(204)
    const listed = (await send(tokens.GET, 'GET', '/api/v1/api-tokens', { token: auth })).body.tokens.find((x: { id: string }) => x.id === victim.id)
    expect(listed.status).toBe('revoked')
    expect(listed.revokedAt).not.toBeNull()
  })
})

describe('password change: POST /api/v1/account/password', () => {
  it('refuses a wrong current password and a short new one, naming the field', async () => {
    const cookie = await cookieFor(userId, 0)
    const wrong = await send(password.POST, 'POST', '/api/v1/account/password', { cookie }, { currentPassword: 'not it at all', newPassword: 'a brand new password' })
    expect(wrong.status).toBe(400)
    expect(fieldsOf(wrong.body)).toEqual(['currentPassword'])
    const short = await send(password.POST, 'POST', '/api/v1/account/password', { cookie }, { currentPassword: PASSWORD, newPassword: 'short' })
    expect(short.status).toBe(400)
    expect(fieldsOf(short.body)).toEqual(['newPassword'])
    expect((await t.db.user.findUniqueOrThrow({ where: { id: userId } })).sessionVersion).toBe(0)
  })

  it('stores the new password, ends other sessions, revokes every API token, and keeps this browser signed in', async () => {
    const thisBrowser = await cookieFor(userId, 0)
    const otherBrowser = await cookieFor(userId, 0)
    const { token } = await issueApiToken(t.db, userId, 'script')
    const othersToken = await issueApiToken(t.db, otherId, 'someone else')
    expect((await send(tokens.GET, 'GET', '/api/v1/api-tokens', { cookie: otherBrowser })).status).toBe(200)

    const res = await send(password.POST, 'POST', '/api/v1/account/password', { cookie: thisBrowser }, { currentPassword: PASSWORD, newPassword: 'the second password' })
    expect(res.status).toBe(200)
    expect(res.body.sessionRenewed).toBe(true)
    expect(res.body.revokedApiTokens).toBeGreaterThanOrEqual(1)

    const user = await t.db.user.findUniqueOrThrow({ where: { id: userId } })
    expect(user.sessionVersion).toBe(1)
    const { verifyPassword } = await import('@/lib/server/auth/password')
    expect(await verifyPassword('the second password', user.passwordHash)).toBe(true)

    // Old cookies (this one as it was, and the other browser's) no longer authenticate.
    expect((await send(tokens.GET, 'GET', '/api/v1/api-tokens', { cookie: otherBrowser })).status).toBe(401)
    expect((await send(tokens.GET, 'GET', '/api/v1/api-tokens', { cookie: thisBrowser })).status).toBe(401)
    // The cookie sent back replaces this browser's and works.
    const setCookie = res.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/^next-auth\.session-token=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/)
    const renewed = setCookie.split(';')[0]
    expect((await send(tokens.GET, 'GET', '/api/v1/api-tokens', { cookie: renewed })).status).toBe(200)
    // Every API token of the user is revoked; other users' tokens are not.
    expect(await userFromBearer(t.db, `Bearer ${token}`)).toBeNull()
    expect(await t.db.apiToken.count({ where: { userId, revokedAt: null } })).toBe(0)
    expect(await userFromBearer(t.db, `Bearer ${othersToken.token}`)).not.toBeNull()
  })

  it('through an API token: changes it, revokes that token too, and renews no session', async () => {
    const { token } = await issueApiToken(t.db, otherId, 'password changer')
    const active = await t.db.apiToken.count({ where: { userId: otherId, revokedAt: null } })
    expect(active).toBeGreaterThanOrEqual(2)
    const res = await send(password.POST, 'POST', '/api/v1/account/password', { token }, { currentPassword: PASSWORD, newPassword: 'other second password' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ revokedApiTokens: active, sessionRenewed: false })
    expect(res.headers.get('set-cookie')).toBeNull()
    expect((await send(tokens.GET, 'GET', '/api/v1/api-tokens', { token })).status).toBe(401)
  })
})
