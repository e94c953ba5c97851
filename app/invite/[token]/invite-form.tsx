'use client'

import { signIn } from 'next-auth/react'
import { useState, useTransition, type FormEvent } from 'react'
import { FormField } from '@/components/form-field'
import { acceptInviteAction, type AcceptInviteResult } from './actions'

export function InviteForm({ token, email }: { token: string; email: string }) {
  const [result, setResult] = useState<AcceptInviteResult | null>(null)
  const [pending, startTransition] = useTransition()
  const fieldErrors = result && !result.ok ? result.fieldErrors : {}

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formData = new FormData(event.currentTarget)
    startTransition(async () => {
      const res = await acceptInviteAction(token, formData)
      setResult(res)
      if (!res.ok) return
      const signedIn = await signIn('credentials', { email: res.email, password: String(formData.get('password')), redirect: false })
      window.location.assign(signedIn?.ok && !signedIn.error ? '/' : '/signin')
    })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Accept invite">
      <FormField name="email" label="Email" type="email" value={email} readOnly disabled />
      <FormField name="name" label="Name (optional)" type="text" autoComplete="name" error={fieldErrors.name} />
      <FormField name="password" label="Password" type="password" autoComplete="new-password" required hint="At least 10 characters." error={fieldErrors.password} />
      <FormField name="confirmPassword" label="Confirm password" type="password" autoComplete="new-password" required error={fieldErrors.confirmPassword} />
      {result && !result.ok && result.formError ? (
        <p role="alert" className="rounded-md border border-red-900 bg-red-950/50 px-3 py-2 text-sm text-red-300">
          {result.formError}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={pending || result?.ok === true}
        className="w-full rounded-md bg-emerald-600 px-3 py-2 text-sm font-semibold text-white hover:bg-emerald-500 disabled:opacity-60"
      >
        {pending || result?.ok ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  )
}
