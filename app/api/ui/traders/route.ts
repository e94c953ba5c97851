import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { accountSummaries } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'

/** Traders with their paper balances and equity. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(await accountSummaries(db(), user.id), 200, { 'Cache-Control': 'no-store' })
})
