import type { DbTx } from '@/lib/db/client'
import { toUserView, userViewSelect, type UserView } from './user-view'

/** Every account, oldest first (the admin's user list). */
export async function listUsers(db: DbTx): Promise<UserView[]> {
  const rows = await db.user.findMany({ select: userViewSelect, orderBy: { createdAt: 'asc' } })
  return rows.map(toUserView)
}
