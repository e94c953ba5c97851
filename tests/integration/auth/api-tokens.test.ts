import { encode } from 'next-auth/jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { hashApiToken, issueApiToken, revokeApiToken, userFromBearer } from '@/lib/server/auth/api-tokens'
import { authSecret } from '@/lib/server/auth/auth-options'
import { authenticateRequest } from '@/lib/server/auth/current-user'
import { createFirstAdmin, type AuthUser } from '@/lib/server/auth/users'
import { AppError } from '@/lib/server/errors/app-error'

let t: TestDatabase
let user: AuthUser
beforeAll(async () => {
  t = await createTestDatabase()
  user = await createFirstAdmin(t.db, { email: 'owner@example.com', password: 'long enough pw' })
})
afterAll(async () => {
  await t?.drop()
})

describe('API tokens', () => {
  it('issues tl_ + 32 random bytes (base64url) and stores only its SHA-256 and prefix', async () => {
    const issued = await issueApiToken(t.db, user.id, 'ci')
    expect(issued.token).toMatch(/^tl_[A-Za-z0-9_-]{43}$/)
    expect(issued.prefix).toBe(issued.token.slice(0, 10))
    const row = await t.db.apiToken.findUniqueOrThrow({ where: { id: issued.id } })
    expect(row.tokenHash).toBe(hashApiToken(issued.token))
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(row)).not.toContain(issued.token)
  })

  it('resolves a bearer token to its owner, and rejects unknown or malformed ones', async () => {
    const { token } = await issueApiToken(t.db, user.id, 'script')
    expect((await userFromBearer(t.db, `Bearer ${token}`))?.id).toBe(user.id)
    expect(await userFromBearer(t.db, `Bearer ${token}x`)).toBeNull()
    expect(await userFromBearer(t.db, token)).toBeNull() // no scheme
    expect(await userFromBearer(t.db, 'Bearer ')).toBeNull()
    expect(await userFromBearer(t.db, null)).toBeNull()
  })

  it('rejects a revoked token', async () => {
    const issued = await issueApiToken(t.db, user.id, 'to revoke')
    expect(await revokeApiToken(t.db, user.id, issued.id)).toBe(true)
    expect(await userFromBearer(t.db, `Bearer ${issued.token}`)).toBeNull()
    expect(await revokeApiToken(t.db, user.id, issued.id)).toBe(false)
  })

  it('records lastUsedAt at most once a minute', async () => {
    const issued = await issueApiToken(t.db, user.id, 'usage')
    const lastUsed = async () => (await t.db.apiToken.findUniqueOrThrow({ where: { id: issued.id } })).lastUsedAt
    const t0 = new Date('2030-01-01T00:00:00Z')
    await userFromBearer(t.db, `Bearer ${issued.token}`, t0)
    expect(await lastUsed()).toEqual(t0)
    await userFromBearer(t.db, `Bearer ${issued.token}`, new Date(t0.getTime() + 30_000))
    expect(await lastUsed()).toEqual(t0)
    const t2 = new Date(t0.getTime() + 61_000)
    await userFromBearer(t.db, `Bearer ${issued.token}`, t2)
    expect(await lastUsed()).toEqual(t2)
  })
})

describe('authenticateRequest', () => {
  const url = 'http://localhost/api/v1/anything'
  async function rejection(req: Request): Promise<AppError> {
    const err = await authenticateRequest(req, t.db).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  async function sessionCookie(sub: string, name = 'next-auth.session-token') {
    const jwt = await encode({ token: { sub, email: 'owner@example.com' }, secret: authSecret()! })
    return `${name}=${jwt}`
  }

  it('accepts a valid bearer token', async () => {
    const { token } = await issueApiToken(t.db, user.id, 'bearer')
    const got = await authenticateRequest(new Request(url, { headers: { authorization: `Bearer ${token}` } }), t.db)
    expect(got.user.id).toBe(user.id)
    expect(got.via).toBe('token')
  })

  it('accepts the next-auth session cookie (plain and __Secure- names)', async () => {
    for (const name of ['next-auth.session-token', '__Secure-next-auth.session-token']) {
      const cookie = `other=1; ${await sessionCookie(user.id, name)}`
      const got = await authenticateRequest(new Request(url, { headers: { cookie } }), t.db)
      expect(got.user.email).toBe('owner@example.com')
      expect(got.via).toBe('cookie')
    }
  })

  it('answers 401 UNAUTHENTICATED with no credentials, a bad token, a forged cookie or a deleted user', async () => {
    const cases = [
      new Request(url),
      new Request(url, { headers: { authorization: 'Bearer tl_nope' } }),
      new Request(url, { headers: { cookie: 'next-auth.session-token=not-a-jwt' } }),
      new Request(url, { headers: { cookie: await sessionCookie('no-such-user') } }),
    ]
    for (const req of cases) {
      const err = await rejection(req)
      expect(err.code).toBe('UNAUTHENTICATED')
      expect(err.status).toBe(401)
    }
  })

  it('does not accept a session JWT passed as a bearer token', async () => {
    const jwt = (await sessionCookie(user.id)).split('=')[1]
    const err = await rejection(new Request(url, { headers: { authorization: `Bearer ${jwt}` } }))
    expect(err.code).toBe('UNAUTHENTICATED')
  })
})
