import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { loadTradingState } from '@/lib/server/trading/trading-state'

export const dynamic = 'force-dynamic'

/** Which accounts are halted and which traders paused or halted, and why. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(await loadTradingState(db(), user.id), 200, { 'Cache-Control': 'no-store' })
})
