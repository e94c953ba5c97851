import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { getDecision } from '@/lib/server/decisions/get-decision'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZDecisionDetail } from '@/lib/server/openapi/decision-schemas'

export const dynamic = 'force-dynamic'

/** GET → 200 DecisionDetail (with the exact prompt and raw response); 404 when it is not the caller's. */
export const GET = handleRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const user = await requireApiUser(req)
  const { id } = await params
  return jsonResponse(ZDecisionDetail.parse(await getDecision({ db: db(), userId: user.id, decisionId: id })))
})
