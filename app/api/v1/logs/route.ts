import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { listLogs } from '@/lib/server/logs/list-logs'
import { ZListLogsQuery } from '@/lib/server/logs/log-filter'
import { ZLogList } from '@/lib/server/openapi/log-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?kind=&level=&type=&traderId=&symbol=&from=&to=&q=&cursor=&limit= → 200 { logs, nextCursor }, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const { limit, cursor, ...filter } = parseQuery(req, ZListLogsQuery)
  const page = await listLogs({ db, userId: user.id, filter, cursor, limit })
  return jsonResponse(ZLogList.parse(page), 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
