import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'

/**
 * A stop that rests on the exchange (venues with a native stop): an order of type STOP_MARKET
 * for the position's open quantity, placed by the protection keeper and never by an exit. It is
 * protection, not an exit in progress: it does not block exits, is not retried as an exit, and
 * its cancellation does not end an exit.
 */
export const RESTING_STOP_TYPE = 'STOP_MARKET' as const

export const WORKING_STATUSES: OrderStatus[] = ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED']

/** Prisma filter: exit orders (stop-loss, take-profit and manual exits sent at market), not resting stops. */
export const EXIT_ORDER = { purpose: { not: 'ENTRY' as const }, type: { not: RESTING_STOP_TYPE } }

/** Prisma filter: resting stops still working on the exchange (or about to be sent). */
export const WORKING_RESTING_STOP = { purpose: 'STOP_LOSS' as const, type: RESTING_STOP_TYPE, status: { in: WORKING_STATUSES } }
