import { csvFilename, csvResponse } from '@/lib/server/exports/csv-response'
import { LOG_COLUMNS } from '@/lib/server/exports/export-logs'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { allLogs } from '@/lib/server/logs/list-logs'
import { ZLogExportQuery } from '@/lib/server/logs/log-filter'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?kind=&level=&type=&traderId=&symbol=&from=&to=&q= → 200 text/csv: every matching log line, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const filter = parseQuery(req, ZLogExportQuery)
  return csvResponse({ filename: csvFilename('logs'), columns: LOG_COLUMNS, rows: allLogs({ db, userId: user.id, filter }) })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
