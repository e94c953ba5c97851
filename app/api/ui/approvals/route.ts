import { loadApprovalsPage } from '@/lib/server/approvals/list-approvals'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** The approvals page: pending requests and recently decided ones. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(await loadApprovalsPage(db, user.id), 200, { 'Cache-Control': 'no-store' }))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
