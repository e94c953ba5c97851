'use client'

import type { FormEvent } from 'react'
import { changePasswordAction } from '@/app/(app)/settings/actions'
import { FormError, SubmitButton, TextField } from '@/components/ui/fields'
import { useActionForm } from '@/components/ui/use-action-form'

/**
 * Current and new password. On success this browser stays signed in (it gets a new session);
 * every other session is signed out and every API token revoked, as the form says up front.
 */
export function ChangePasswordForm() {
  const { pending, fieldErrors, formError, done, submit, reject } = useActionForm({ refreshPage: true })

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const data = new FormData(form)
    const currentPassword = String(data.get('currentPassword') ?? '')
    const newPassword = String(data.get('newPassword') ?? '')
    const confirm = String(data.get('confirmPassword') ?? '')
    if (newPassword !== confirm) return reject({ fieldErrors: { confirmPassword: 'does not match the new password' } })
    submit(() => changePasswordAction({ currentPassword, newPassword }), {
      onSuccess: ({ revokedApiTokens: n }) => {
        form.reset()
        return `Password changed. Your other sessions are signed out${n ? ` and ${n} API token${n === 1 ? ' was' : 's were'} revoked` : ''}.`
      },
    })
  }

  return (
    <form onSubmit={onSubmit} aria-label="Change password" noValidate className="space-y-3">
      <p className="text-xs text-neutral-500">
        Changing your password signs out every other browser and revokes all of your API tokens (create new ones afterwards). This browser stays
        signed in.
      </p>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextField id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" label="Current password" error={fieldErrors.currentPassword} />
        <TextField id="newPassword" name="newPassword" type="password" autoComplete="new-password" label="New password" hint="At least 10 characters." error={fieldErrors.newPassword} />
        <TextField id="confirmPassword" name="confirmPassword" type="password" autoComplete="new-password" label="Confirm new password" error={fieldErrors.confirmPassword} />
      </div>
      <FormError messages={[formError]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Change password</SubmitButton>
    </form>
  )
}
