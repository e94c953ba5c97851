import { jsonResponse, type ErrorBody } from '@/lib/server/http/json-response'

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type RouteMethod = (typeof ROUTE_METHODS)[number]

type Refusal = (req: Request) => Promise<Response>

/**
 * Handlers for the methods a route does not implement. Next answers those with an empty 405;
 * a route exports these instead, so the answer is a 405 in the API's error shape with an Allow
 * header: `export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')`.
 */
export function otherMethods(...allowed: RouteMethod[]): Record<RouteMethod, Refusal> {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ')
  const refuse: Refusal = async (req) => {
    const body: ErrorBody = { error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not supported here; use ${allowed.join(' or ')}` } }
    return jsonResponse(body, 405, { Allow: allow })
  }
  return Object.fromEntries(ROUTE_METHODS.map((m) => [m, refuse])) as Record<RouteMethod, Refusal>
}
