import { csvFilename, csvResponse } from '@/lib/server/exports/csv-response'
import { exportOrders, ORDER_COLUMNS } from '@/lib/server/exports/export-orders'
import { ZTradeExportQuery } from '@/lib/server/exports/export-queries'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?positionId=&traderId=&symbol=&from=&to= → 200 text/csv: the orders of your accounts, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const filter = parseQuery(req, ZTradeExportQuery)
  return csvResponse({ filename: csvFilename('orders'), columns: ORDER_COLUMNS, rows: await exportOrders({ db, userId: user.id, filter }) })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
