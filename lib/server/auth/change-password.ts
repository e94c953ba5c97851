import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { revokeAllApiTokens } from '@/lib/server/auth/api-tokens'
import { hashPassword } from '@/lib/server/auth/password'
import { authenticateWithLimits } from '@/lib/server/auth/sign-in-attempts'
import { PASSWORD_MIN_LENGTH } from '@/lib/server/auth/users'
import { fromZodError, notFound, validationError } from '@/lib/server/errors/app-error'

export const ZChangePasswordRequest = z.strictObject({
  // Compared with a hash, never stored: only its length is bounded.
  currentPassword: z
    .string({ error: 'currentPassword is required' })
    .min(1, 'currentPassword is required')
    .max(1024, 'currentPassword must be at most 1024 characters'),
  newPassword: z
    .string({ error: 'newPassword is required' })
    .min(PASSWORD_MIN_LENGTH, `newPassword must be at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(1024, 'newPassword must be at most 1024 characters'),
})
export type ChangePasswordRequest = z.input<typeof ZChangePasswordRequest>

export interface PasswordChanged {
  user: { id: string; email: string; name: string | null }
  /** The user's new sessionVersion: sessions issued under an older one are no longer accepted. */
  sessionVersion: number
  /** Every API token the user had is revoked with the old password. */
  revokedApiTokens: number
}

/**
 * Changes the signed-in user's password. The current password is checked under the same limits
 * as sign-in (a stolen session cannot guess it quickly). On success, in one transaction: the new
 * hash, sessionVersion + 1 (ending every existing session) and all the user's API tokens revoked
 * — a password change is what someone does when they think the account is compromised, and a
 * token issued with the old password is as much a credential as a session.
 */
export async function changePassword(opts: { db: Db; userId: string; input: unknown; address: string | null }): Promise<PasswordChanged> {
  const parsed = ZChangePasswordRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { currentPassword, newPassword } = parsed.data
  const owner = await opts.db.user.findUnique({ where: { id: opts.userId }, select: { email: true } })
  if (!owner) throw notFound('user')
  const verified = await authenticateWithLimits(opts.db, { email: owner.email, password: currentPassword, address: opts.address })
  if (!verified || verified.id !== opts.userId) {
    throw validationError([{ field: 'currentPassword', message: 'the current password is not correct' }])
  }
  if (newPassword === currentPassword) {
    throw validationError([{ field: 'newPassword', message: 'newPassword must differ from the current password' }])
  }
  const passwordHash = await hashPassword(newPassword)
  return opts.db.$transaction(async (tx) => {
    const user = await tx.user.update({
      where: { id: opts.userId },
      data: { passwordHash, sessionVersion: { increment: 1 } },
      select: { id: true, email: true, name: true, sessionVersion: true },
    })
    const revokedApiTokens = await revokeAllApiTokens(tx, opts.userId)
    return { user: { id: user.id, email: user.email, name: user.name }, sessionVersion: user.sessionVersion, revokedApiTokens }
  })
}
