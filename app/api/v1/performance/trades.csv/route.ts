import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { loadClosedTrades } from '@/lib/server/performance/closed-trades'
import { closedTradesCsv } from '@/lib/server/performance/closed-trades-csv'
import { ZPerformanceQuery } from '@/lib/server/performance/performance-query'
import { parseQuery } from '../../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET with the performance filters → 200 text/csv: the closed trades, oldest close first (every currency unless `currency` is given). */
export const GET = apiRoute(async ({ req, db, user }) => {
  const query = parseQuery(req, ZPerformanceQuery)
  const trades = await loadClosedTrades(db, user.id, query)
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return new Response(closedTradesCsv(trades), {
    status: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="tradeloop-closed-trades-${query.mode.toLowerCase()}-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
