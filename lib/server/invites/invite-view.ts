import type { UserRole } from '@/lib/generated/prisma/enums'

/** A pending invite as an admin sees it; the token itself is never stored, so never shown again. */
export interface InviteView {
  id: string
  email: string
  role: UserRole
  createdAt: string
  expiresAt: string
  createdBy: string
}

export const inviteViewSelect = { id: true, email: true, role: true, createdAt: true, expiresAt: true, createdBy: { select: { email: true } } } as const

export function toInviteView(i: { id: string; email: string; role: UserRole; createdAt: Date; expiresAt: Date; createdBy: { email: string } }): InviteView {
  return { id: i.id, email: i.email, role: i.role, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString(), createdBy: i.createdBy.email }
}
