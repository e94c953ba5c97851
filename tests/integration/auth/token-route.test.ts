import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { userFromBearer } from '@/lib/server/auth/api-tokens'
import { createFirstAdmin } from '@/lib/server/auth/users'

let t: TestDatabase
let POST: (req: Request) => Promise<Response>
const globalForDb = globalThis as unknown as { __db?: { $disconnect(): Promise<void> } }

beforeAll(async () => {
  t = await createTestDatabase()
  await createFirstAdmin(t.db, { email: 'owner@example.com', password: 'long enough pw' })
  // The route uses the process-wide db(), which reads DATABASE_URL on first use.
  process.env.DATABASE_URL = t.url
  delete globalForDb.__db
  ;({ POST } = await import('@/app/api/v1/auth/token/route'))
})
afterAll(async () => {
  await globalForDb.__db?.$disconnect()
  delete globalForDb.__db
  await t?.drop()
})

function post(body: string | object) {
  return POST(
    new Request('http://localhost/api/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  )
}

describe('POST /api/v1/auth/token', () => {
  it('returns 201 with a working token for the right credentials', async () => {
    const res = await post({ email: 'Owner@example.com', password: 'long enough pw', name: 'my bot' })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { token: string; prefix: string }
    expect(body.token).toMatch(/^tl_/)
    expect(body.prefix).toBe(body.token.slice(0, 10))
    expect((await userFromBearer(t.db, `Bearer ${body.token}`))?.email).toBe('owner@example.com')
    const row = await t.db.apiToken.findFirstOrThrow({ where: { prefix: body.prefix } })
    expect(row.name).toBe('my bot')
  })

  it.each([
    ['wrong password', { email: 'owner@example.com', password: 'wrong password' }],
    ['unknown user', { email: 'nobody@example.com', password: 'long enough pw' }],
  ])('returns 401 for %s', async (_label, body) => {
    const res = await post(body)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'invalid email or password' } })
  })

  it('returns 400 naming the missing field', async () => {
    const res = await post({ email: 'owner@example.com' })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { code: string; fields: { field: string }[] } }
    expect(body.error.code).toBe('VALIDATION')
    expect(body.error.fields.map((f) => f.field)).toEqual(['password'])
  })

  it('returns 400 for a body that is not JSON', async () => {
    const res = await post('{"email": ')
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: { code: 'VALIDATION', message: 'request body is not valid JSON' } })
  })
})
