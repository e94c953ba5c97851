import { csvFilename, csvResponse } from '@/lib/server/exports/csv-response'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { loadClosedTrades } from '@/lib/server/performance/closed-trades'
import { CLOSED_TRADE_COLUMNS, closedTradeRows } from '@/lib/server/performance/closed-trades-csv'
import { ZPerformanceQuery } from '@/lib/server/performance/performance-query'
import { parseQuery } from '../../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET with the performance filters → 200 text/csv: the closed trades, oldest close first (every currency unless `currency` is given). */
export const GET = apiRoute(async ({ req, db, user }) => {
  const query = parseQuery(req, ZPerformanceQuery)
  const trades = await loadClosedTrades(db, user.id, query)
  return csvResponse({ filename: csvFilename(`closed-trades-${query.mode.toLowerCase()}`), columns: CLOSED_TRADE_COLUMNS, rows: closedTradeRows(trades) })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
