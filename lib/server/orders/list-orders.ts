import type { DbTx } from '@/lib/db/client'
import { toOrderView } from './order-view'
import { notFound } from '@/lib/server/errors/app-error'

/**
 * The orders of a user's positions, newest first; with `positionId`, that position's orders
 * (NOT_FOUND when it is not the user's). Decimals leave as exact strings.
 */
export async function listOrders(db: DbTx, userId: string, filter: { positionId?: string; limit?: number } = {}) {
  if (filter.positionId) {
    const owned = await db.position.findFirst({ where: { id: filter.positionId, trader: { userId } }, select: { id: true } })
    if (!owned) throw notFound('position')
  }
  const rows = await db.order.findMany({
    where: { positionId: filter.positionId, position: { trader: { userId } } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: filter.limit ?? 200,
  })
  return rows.map((o) => ({ ...toOrderView(o), positionId: o.positionId, symbol: o.symbol }))
}
