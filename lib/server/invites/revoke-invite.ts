import type { DbTx } from '@/lib/db/client'
import { notFound } from '@/lib/server/errors/app-error'

/** Deletes an invite that has not been used; its link stops working at once. */
export async function revokeInvite(db: DbTx, inviteId: string): Promise<void> {
  const { count } = await db.invite.deleteMany({ where: { id: inviteId, usedAt: null } })
  if (count === 0) throw notFound('invite')
}
