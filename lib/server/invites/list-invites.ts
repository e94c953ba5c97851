import type { DbTx } from '@/lib/db/client'
import { inviteViewSelect, toInviteView, type InviteView } from './invite-view'

/** Invites not yet used and not expired, soonest-expiring first. */
export async function listPendingInvites(db: DbTx, now: Date = new Date()): Promise<InviteView[]> {
  const rows = await db.invite.findMany({ where: { usedAt: null, expiresAt: { gt: now } }, select: inviteViewSelect, orderBy: { expiresAt: 'asc' } })
  return rows.map(toInviteView)
}
