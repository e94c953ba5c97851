import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import type { Prisma } from '@/lib/generated/prisma/client'
import { notFound } from '@/lib/server/errors/app-error'
import type { CsvColumn } from './csv-response'
import type { TradeExportFilter } from './export-queries'
import { keysetPages } from './keyset-pages'

const include = { order: { select: { clientOrderId: true, purpose: true, type: true, symbol: true, trader: { select: { name: true } } } } } as const
type FillRow = Prisma.FillGetPayload<{ include: typeof include }>

export const FILL_COLUMNS: CsvColumn<FillRow>[] = [
  { header: 'time', value: (f) => f.createdAt.toISOString() },
  { header: 'fill_id', value: (f) => f.id },
  { header: 'exchange_fill_id', value: (f) => f.exchangeFillId },
  { header: 'order_id', value: (f) => f.orderId },
  { header: 'client_order_id', value: (f) => f.order.clientOrderId },
  { header: 'position_id', value: (f) => f.positionId },
  { header: 'trader', value: (f) => f.order.trader?.name },
  { header: 'symbol', value: (f) => f.order.symbol },
  { header: 'side', value: (f) => f.side },
  { header: 'qty', value: (f) => fromDb(f.qty).toFixed() },
  { header: 'price', value: (f) => fromDb(f.price).toFixed() },
  { header: 'fee', value: (f) => fromDb(f.fee).toFixed() },
  { header: 'fee_asset', value: (f) => f.feeAsset },
  { header: 'liquidity', value: (f) => f.liquidity },
  { header: 'order_purpose', value: (f) => f.order.purpose },
  { header: 'order_type', value: (f) => f.order.type },
]

/** Owned by the user, or NOT_FOUND (as GET /api/v1/orders?positionId= answers). */
export async function assertOwnPosition(db: DbTx, userId: string, positionId: string | undefined): Promise<void> {
  if (!positionId) return
  const owned = await db.position.findFirst({ where: { id: positionId, trader: { userId } }, select: { id: true } })
  if (!owned) throw notFound('position')
}

/** The fills of the user's accounts matching the filter, newest first, read a page at a time. */
export async function exportFills(opts: { db: DbTx; userId: string; filter: TradeExportFilter }): Promise<AsyncGenerator<FillRow>> {
  const f = opts.filter
  await assertOwnPosition(opts.db, opts.userId, f.positionId)
  const where: Prisma.FillWhereInput = {
    order: { account: { userId: opts.userId }, traderId: f.traderId, symbol: f.symbol },
    positionId: f.positionId,
    createdAt: { gte: f.from, lt: f.to },
  }
  return keysetPages((after, take) =>
    opts.db.fill.findMany({ where: after ? { AND: [where, after] } : where, include, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take }),
  )
}
