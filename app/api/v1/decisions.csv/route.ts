import { csvFilename, csvResponse } from '@/lib/server/exports/csv-response'
import { DECISION_COLUMNS, exportDecisions, ZExportDecisionsQuery } from '@/lib/server/exports/export-decisions'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?traderId=&positionId=&symbol=&action=&outcome= → 200 text/csv: the decision journal, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const filter = parseQuery(req, ZExportDecisionsQuery)
  return csvResponse({ filename: csvFilename('decisions'), columns: DECISION_COLUMNS, rows: exportDecisions({ db, userId: user.id, filter }) })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
