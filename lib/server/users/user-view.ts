import type { UserRole } from '@/lib/generated/prisma/enums'

/** A user as an admin sees it in the user list; never the password hash. */
export interface UserView {
  id: string
  email: string
  name: string | null
  role: UserRole
  createdAt: string
  traderCount: number
}

export const userViewSelect = { id: true, email: true, name: true, role: true, createdAt: true, _count: { select: { traders: true } } } as const

export function toUserView(u: { id: string; email: string; name: string | null; role: UserRole; createdAt: Date; _count: { traders: number } }): UserView {
  return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString(), traderCount: u._count.traders }
}
