import { csvFilename, csvResponse } from '@/lib/server/exports/csv-response'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { allSignals, SIGNAL_COLUMNS, ZSignalExportQuery } from '@/lib/server/signals/list-signals'
import { parseQuery } from '../../../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?status=&symbol=&from=&to=&q= → 200 text/csv: every matching signal of the trader, newest first (secrets redacted). */
export const GET = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const filter = parseQuery(req, ZSignalExportQuery)
  return csvResponse({ filename: csvFilename('signals'), columns: SIGNAL_COLUMNS, rows: allSignals({ db, userId: user.id, traderId: params.id, filter }) })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
