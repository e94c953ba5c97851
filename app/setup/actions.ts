'use server'

import { z } from 'zod'
import { db } from '@/lib/db/client'
import { createFirstAdmin, ZCreateFirstAdmin } from '@/lib/server/auth/users'
import { isAppError, zodFieldErrors } from '@/lib/server/errors/app-error'

export type SetupResult =
  | { ok: true; email: string }
  | { ok: false; fieldErrors: Record<string, string>; formError?: string; alreadySetUp?: boolean }

const ZSetupForm = ZCreateFirstAdmin.extend({ confirmPassword: z.string() }).refine(
  (v) => v.password === v.confirmPassword,
  { path: ['confirmPassword'], message: 'passwords do not match' },
)

function firstPerField(errors: { field: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors) out[e.field] ??= e.message
  return out
}

/** First-run: creates the admin account. Refused once any account exists. */
export async function createFirstAdminAction(formData: FormData): Promise<SetupResult> {
  const raw = {
    email: String(formData.get('email') ?? ''),
    name: String(formData.get('name') ?? ''),
    password: String(formData.get('password') ?? ''),
    confirmPassword: String(formData.get('confirmPassword') ?? ''),
  }
  const parsed = ZSetupForm.safeParse(raw)
  if (!parsed.success) return { ok: false, fieldErrors: firstPerField(zodFieldErrors(parsed.error)) }
  try {
    const user = await createFirstAdmin(db(), parsed.data)
    return { ok: true, email: user.email }
  } catch (err) {
    if (isAppError(err) && err.code === 'CONFLICT') {
      return { ok: false, fieldErrors: {}, formError: 'An account already exists. Sign in instead.', alreadySetUp: true }
    }
    if (isAppError(err) && err.code === 'VALIDATION') {
      return { ok: false, fieldErrors: firstPerField(err.fieldErrors ?? []) }
    }
    console.error('[setup] creating the first admin failed:', err)
    return { ok: false, fieldErrors: {}, formError: 'Could not create the account. Check the server log.' }
  }
}
