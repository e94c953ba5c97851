import { listPositions } from '@/lib/server/positions/position-views'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** Closed and failed positions, newest first. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(await listPositions(db, user.id, { state: 'closed' }), 200, { 'Cache-Control': 'no-store' }))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
