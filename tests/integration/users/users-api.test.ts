import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashApiToken, issueApiToken } from '@/lib/server/auth/api-tokens'
import { authenticate } from '@/lib/server/auth/users'
import { acceptInvite, lookupInvite } from '@/lib/server/invites/accept-invite'
import { hashInviteToken } from '@/lib/server/invites/invite-token'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { removeUser } from '@/lib/server/users/remove-user'
import { startApiDatabase } from '@/tests/integration/api/api-harness'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase } from '@/tests/support/test-db'

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>

let t: Awaited<ReturnType<typeof startApiDatabase>>
let admin: { id: string; token: string }
let member: { id: string; token: string }
let users: typeof import('@/app/api/v1/users/route')
let user: typeof import('@/app/api/v1/users/[id]/route')
let invites: typeof import('@/app/api/v1/invites/route')
let invite: typeof import('@/app/api/v1/invites/[id]/route')

async function send(handler: unknown, method: string, path: string, o: { token?: string | null; body?: unknown; id?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (o.token) headers.authorization = `Bearer ${o.token}`
  const res = await (handler as Handler)(new Request(`http://localhost${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) }), {
    params: Promise.resolve<Record<string, string>>(o.id === undefined ? {} : { id: o.id }),
  })
  const text = await res.text()
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any }
}
const fields = (body: { error?: { fields?: { field: string }[] } }) => body.error?.fields?.map((f) => f.field) ?? []

async function person(email: string, role: 'ADMIN' | 'MEMBER') {
  const u = await t.db.user.create({ data: { email, passwordHash: 'not used', role } })
  return { id: u.id, token: (await issueApiToken(t.db, u.id, 'test')).token }
}

beforeAll(async () => {
  t = await startApiDatabase()
  admin = await person('admin@example.com', 'ADMIN')
  member = await person('member@example.com', 'MEMBER')
  users = await import('@/app/api/v1/users/route')
  user = await import('@/app/api/v1/users/[id]/route')
  invites = await import('@/app/api/v1/invites/route')
  invite = await import('@/app/api/v1/invites/[id]/route')
})
afterAll(() => t?.stop())

describe('/api/v1/users', () => {
  it('refuses members with 403 and anonymous callers with 401, writing nothing', async () => {
    const before = await t.db.user.count()
    expect((await send(users.GET, 'GET', '/api/v1/users', { token: member.token })).status).toBe(403)
    const created = await send(users.POST, 'POST', '/api/v1/users', { token: member.token, body: { email: 'x@example.com', password: 'long enough password' } })
    expect(created.status).toBe(403)
    expect(created.body.error.code).toBe('FORBIDDEN')
    expect((await send(user.DELETE, 'DELETE', `/api/v1/users/${admin.id}`, { token: member.token, id: admin.id })).status).toBe(403)
    expect((await send(users.GET, 'GET', '/api/v1/users', { token: null })).status).toBe(401)
    expect(await t.db.user.count()).toBe(before)
  })

  it('lets an admin add a member with an initial password the person can sign in with', async () => {
    const res = await send(users.POST, 'POST', '/api/v1/users', { token: admin.token, body: { email: ' New@Example.com ', password: 'initial password 1', name: 'New' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ email: 'new@example.com', name: 'New', role: 'MEMBER', traderCount: 0 })
    expect(res.body.passwordHash).toBeUndefined()
    expect(await authenticate(t.db, 'new@example.com', 'initial password 1')).toMatchObject({ id: res.body.id, role: 'MEMBER' })
    const list = await send(users.GET, 'GET', '/api/v1/users', { token: admin.token })
    expect(list.status).toBe(200)
    expect(list.body.users.map((u: { email: string }) => u.email)).toEqual(['admin@example.com', 'member@example.com', 'new@example.com'])
    const again = await send(users.POST, 'POST', '/api/v1/users', { token: admin.token, body: { email: 'new@example.com', password: 'another password' } })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toContain('new@example.com')
  })

  it.each([
    ['a malformed email', { email: 'nope', password: 'long enough password' }, 'email'],
    ['a short password', { email: 'short@example.com', password: 'short' }, 'password'],
    ['an unknown role', { email: 'role@example.com', password: 'long enough password', role: 'OWNER' }, 'role'],
    ['a missing email', { password: 'long enough password' }, 'email'],
  ])('answers 400 naming the field for %s', async (_label, body, field) => {
    const res = await send(users.POST, 'POST', '/api/v1/users', { token: admin.token, body })
    expect(res.status).toBe(400)
    expect(fields(res.body)).toEqual([field])
  })

  it('creates admins when asked', async () => {
    const res = await send(users.POST, 'POST', '/api/v1/users', { token: admin.token, body: { email: 'second-admin@example.com', password: 'initial password 2', role: 'ADMIN' } })
    expect(res.status).toBe(201)
    expect((await t.db.user.findUniqueOrThrow({ where: { id: res.body.id } })).role).toBe('ADMIN')
  })
})

describe('DELETE /api/v1/users/{id}', () => {
  it('refuses to remove yourself (403) and the last admin (409)', async () => {
    const self = await send(user.DELETE, 'DELETE', `/api/v1/users/${admin.id}`, { token: admin.token, id: admin.id })
    expect(self.status).toBe(403)
    expect(self.body.error.message).toMatch(/your own account/)
    const solo = await createTestDatabase()
    try {
      const only = await solo.db.user.create({ data: { email: 'only@example.com', passwordHash: 'x', role: 'ADMIN' } })
      const other = await solo.db.user.create({ data: { email: 'other@example.com', passwordHash: 'x', role: 'MEMBER' } })
      await expect(removeUser({ db: solo.db, actingUserId: other.id, userId: only.id })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/last admin/) })
      expect(await solo.db.user.count({ where: { id: only.id } })).toBe(1)
    } finally {
      await solo.drop()
    }
  })

  it('answers 404 for an unknown id', async () => {
    expect((await send(user.DELETE, 'DELETE', '/api/v1/users/nobody', { token: admin.token, id: 'nobody' })).status).toBe(404)
  })

  it('refuses (409) while the user has an open position, then removes everything they own once it is closed', async () => {
    const doomed = await person('doomed@example.com', 'MEMBER')
    const trader = await createTrader({ db: t.db, userId: doomed.id, input: { name: 'Doomed', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
    await useManualTraderSettings(t.db, trader.id)
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    const actor = { kind: 'USER' as const, id: doomed.id }
    const { positionId } = await openPosition({
      db: t.db,
      userId: doomed.id,
      actor,
      input: { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
    })
    const refused = await send(user.DELETE, 'DELETE', `/api/v1/users/${doomed.id}`, { token: admin.token, id: doomed.id })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toMatch(/1 open position\(s\)/)
    expect(await t.db.position.count({ where: { id: positionId } })).toBe(1)

    await closePosition({ db: t.db, userId: doomed.id, actor, positionId, input: {} })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
    const removed = await send(user.DELETE, 'DELETE', `/api/v1/users/${doomed.id}`, { token: admin.token, id: doomed.id })
    expect(removed.status).toBe(204)
    expect(await t.db.user.count({ where: { id: doomed.id } })).toBe(0)
    expect(await t.db.trader.count({ where: { id: trader.id } })).toBe(0)
    expect(await t.db.position.count({ where: { id: positionId } })).toBe(0)
    expect(await t.db.order.count({ where: { positionId } })).toBe(0)
    expect(await t.db.exchangeAccount.count({ where: { userId: doomed.id } })).toBe(0)
    expect(await t.db.apiToken.count({ where: { tokenHash: hashApiToken(doomed.token) } })).toBe(0)
    expect(await t.db.activityEvent.count({ where: { userId: doomed.id } })).toBe(0)
    // Their token no longer works.
    expect((await send(users.GET, 'GET', '/api/v1/users', { token: doomed.token })).status).toBe(401)
  })
})

describe('/api/v1/invites', () => {
  it('creates a one-time link, stores only the hash, lists it, and signs the invitee up once', async () => {
    const res = await send(invites.POST, 'POST', '/api/v1/invites', { token: admin.token, body: { email: 'Invitee@Example.com', role: 'ADMIN' } })
    expect(res.status).toBe(201)
    const token = /^\/invite\/([A-Za-z0-9_-]+)$/.exec(res.body.url)![1]
    expect(res.body.invite).toMatchObject({ email: 'invitee@example.com', role: 'ADMIN', createdBy: 'admin@example.com' })
    const hours = (Date.parse(res.body.invite.expiresAt) - Date.parse(res.body.invite.createdAt)) / 3_600_000
    expect(hours).toBeCloseTo(72, 1)
    const row = await t.db.invite.findUniqueOrThrow({ where: { id: res.body.invite.id } })
    expect(row.tokenHash).toBe(hashInviteToken(token))
    expect(JSON.stringify(row)).not.toContain(token)

    const list = await send(invites.GET, 'GET', '/api/v1/invites', { token: admin.token })
    expect(list.body.invites.map((i: { id: string }) => i.id)).toContain(row.id)
    expect(JSON.stringify(list.body)).not.toContain(token)

    expect(await lookupInvite(t.db, token)).toMatchObject({ status: 'valid', email: 'invitee@example.com' })
    const signedUp = await acceptInvite({ db: t.db, token, input: { name: 'Invitee', password: 'invitee password' } })
    expect(signedUp).toMatchObject({ email: 'invitee@example.com', name: 'Invitee', role: 'ADMIN' })
    expect(await authenticate(t.db, 'invitee@example.com', 'invitee password')).toMatchObject({ id: signedUp.id })
    await expect(acceptInvite({ db: t.db, token, input: { password: 'another password' } })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already been used/) })
    expect(await lookupInvite(t.db, token)).toEqual({ status: 'used' })
    expect((await send(invites.GET, 'GET', '/api/v1/invites', { token: admin.token })).body.invites.map((i: { id: string }) => i.id)).not.toContain(row.id)
  })

  it('refuses an expired link with a clear message, and a short password naming the field', async () => {
    const res = await send(invites.POST, 'POST', '/api/v1/invites', { token: admin.token, body: { email: 'late@example.com', expiresInHours: 1 } })
    expect(res.status).toBe(201)
    const token = res.body.url.split('/').pop()
    await expect(acceptInvite({ db: t.db, token, input: { password: 'short' } })).rejects.toMatchObject({ code: 'VALIDATION', fieldErrors: [{ field: 'password', message: expect.any(String) }] })
    const later = new Date(Date.now() + 2 * 3_600_000)
    expect(await lookupInvite(t.db, token, later)).toEqual({ status: 'expired' })
    await expect(acceptInvite({ db: t.db, token, input: { password: 'long enough password' }, now: later })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/expired/) })
    expect(await t.db.user.count({ where: { email: 'late@example.com' } })).toBe(0)
  })

  it('revokes a pending invite: the link stops working and a second revoke is 404', async () => {
    const res = await send(invites.POST, 'POST', '/api/v1/invites', { token: admin.token, body: { email: 'revoked@example.com' } })
    const token = res.body.url.split('/').pop()
    const id = res.body.invite.id
    expect((await send(invite.DELETE, 'DELETE', `/api/v1/invites/${id}`, { token: member.token, id })).status).toBe(403)
    expect((await send(invite.DELETE, 'DELETE', `/api/v1/invites/${id}`, { token: admin.token, id })).status).toBe(204)
    expect(await lookupInvite(t.db, token)).toEqual({ status: 'unknown' })
    await expect(acceptInvite({ db: t.db, token, input: { password: 'long enough password' } })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await send(invite.DELETE, 'DELETE', `/api/v1/invites/${id}`, { token: admin.token, id })).status).toBe(404)
  })

  it.each([
    ['an existing account', { email: 'member@example.com' }, 409, []],
    ['a bad email', { email: 'x' }, 400, ['email']],
    ['a non-integer expiry', { email: 'e@example.com', expiresInHours: 1.5 }, 400, ['expiresInHours']],
    ['an expiry over 30 days', { email: 'e@example.com', expiresInHours: 721 }, 400, ['expiresInHours']],
    ['an unknown role', { email: 'e@example.com', role: 'ROOT' }, 400, ['role']],
  ])('refuses %s', async (_label, body, status, fieldNames) => {
    const res = await send(invites.POST, 'POST', '/api/v1/invites', { token: admin.token, body })
    expect(res.status).toBe(status)
    expect(fields(res.body)).toEqual(fieldNames)
  })
})
