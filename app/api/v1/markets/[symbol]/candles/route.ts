import { fromZodError } from '@/lib/server/errors/app-error'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZCandlesQuery } from '@/lib/server/markets/candles-query'
import { loadCandles } from '@/lib/server/markets/load-candles'
import { ZMarketPathParams } from '@/lib/server/markets/market-symbol'
import { ZCandleList } from '@/lib/server/openapi/market-schemas'
import { parseQuery } from '../../../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET /api/v1/markets/BTC-USDT/candles?timeframe=&limit= → 200 { symbol, timeframe, source, candles } */
export const GET = apiRoute<{ symbol: string }>(async ({ req, db, params }) => {
  const path = ZMarketPathParams.safeParse({ symbol: params.symbol })
  if (!path.success) throw fromZodError(path.error)
  const q = parseQuery(req, ZCandlesQuery)
  const list = await loadCandles({ db, symbol: path.data.symbol, timeframe: q.timeframe, limit: q.limit })
  // Market data is the same for every user; a browser may reuse an answer as briefly as the server does.
  return jsonResponse(ZCandleList.parse(list), 200, { 'Cache-Control': 'private, max-age=5' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
