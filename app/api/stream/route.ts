import { eventStreamResponse } from '@/lib/server/events/event-stream'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

const HEARTBEAT_MS = 15_000

/** Server-sent events for the signed-in user (see eventStreamResponse). */
export const GET = apiRoute(({ req, db, user }) => eventStreamResponse({ req, db, userId: user.id, heartbeatMs: HEARTBEAT_MS }))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
