import { jsonResponse, type ErrorBody } from '@/lib/server/http/json-response'

export const dynamic = 'force-dynamic'

/**
 * Any /api path no route answers (a typo, an old URL, a missing id segment): a JSON 404 in the
 * API's error shape rather than the HTML not-found page, for every method.
 */
async function notFound(req: Request): Promise<Response> {
  const body: ErrorBody = { error: { code: 'NOT_FOUND', message: `no such API endpoint: ${req.method} ${new URL(req.url).pathname}` } }
  return jsonResponse(body, 404)
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE, notFound as HEAD, notFound as OPTIONS }
