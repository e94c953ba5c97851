import { accountSummaries } from '@/lib/server/positions/position-views'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'

export const dynamic = 'force-dynamic'

/** Traders with their paper balances and equity. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(await accountSummaries(db, user.id), 200, { 'Cache-Control': 'no-store' }))
