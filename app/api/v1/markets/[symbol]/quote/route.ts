import { env } from '@/lib/config/env'
import { fromZodError } from '@/lib/server/errors/app-error'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { loadMarketQuote } from '@/lib/server/markets/load-market-quote'
import { ZMarketPathParams } from '@/lib/server/markets/market-symbol'
import { ZMarketQuote } from '@/lib/server/openapi/market-schemas'

export const dynamic = 'force-dynamic'

/** GET /api/v1/markets/BTC-USDT/quote → 200 { symbol, bid, ask, last, source, …, ageMs, stale } */
export const GET = apiRoute<{ symbol: string }>(async ({ db, params }) => {
  const path = ZMarketPathParams.safeParse({ symbol: params.symbol })
  if (!path.success) throw fromZodError(path.error)
  const quote = await loadMarketQuote(db, path.data.symbol, env().MARKET_STALE_AFTER_MS)
  return jsonResponse(ZMarketQuote.parse(quote), 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
