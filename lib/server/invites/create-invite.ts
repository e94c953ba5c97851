import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { ZEmail } from '@/lib/server/auth/users'
import { fromZodError } from '@/lib/server/errors/app-error'
import { emailTaken, ZUserRole } from '@/lib/server/users/create-user'
import { hashInviteToken, invitePath, newInviteToken } from './invite-token'
import { inviteViewSelect, toInviteView, type InviteView } from './invite-view'

export const INVITE_DEFAULT_HOURS = 72
export const INVITE_MAX_HOURS = 24 * 30

export const ZCreateInviteRequest = z.strictObject({
  email: ZEmail,
  role: ZUserRole.default('MEMBER'),
  expiresInHours: z
    .number({ error: 'expiresInHours must be a number of hours' })
    .int('expiresInHours must be a whole number of hours')
    .min(1, 'expiresInHours must be at least 1')
    .max(INVITE_MAX_HOURS, `expiresInHours must be at most ${INVITE_MAX_HOURS} (30 days)`)
    .default(INVITE_DEFAULT_HOURS),
})

export interface CreatedInvite {
  invite: InviteView
  /** The one-time sign-up path, `/invite/<token>`. Shown only in this answer: only its hash is stored. */
  url: string
}

/** An admin creates a one-time sign-up link for an email address, valid for `expiresInHours`. */
export async function createInvite(opts: { db: Db; createdById: string; input: unknown; now?: Date }): Promise<CreatedInvite> {
  const parsed = ZCreateInviteRequest.safeParse(opts.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const { email, role, expiresInHours } = parsed.data
  if (await opts.db.user.findUnique({ where: { email }, select: { id: true } })) throw emailTaken(email)
  const now = opts.now ?? new Date()
  const token = newInviteToken()
  const row = await opts.db.invite.create({
    data: { tokenHash: hashInviteToken(token), email, role, createdById: opts.createdById, expiresAt: new Date(now.getTime() + expiresInHours * 3_600_000) },
    select: inviteViewSelect,
  })
  return { invite: toInviteView(row), url: invitePath(token) }
}
