import type { Prisma } from '@/lib/generated/prisma/client'

/**
 * Orders stuck on their way: still being sent (NEW), or a market order the exchange took but has
 * not filled, for longer than `afterMs`. A resting limit or stop waits by design and is not stuck.
 */
export function stuckOrderWhere(now: Date, afterMs: number): Prisma.OrderWhereInput {
  return {
    createdAt: { lt: new Date(now.getTime() - afterMs) },
    OR: [{ status: 'NEW' }, { type: 'MARKET', status: { in: ['SUBMITTED', 'PARTIALLY_FILLED'] } }],
  }
}
