import { eventStreamResponse } from '@/lib/server/events/event-stream'
import { apiRoute } from '@/lib/server/http/api-route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

const HEARTBEAT_MS = 15_000

/** Server-sent events for the signed-in user (see eventStreamResponse). */
export const GET = apiRoute(({ req, db, user }) => eventStreamResponse({ req, db, userId: user.id, heartbeatMs: HEARTBEAT_MS }))
