import { getPositionDetail } from '@/lib/server/positions/position-views'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** One position with its orders, fills and audit trail, for the detail page's refetches. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(await getPositionDetail(db, user.id, params.id), 200, { 'Cache-Control': 'no-store' }))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
