import type { DbTx } from '@/lib/db/client'

export interface NotificationItem {
  id: string
  type: string
  severity: string
  message: string
  positionId: string | null
  traderId: string | null
  at: string
}

/**
 * The user's in-app feed, newest first, a page at a time: pass the last id shown as `before`
 * for the next page. New items arrive over SSE (`activity` and `position` events) as hints to
 * reload the first page.
 */
export async function listNotifications(opts: {
  db: DbTx
  userId: string
  before?: string
  limit?: number
}): Promise<{ notifications: NotificationItem[]; nextCursor: string | null }> {
  const limit = opts.limit ?? 30
  const rows = await opts.db.activityEvent.findMany({
    where: { userId: opts.userId, ...(opts.before ? { id: { lt: BigInt(opts.before) } } : {}) },
    orderBy: { id: 'desc' },
    take: limit + 1,
  })
  const page = rows.slice(0, limit)
  return {
    notifications: page.map((r) => ({
      id: r.id.toString(),
      type: r.type,
      severity: r.severity,
      message: r.message,
      positionId: r.positionId,
      traderId: r.traderId,
      at: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? page[page.length - 1].id.toString() : null,
  }
}
