'use server'

import { z } from 'zod'
import { db } from '@/lib/db/client'
import { acceptInvite, ZAcceptInviteRequest } from '@/lib/server/invites/accept-invite'
import { isAppError, zodFieldErrors } from '@/lib/server/errors/app-error'

export type AcceptInviteResult = { ok: true; email: string } | { ok: false; fieldErrors: Record<string, string>; formError?: string }

const ZInviteForm = ZAcceptInviteRequest.extend({ confirmPassword: z.string() }).refine((v) => v.password === v.confirmPassword, {
  path: ['confirmPassword'],
  message: 'passwords do not match',
})

function firstPerField(errors: { field: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors) out[e.field] ??= e.message
  return out
}

/** Signs the invitee up with the invite's email and role; the link is used up. */
export async function acceptInviteAction(token: string, formData: FormData): Promise<AcceptInviteResult> {
  const raw = { name: String(formData.get('name') ?? ''), password: String(formData.get('password') ?? ''), confirmPassword: String(formData.get('confirmPassword') ?? '') }
  const parsed = ZInviteForm.safeParse(raw)
  if (!parsed.success) return { ok: false, fieldErrors: firstPerField(zodFieldErrors(parsed.error)) }
  try {
    const user = await acceptInvite({ db: db(), token: String(token), input: { name: raw.name, password: raw.password } })
    return { ok: true, email: user.email }
  } catch (err) {
    if (isAppError(err) && err.code === 'VALIDATION') return { ok: false, fieldErrors: firstPerField(err.fieldErrors ?? []), formError: err.fieldErrors?.length ? undefined : err.message }
    if (isAppError(err)) return { ok: false, fieldErrors: {}, formError: err.message }
    console.error('[invite] accepting an invite failed:', err)
    return { ok: false, fieldErrors: {}, formError: 'Could not create the account. Check the server log.' }
  }
}
