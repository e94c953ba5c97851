import { db as defaultDb, type Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { authenticateRequest, type RequestAuth } from '@/lib/server/auth/current-user'
import type { AuthUser } from '@/lib/server/auth/users'
import { AppError, notFound } from '@/lib/server/errors/app-error'
import { handleRoute } from '@/lib/server/http/json-response'
import { malformedMarketPath } from '@/lib/server/markets/market-symbol'
import { isWellFormedId } from '@/lib/server/validation/id-field'
import '@/lib/server/validation/zod-messages'

/** Who may call a route: any signed-in user or token (default), admins only, or anyone. */
export type RouteAccess = 'user' | 'admin' | 'public'

export interface ApiContext<P extends Record<string, string>> {
  req: Request
  db: Db
  /** Path parameters, each already checked to be a well-formed id. */
  params: P
  user: AuthUser
  /** Changes made through a route are audited as the API acting for the user. */
  actor: ActorRef
}

export interface PublicApiContext<P extends Record<string, string>> {
  req: Request
  db: Db
  params: P
}

type NextCtx<P> = { params?: Promise<P> }

// A path parameter that is not well formed cannot name a row: it is answered as not found before
// it reaches PostgreSQL (a NUL byte there is a 500). A market is the one that is not an id, and
// the natural mistake there (BTC/USDT, its slash encoded) gets the way to write it.
async function readParams<P extends Record<string, string>>(ctx: NextCtx<P> | undefined): Promise<P> {
  const params = ((await ctx?.params) ?? {}) as P
  for (const [key, value] of Object.entries(params)) {
    if (isWellFormedId(value)) continue
    if (key === 'symbol') throw malformedMarketPath(String(value))
    throw notFound('resource')
  }
  return params
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * A browser sends the session cookie with any request to this host, including a form or a
 * `text/plain` fetch from another page on the same site (another localhost port). A cookie-
 * authenticated mutation is accepted only from our own origin and as JSON, which a cross-origin
 * page cannot send without a CORS preflight we never grant. Bearer tokens are not sent
 * automatically, so token requests need neither check.
 */
export function assertSameOriginMutation(req: Request, auth: RequestAuth['via']) {
  if (auth !== 'cookie' || SAFE_METHODS.has(req.method)) return
  const origin = req.headers.get('origin')
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host') ?? new URL(req.url).host
  let originHost: string | null = null
  try {
    originHost = origin ? new URL(origin).host : null
  } catch {
    originHost = null
  }
  if (!originHost || originHost !== host) {
    throw new AppError('FORBIDDEN', 'cross-origin request refused: send it from this site, or use an API token')
  }
  const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase()
  const hasBody = req.headers.get('content-length') !== '0' && req.body !== null
  if (hasBody && type !== 'application/json') {
    throw new AppError('VALIDATION', 'content-type must be application/json', 415)
  }
}

/**
 * The one wrapper for `/api` route handlers: validates path ids (malformed → 404), authenticates
 * (bearer token or session cookie; 401 otherwise, 403 for a member on an admin route), refuses
 * cross-origin cookie mutations, and maps errors to the API's error shape. Handlers receive the
 * request context instead of building it.
 */
export function apiRoute<P extends Record<string, string> = Record<string, never>>(
  handler: (ctx: ApiContext<P>) => Promise<Response>,
  access?: Exclude<RouteAccess, 'public'>,
): (req: Request, ctx?: NextCtx<P>) => Promise<Response>
export function apiRoute<P extends Record<string, string> = Record<string, never>>(
  handler: (ctx: PublicApiContext<P>) => Promise<Response>,
  access: 'public',
): (req: Request, ctx?: NextCtx<P>) => Promise<Response>
export function apiRoute<P extends Record<string, string>>(
  handler: ((ctx: ApiContext<P>) => Promise<Response>) | ((ctx: PublicApiContext<P>) => Promise<Response>),
  access: RouteAccess = 'user',
) {
  return handleRoute(async (req: Request, nextCtx?: NextCtx<P>) => {
    const params = await readParams(nextCtx)
    if (access === 'public') {
      // Opened on first use: a public route that needs no database (the OpenAPI document) works without one.
      const ctx = { req, params, get db() { return defaultDb() } }
      return (handler as (c: PublicApiContext<P>) => Promise<Response>)(ctx)
    }
    const database = defaultDb()
    const auth = await authenticateRequest(req, database)
    assertSameOriginMutation(req, auth.via)
    if (access === 'admin' && auth.user.role !== 'ADMIN') throw new AppError('FORBIDDEN', 'only an admin can do this')
    const actor: ActorRef = { kind: 'API', id: auth.user.id }
    return (handler as (c: ApiContext<P>) => Promise<Response>)({ req, db: database, params, user: auth.user, actor })
  })
}
