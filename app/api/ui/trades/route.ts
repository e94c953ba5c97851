import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { listPositions } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'

/** Closed and failed positions, newest first. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(await listPositions(db(), user.id, { state: 'closed' }), 200, { 'Cache-Control': 'no-store' })
})
