import { comeBackLaterStream, eventStreamResponse } from '@/lib/server/events/event-stream'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

const HEARTBEAT_MS = 15_000

const stream = apiRoute(({ req, db, user }) => eventStreamResponse({ req, db, userId: user.id, heartbeatMs: HEARTBEAT_MS }))

/**
 * Server-sent events for the signed-in user (see eventStreamResponse). A 503 (the database away
 * or busy) is answered as a stream that asks the browser to come back (see comeBackLaterStream);
 * a 401 stays a 401, which ends the browser's reconnecting.
 */
export async function GET(req: Request): Promise<Response> {
  const res = await stream(req)
  if (res.status !== 503) return res
  return comeBackLaterStream(Number(res.headers.get('retry-after') ?? 5))
}

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
