import type { DbTx } from '@/lib/db/client'
import { fromDbOrNull, fromDb } from '@/lib/db/decimal-columns'
import type { Prisma } from '@/lib/generated/prisma/client'
import type { CsvColumn } from './csv-response'
import { assertOwnPosition } from './export-fills'
import type { TradeExportFilter } from './export-queries'
import { keysetPages } from './keyset-pages'

const include = { trader: { select: { name: true } } } as const
type OrderRow = Prisma.OrderGetPayload<{ include: typeof include }>

const decimal = (v: { toString(): string } | null) => fromDbOrNull(v)?.toFixed() ?? null

export const ORDER_COLUMNS: CsvColumn<OrderRow>[] = [
  { header: 'created_at', value: (o) => o.createdAt.toISOString() },
  { header: 'order_id', value: (o) => o.id },
  { header: 'client_order_id', value: (o) => o.clientOrderId },
  { header: 'exchange_order_id', value: (o) => o.exchangeOrderId },
  { header: 'position_id', value: (o) => o.positionId },
  { header: 'trader', value: (o) => o.trader?.name },
  { header: 'symbol', value: (o) => o.symbol },
  { header: 'side', value: (o) => o.side },
  { header: 'type', value: (o) => o.type },
  { header: 'purpose', value: (o) => o.purpose },
  { header: 'status', value: (o) => o.status },
  { header: 'qty', value: (o) => fromDb(o.qty).toFixed() },
  { header: 'price', value: (o) => decimal(o.price) },
  { header: 'trigger_price', value: (o) => decimal(o.triggerPrice) },
  { header: 'filled_qty', value: (o) => fromDb(o.filledQty).toFixed() },
  { header: 'avg_fill_price', value: (o) => decimal(o.avgFillPrice) },
  { header: 'reduce_only', value: (o) => o.reduceOnly },
  { header: 'reject_reason', value: (o) => o.rejectReason },
  { header: 'created_by', value: (o) => o.createdBy },
  { header: 'submitted_at', value: (o) => o.submittedAt?.toISOString() },
  { header: 'updated_at', value: (o) => o.updatedAt.toISOString() },
]

/** The orders of the user's accounts matching the filter, newest first, read a page at a time. */
export async function exportOrders(opts: { db: DbTx; userId: string; filter: TradeExportFilter }): Promise<AsyncGenerator<OrderRow>> {
  const f = opts.filter
  await assertOwnPosition(opts.db, opts.userId, f.positionId)
  const where: Prisma.OrderWhereInput = {
    account: { userId: opts.userId },
    positionId: f.positionId,
    traderId: f.traderId,
    symbol: f.symbol,
    createdAt: { gte: f.from, lt: f.to },
  }
  return keysetPages((after, take) =>
    opts.db.order.findMany({ where: after ? { AND: [where, after] } : where, include, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take }),
  )
}
