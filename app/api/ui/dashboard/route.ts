import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { loadDashboard } from '@/lib/server/ui/load-dashboard'

export const dynamic = 'force-dynamic'

/** The dashboard's data (active positions, accounts, activity) for its React Query refetches. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(await loadDashboard(db(), user.id), 200, { 'Cache-Control': 'no-store' })
})
