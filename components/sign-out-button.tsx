'use client'

import { signOut } from 'next-auth/react'
import { useTransition } from 'react'

export function SignOutButton() {
  const [pending, startTransition] = useTransition()
  return (
    <button
      type="button"
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          // redirect: false, then a relative navigation: correct on any host and port.
          await signOut({ redirect: false })
          window.location.assign('/signin')
        })
      }
      className="rounded-md border border-neutral-700 px-2.5 py-1 text-xs text-neutral-300 hover:border-neutral-500 hover:text-white disabled:opacity-60"
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  )
}
