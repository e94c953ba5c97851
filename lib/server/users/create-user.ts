import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { hashPassword } from '@/lib/server/auth/password'
import { ZEmail, ZNewPassword } from '@/lib/server/auth/users'
import { conflict, fromZodError } from '@/lib/server/errors/app-error'
import { toUserView, userViewSelect, type UserView } from './user-view'
import { textField } from '@/lib/server/validation/text-field'

export const ZUserRole = z.enum(['ADMIN', 'MEMBER'], { error: 'role must be ADMIN or MEMBER' })

export const ZUserName = textField({ max: 100 })
  .transform((n) => (n === '' ? undefined : n))

export const ZCreateUserRequest = z.strictObject({
  email: ZEmail,
  password: ZNewPassword,
  name: ZUserName.optional(),
  role: ZUserRole.default('MEMBER'),
})

/** True when a write failed on a unique constraint. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002'
}

export function emailTaken(email: string) {
  return conflict(`an account with the email ${email} already exists`)
}

/** An admin adds an account with an initial password, which the person then signs in with. */
export async function createUser(opts: { db: Db; input: unknown }): Promise<UserView> {
  const parsed = ZCreateUserRequest.safeParse(opts.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const { email, password, name, role } = parsed.data
  if (await opts.db.user.findUnique({ where: { email }, select: { id: true } })) throw emailTaken(email)
  const passwordHash = await hashPassword(password)
  try {
    return toUserView(await opts.db.user.create({ data: { email, name: name ?? null, passwordHash, role }, select: userViewSelect }))
  } catch (err) {
    // Two admins adding the same address at once: the unique index decides.
    if (isUniqueViolation(err)) throw emailTaken(email)
    throw err
  }
}
