import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiDatabase } from '@/tests/integration/api/api-harness'
import { authOptions } from '@/lib/server/auth/auth-options'
import { HASH_CONCURRENCY, HASH_MAX_WAIT_MS, passwordHashSlots } from '@/lib/server/auth/password'
import { closeSignInAttemptCounters, SIGN_IN_LIMITS } from '@/lib/server/auth/sign-in-attempts'
import { createFirstAdmin } from '@/lib/server/auth/users'
import { signInErrorMessage } from '@/app/signin/sign-in-error-message'

type Started = Awaited<ReturnType<typeof startApiDatabase>>
let t: Started
let POST: (req: Request, ctx: { params: Promise<never> }) => Promise<Response>
const PASSWORD = 'long enough pw'

beforeAll(async () => {
  t = await startApiDatabase()
  await createFirstAdmin(t.db, { email: 'owner@example.com', password: PASSWORD })
  for (const email of ['victim@example.com', 'other@example.com', 'reset@example.com', 'form@example.com', 'busy@example.com']) {
    await t.db.user.create({ data: { email, passwordHash: (await t.db.user.findFirstOrThrow()).passwordHash } })
  }
  ;({ POST } = await import('@/app/api/v1/auth/token/route'))
})
afterAll(async () => {
  await closeSignInAttemptCounters()
  await t?.stop()
})

function tokenRequest(body: object, address: string) {
  return POST(
    new Request('http://localhost/api/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) as Promise<never> },
  )
}

// The credentials provider's authorize(), as next-auth calls it from POST /api/auth/callback/credentials.
async function authorize(email: string, password: string, address: string) {
  const provider = authOptions.providers[0] as unknown as {
    options: { authorize(c: Record<string, string>, req: { headers: Record<string, string> }): Promise<unknown> }
  }
  return provider.options.authorize({ email, password }, { headers: { 'x-forwarded-for': address } })
}

describe('POST /api/v1/auth/token rate limits', () => {
  it(`answers 429 with Retry-After after ${SIGN_IN_LIMITS.perEmail.points} failures for one email, even from new addresses`, async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.points; i++) {
      const res = await tokenRequest({ email: 'victim@example.com', password: 'wrong password' }, `10.1.0.${i}`)
      expect(res.status).toBe(401)
    }
    // The right password does not help once the account is locked.
    const res = await tokenRequest({ email: 'Victim@example.com', password: PASSWORD }, '10.1.1.1')
    expect(res.status).toBe(429)
    const retryAfter = Number(res.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_LIMITS.perEmail.durationSeconds)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('RATE_LIMITED')
    expect(body.error.message).toMatch(/too many sign-in attempts; try again in \d+ s/)
    // Another account is unaffected.
    expect((await tokenRequest({ email: 'other@example.com', password: PASSWORD }, '10.1.1.2')).status).toBe(201)
  })

  it(`answers 429 after ${SIGN_IN_LIMITS.perAddress.points} attempts from one address, whichever accounts they name`, async () => {
    const address = '203.0.113.7'
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress.points; i++) {
      const res = await tokenRequest({ email: `nobody${i}@example.com`, password: 'wrong password' }, address)
      expect(res.status).toBe(401)
    }
    const res = await tokenRequest({ email: 'owner@example.com', password: PASSWORD }, address)
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    // The last x-forwarded-for hop is the key: a different client behind the same proxy is fine.
    expect((await tokenRequest({ email: 'owner@example.com', password: PASSWORD }, `${address}, 198.51.100.9`)).status).toBe(201)
  })

  it('keeps its counters in PostgreSQL, shared by every web process', async () => {
    const rows = await t.db.$queryRawUnsafe<{ key: string; points: number }[]>(`SELECT key, points FROM rate_limit.counters`)
    expect(rows.some((r) => r.key === 'signin-address:203.0.113.7' && r.points > SIGN_IN_LIMITS.perAddress.points)).toBe(true)
    // Emails are stored hashed, never in clear.
    expect(rows.some((r) => r.key.includes('@'))).toBe(false)
  })
})

describe('sign-in form (next-auth authorize) rate limits', () => {
  it('a successful sign-in clears the failures counted for the email', async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.points - 1; i++) expect(await authorize('reset@example.com', 'wrong password', `10.2.0.${i}`)).toBeNull()
    expect(await authorize('reset@example.com', PASSWORD, '10.2.1.1')).toMatchObject({ email: 'reset@example.com', sessionVersion: 0 })
    // Without the reset this run would hit the limit after one more failure.
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.points - 1; i++) expect(await authorize('reset@example.com', 'wrong password', `10.2.2.${i}`)).toBeNull()
    expect(await authorize('reset@example.com', PASSWORD, '10.2.3.1')).toMatchObject({ email: 'reset@example.com' })
  })

  it('throws TooManyAttempts:<seconds>, which the form shows as "Too many attempts; try again in N s"', async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.points; i++) expect(await authorize('form@example.com', 'wrong password', `10.3.0.${i}`)).toBeNull()
    const err = await authorize('form@example.com', PASSWORD, '10.3.1.1').then(
      () => null,
      (e: Error) => e,
    )
    expect(err?.message).toMatch(/^TooManyAttempts:\d+$/)
    const seconds = Number(err!.message.split(':')[1])
    expect(seconds).toBeGreaterThan(0)
    expect(signInErrorMessage(err!.message)).toBe(`Too many attempts; try again in ${seconds} s.`)
  })
})

describe('password hashing at capacity', () => {
  // Holds every hashing slot, as a burst of slow sign-ins would, until `release` is called.
  function holdAllSlots() {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const held = Array.from({ length: HASH_CONCURRENCY }, () => passwordHashSlots.run(() => gate))
    return async () => {
      release()
      await Promise.all(held)
    }
  }

  it('answers 503 BUSY with Retry-After after waiting a few seconds, and does not count the attempt', async () => {
    const release = holdAllSlots()
    try {
      const started = Date.now()
      const res = await tokenRequest({ email: 'busy@example.com', password: PASSWORD }, '10.9.0.1')
      expect(res.status).toBe(503)
      expect(Date.now() - started).toBeGreaterThanOrEqual(HASH_MAX_WAIT_MS - 50)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BUSY')
      // The sign-in form hears it as Busy:<s>.
      const err = await authorize('busy@example.com', PASSWORD, '10.9.0.2').then(() => null, (e: Error) => e)
      expect(err?.message).toMatch(/^Busy:\d+$/)
      expect(signInErrorMessage(err!.message)).toMatch(/^The server is busy; try again in \d+ s\.$/)
    } finally {
      await release()
    }
    // Refunded: neither busy attempt counts against the email or the address.
    const rows = await t.db.$queryRawUnsafe<{ key: string; points: number }[]>(`SELECT key, points FROM rate_limit.counters WHERE key LIKE 'signin-address:10.9.0.%'`)
    expect(rows).toHaveLength(2)
    expect(rows.every((r) => r.points === 0)).toBe(true)
    expect((await tokenRequest({ email: 'busy@example.com', password: PASSWORD }, '10.9.0.1')).status).toBe(201)
  })
})
