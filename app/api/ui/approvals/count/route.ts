import { countPendingApprovals } from '@/lib/server/approvals/list-approvals'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** { pending }: the navigation badge's number. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse({ pending: await countPendingApprovals({ db, userId: user.id }) }, 200, { 'Cache-Control': 'no-store' }))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
