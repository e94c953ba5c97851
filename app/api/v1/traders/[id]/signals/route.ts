import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { listSignals, ZListSignalsQuery } from '@/lib/server/signals/list-signals'
import { parseQuery } from '../../../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?status=&symbol=&from=&to=&q=&limit=&cursor= → 200 { signals, nextCursor }: the trader's signal log, newest first. */
export const GET = apiRoute<{ id: string }>(async ({ req, db, params, user }) =>
  jsonResponse(await listSignals({ db, userId: user.id, traderId: params.id, query: parseQuery(req, ZListSignalsQuery) })),
)

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
