import type { TestDatabase } from '@/tests/support/test-db'
import { createTestDatabase } from '@/tests/support/test-db'
import { issueApiToken } from '@/lib/server/auth/api-tokens'

const globalForDb = globalThis as unknown as { __db?: { $disconnect(): Promise<void> } }

/**
 * Closes the process-wide client the route modules use (db()): the next db() opens one on
 * DATABASE_URL as it is then.
 */
export async function closeRoutesDb(): Promise<void> {
  await globalForDb.__db?.$disconnect()
  delete globalForDb.__db
}

/**
 * A fresh database that the route modules' process-wide db() points at. Call before importing
 * any route module: db() reads DATABASE_URL on first use.
 */
export async function startApiDatabase(): Promise<TestDatabase & { stop(): Promise<void> }> {
  const t = await createTestDatabase()
  process.env.DATABASE_URL = t.url
  delete globalForDb.__db
  return {
    ...t,
    async stop() {
      await closeRoutesDb()
      await t.drop()
    },
  }
}

/** A user with an API token. */
export async function apiUser(t: TestDatabase, email: string) {
  const user = await t.db.user.create({ data: { email, passwordHash: 'not used' } })
  const { token } = await issueApiToken(t.db, user.id, 'test')
  return { id: user.id, token }
}

// Routes without path parameters get `{}` as Next gives them; the wrapper checks every one given.
// (Typed `never` so that handlers typed for `{}` and for `{ id }` params both fit.)
type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>

export interface CallOptions {
  token?: string | null
  body?: unknown
  /** Sent as is (e.g. malformed JSON); otherwise `body` is JSON-encoded. */
  rawBody?: string
  id?: string
  /** Further request headers (Idempotency-Key, say). */
  headers?: Record<string, string>
}

/** Calls a route handler the way Next does, and reads the JSON answer. */
export async function call(handler: Handler, method: string, path: string, o: CallOptions = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers }
  if (o.token) headers.authorization = `Bearer ${o.token}`
  const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body))
  const res = await handler(new Request(`http://localhost${path}`, { method, headers, body }), { params: Promise.resolve(o.id === undefined ? {} : { id: o.id }) as Promise<never> })
  const text = await res.text()
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as any }
}

/** The field names of a 400 VALIDATION answer. */
export function fieldsOf(body: { error?: { fields?: { field: string }[] } }): string[] {
  return body.error?.fields?.map((f) => f.field) ?? []
}
