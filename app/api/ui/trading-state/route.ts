import { loadTradingState } from '@/lib/server/trading/trading-state'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** Which accounts are halted and which traders paused or halted, and why. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(await loadTradingState(db, user.id), 200, { 'Cache-Control': 'no-store' }))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
