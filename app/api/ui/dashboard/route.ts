import { loadDashboard } from '@/lib/server/ui/load-dashboard'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** The dashboard's data (active positions, accounts, activity) for its React Query refetches. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(await loadDashboard(db, user.id), 200, { 'Cache-Control': 'no-store' }))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
