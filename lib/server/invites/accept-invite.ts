import { z } from 'zod'
import type { Db, DbTx } from '@/lib/db/client'
import { hashPassword } from '@/lib/server/auth/password'
import { ZNewPassword, type AuthUser } from '@/lib/server/auth/users'
import { AppError, fromZodError } from '@/lib/server/errors/app-error'
import { emailTaken, isUniqueViolation, ZUserName } from '@/lib/server/users/create-user'
import { hashInviteToken } from './invite-token'

export type InviteLookup =
  | { status: 'valid'; email: string; role: 'ADMIN' | 'MEMBER'; expiresAt: Date }
  | { status: 'used' | 'expired' | 'unknown' }

/** What an invite link is worth right now, for the sign-up page. */
export async function lookupInvite(db: DbTx, token: string, now: Date = new Date()): Promise<InviteLookup> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { status: 'unknown' }
  const invite = await db.invite.findUnique({ where: { tokenHash: hashInviteToken(token) } })
  if (!invite) return { status: 'unknown' }
  if (invite.usedAt) return { status: 'used' }
  if (invite.expiresAt.getTime() <= now.getTime()) return { status: 'expired' }
  return { status: 'valid', email: invite.email, role: invite.role, expiresAt: invite.expiresAt }
}

export const INVITE_UNUSABLE_MESSAGES = {
  unknown: 'This invite link is not valid (it may have been revoked). Ask an admin for a new one.',
  used: 'This invite link has already been used. Sign in instead, or ask an admin for a new one.',
  expired: 'This invite link has expired. Ask an admin for a new one.',
} as const

export const ZAcceptInviteRequest = z.strictObject({
  name: ZUserName.optional(),
  password: ZNewPassword,
})

/**
 * The invitee signs up through the link: creates their account with the invite's email and role
 * and uses the invite up, in one transaction. Single use: of two concurrent attempts one wins.
 */
export async function acceptInvite(opts: { db: Db; token: string; input: unknown; now?: Date }): Promise<AuthUser> {
  const parsed = ZAcceptInviteRequest.safeParse(opts.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const now = opts.now ?? new Date()
  const found = await lookupInvite(opts.db, opts.token, now)
  if (found.status !== 'valid') throw new AppError(found.status === 'unknown' ? 'NOT_FOUND' : 'CONFLICT', INVITE_UNUSABLE_MESSAGES[found.status])
  const passwordHash = await hashPassword(parsed.data.password)
  try {
    return await opts.db.$transaction(async (tx) => {
      const claimed = await tx.invite.updateMany({
        where: { tokenHash: hashInviteToken(opts.token), usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      })
      if (claimed.count !== 1) throw new AppError('CONFLICT', INVITE_UNUSABLE_MESSAGES.used)
      if (await tx.user.findUnique({ where: { email: found.email }, select: { id: true } })) throw emailTaken(found.email)
      return tx.user.create({
        data: { email: found.email, name: parsed.data.name ?? null, passwordHash, role: found.role },
        select: { id: true, email: true, name: true, role: true, createdAt: true },
      })
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(found.email)
    throw err
  }
}
