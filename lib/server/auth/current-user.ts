import { getServerSession } from 'next-auth'
import { getToken } from 'next-auth/jwt'
import { redirect } from 'next/navigation'
import { db, type Db, type DbTx } from '@/lib/db/client'
import { userFromBearer } from '@/lib/server/auth/api-tokens'
import { authOptions, authSecret } from '@/lib/server/auth/auth-options'
import { countUsers, findUserById, type AuthUser } from '@/lib/server/auth/users'
import { unauthenticated } from '@/lib/server/errors/app-error'

const SESSION_COOKIE = 'next-auth.session-token'
const SECURE_SESSION_COOKIE = '__Secure-next-auth.session-token'

/**
 * The user a session names, if it still exists and the session was issued under the user's
 * current sessionVersion: a password change increments it, so every older session ends.
 * Sessions from before versions existed carry none and count as version 0 (the column default).
 */
async function findSessionUser(database: DbTx, id: string, version: number | undefined): Promise<AuthUser | null> {
  const [user, current] = await Promise.all([
    findUserById(database, id),
    database.user.findUnique({ where: { id }, select: { sessionVersion: true } }),
  ])
  return user && current && current.sessionVersion === (version ?? 0) ? user : null
}

/** The signed-in user of the current request (server components, layouts, server actions), or null. */
export async function getPageUser(database: DbTx = db()): Promise<AuthUser | null> {
  const session = await getServerSession(authOptions)
  const id = session?.user?.id
  // The JWT outlives the account and its password; check both still hold.
  return id ? findSessionUser(database, id, session.user.sessionVersion) : null
}

/**
 * For server components and layouts: the signed-in user, else a redirect to /setup on a fresh
 * install (no users yet) or to /signin.
 */
export async function requirePageUser(database: DbTx = db()): Promise<AuthUser> {
  const user = await getPageUser(database)
  if (user) return user
  if ((await countUsers(database)) === 0) redirect('/setup')
  redirect('/signin')
}

function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {}
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
    try {
      out[name] = decodeURIComponent(raw)
    } catch {
      out[name] = raw
    }
  }
  return out
}

export interface RequestSession {
  userId: string
  /** User.sessionVersion the session was issued under (0 for sessions older than versions). */
  version: number
  /** Whether the browser sent the `__Secure-` cookie (https). */
  secureCookie: boolean
}

/** The user id in a request's next-auth session cookie, if the cookie is present and valid. */
export async function sessionUserIdFromRequest(req: Request): Promise<string | null> {
  return (await sessionFromRequest(req))?.userId ?? null
}

/** The next-auth session in a request's cookie, if present and valid (not yet checked against the user). */
export async function sessionFromRequest(req: Request): Promise<RequestSession | null> {
  const cookies = parseCookies(req.headers.get('cookie'))
  const names = Object.keys(cookies)
  // Over https next-auth uses the __Secure- name; take whichever the browser sent.
  const secure = names.some((n) => n.startsWith(SECURE_SESSION_COOKIE))
  if (!secure && !names.some((n) => n.startsWith(SESSION_COOKIE))) return null
  const secret = authSecret()
  if (!secret) return null
  const token = await getToken({
    // No authorization header here: getToken would otherwise accept a session JWT as a bearer.
    req: { cookies, headers: {} } as unknown as Parameters<typeof getToken>[0]['req'],
    secret,
    secureCookie: secure,
  })
  if (typeof token?.sub !== 'string') return null
  return { userId: token.sub, version: typeof token.sv === 'number' ? token.sv : 0, secureCookie: secure }
}

export interface RequestAuth {
  user: AuthUser
  /** How the request proved who it is: a cookie is sent by browsers on their own, a token is not. */
  via: 'token' | 'cookie'
}

/**
 * For route handlers: the user behind `Authorization: Bearer <api token>` or the next-auth
 * session cookie. Throws AppError UNAUTHENTICATED (401) otherwise. A request that sends a bearer
 * token is judged by that token alone.
 */
export async function authenticateRequest(req: Request, database: Db = db()): Promise<RequestAuth> {
  const authorization = req.headers.get('authorization')
  if (authorization) {
    const user = await userFromBearer(database, authorization)
    if (!user) throw unauthenticated('invalid, expired or revoked API token')
    return { user, via: 'token' }
  }
  const session = await sessionFromRequest(req)
  const user = session ? await findSessionUser(database, session.userId, session.version) : null
  if (!user) throw unauthenticated('sign in or send an API token (Authorization: Bearer <token>)')
  return { user, via: 'cookie' }
}
