import { AppError } from '@/lib/server/errors/app-error'

/** Refuses (403) anyone but an admin: user management and global settings are theirs alone. */
export function requireAdmin(user: { role: 'ADMIN' | 'MEMBER' }, what = 'do this'): void {
  if (user.role !== 'ADMIN') throw new AppError('FORBIDDEN', `only an admin can ${what}`)
}
