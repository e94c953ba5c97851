'use client'

import { signIn } from 'next-auth/react'
import { useState, useTransition, type FormEvent } from 'react'
import { FormField } from '@/components/form-field'
import { signInErrorMessage } from './sign-in-error-message'

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({})
  const [formError, setFormError] = useState<string | undefined>(
    initialError ? signInErrorMessage(initialError) : undefined,
  )
  const [pending, startTransition] = useTransition()

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const email = String(data.get('email') ?? '').trim()
    const password = String(data.get('password') ?? '')
    const missing = {
      email: email ? undefined : 'Enter your email.',
      password: password ? undefined : 'Enter your password.',
    }
    setFieldErrors(missing)
    setFormError(undefined)
    if (missing.email || missing.password) return
    startTransition(async () => {
      const res = await signIn('credentials', { email, password, redirect: false })
      if (res?.ok && !res.error) {
        // A full load, so every server component renders with the new session.
        window.location.assign(callbackUrl)
        return
      }
      setFormError(signInErrorMessage(res?.error, 'Sign-in failed: the server could not sign you in.'))
    })
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormField name="email" label="Email" type="email" autoComplete="username" required error={fieldErrors.email} />
      <FormField
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        error={fieldErrors.password}
      />
      {formError ? (
        <p role="alert" className="rounded-md border border-red-900 bg-red-950/50 px-3 py-2 text-sm text-red-300">
          {formError}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-emerald-600 px-3 py-2 text-sm font-semibold text-white hover:bg-emerald-500 disabled:opacity-60"
      >
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  )
}
