import { Prisma } from '@/lib/generated/prisma/client'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'

/**
 * A stop that rests on the exchange (venues with a native stop): an order of type STOP_MARKET
 * for the position's open quantity, placed by the protection keeper and never by an exit. It is
 * protection, not an exit in progress: it does not block exits, is not retried as an exit, and
 * its cancellation does not end an exit. On venues with OCO it may rest paired with the
 * position's one take-profit (a limit leg of the same order list, listClientOrderId set on both):
 * that leg is protection too.
 */
export const RESTING_STOP_TYPE = 'STOP_MARKET' as const

export const WORKING_STATUSES: OrderStatus[] = ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED']

/** Prisma filter: exit orders (stop-loss, take-profit and manual exits sent at market), not resting protection. */
export const EXIT_ORDER = { purpose: { not: 'ENTRY' as const }, type: { not: RESTING_STOP_TYPE }, listClientOrderId: null }

/** EXIT_ORDER in SQL, for the `Order` table. */
export const EXIT_ORDER_SQL = Prisma.sql`purpose <> 'ENTRY' AND type <> ${RESTING_STOP_TYPE}::"OrderType" AND "listClientOrderId" IS NULL`

/** Prisma filter: resting stops still working on the exchange (or about to be sent). */
export const WORKING_RESTING_STOP = { purpose: 'STOP_LOSS' as const, type: RESTING_STOP_TYPE, status: { in: WORKING_STATUSES } }

/** Prisma filter: everything resting on the exchange to protect a position: stops, and the target legs paired with them. */
export const WORKING_PROTECTION = {
  status: { in: WORKING_STATUSES },
  OR: [{ purpose: 'STOP_LOSS' as const, type: RESTING_STOP_TYPE }, { listClientOrderId: { not: null } }],
}

/** WORKING_PROTECTION in SQL, for the `Order` table. */
export const WORKING_PROTECTION_SQL = Prisma.sql`status::text = ANY(${WORKING_STATUSES}::text[])
  AND ((purpose = 'STOP_LOSS' AND type = ${RESTING_STOP_TYPE}::"OrderType") OR "listClientOrderId" IS NOT NULL)`

/** Whether an order is resting protection (a stop, or a leg of an order list) rather than an exit. */
export function isRestingProtection(order: { type: string; listClientOrderId: string | null }): boolean {
  return order.type === RESTING_STOP_TYPE || order.listClientOrderId !== null
}
