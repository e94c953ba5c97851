import type { Db } from '@/lib/db/client'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'
import { ORDER_STATUSES, isTerminalOrderStatus } from '@/lib/domain/orders/order-lifecycle'
import { AppError, conflict, notFound } from '@/lib/server/errors/app-error'

// Any fixed 64-bit key: serialises user removals, so two admins cannot remove each other at once.
const USER_ADMIN_LOCK_KEY = 7_316_420_002

const RESTING_ORDER_STATUSES = ORDER_STATUSES.filter((s) => !isTerminalOrderStatus(s))

/**
 * An admin removes an account and everything it owns: traders, their paper accounts, positions,
 * orders, fills, decisions, approvals, tokens, channels and its activity feed. Refused (409) while
 * the user has an active position or a resting order, so nothing is left running unmanaged: flatten
 * it first (the user's panic button, or `npm run panic -- --email …`). An admin cannot remove
 * themself, and the last admin cannot be removed.
 */
export async function removeUser(opts: { db: Db; actingUserId: string; userId: string }): Promise<void> {
  const { db, actingUserId, userId } = opts
  if (userId === actingUserId) throw new AppError('FORBIDDEN', 'you cannot remove your own account; ask another admin')
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${USER_ADMIN_LOCK_KEY}::bigint)`
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, role: true } })
    if (!user) throw notFound('user')
    if (user.role === 'ADMIN' && (await tx.user.count({ where: { role: 'ADMIN' } })) <= 1) {
      throw conflict(`${user.email} is the last admin and cannot be removed`)
    }
    const accountIds = (await tx.exchangeAccount.findMany({ where: { userId }, select: { id: true } })).map((a) => a.id)
    const mine = { OR: [{ accountId: { in: accountIds } }, { trader: { userId } }] }
    const [openPositions, restingOrders] = await Promise.all([
      tx.position.count({ where: { ...mine, status: { in: [...ACTIVE_POSITION_STATUSES] } } }),
      tx.order.count({ where: { ...mine, status: { in: RESTING_ORDER_STATUSES } } }),
    ])
    if (openPositions > 0 || restingOrders > 0) {
      throw conflict(
        `${user.email} still has ${openPositions} open position(s) and ${restingOrders} resting order(s); ` +
          'close them (panic or close each position) before removing the account, so nothing is left running unmanaged',
      )
    }
    // Positions, orders and fills restrict their trader/account's deletion: remove them first,
    // children before parents. The rest cascades from the user, its traders and accounts.
    await tx.fill.deleteMany({ where: { order: mine } })
    await tx.order.deleteMany({ where: mine })
    await tx.position.deleteMany({ where: mine })
    await tx.riskEvent.deleteMany({ where: { accountId: { in: accountIds } } })
    await tx.activityEvent.deleteMany({ where: { userId } })
    await tx.trader.deleteMany({ where: { userId } })
    await tx.exchangeAccount.deleteMany({ where: { userId } })
    await tx.user.delete({ where: { id: userId } })
  })
}
