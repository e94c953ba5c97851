'use client'

import { PageError } from '@/components/page-error'

/**
 * A page that failed to load outside the signed-in shell, or the shell itself (it reads who is
 * signed in): sign-in and setup read the database too, so a database that is down or restarting
 * is said here rather than in Next's bare default page.
 */
export default function RootPageError(props: { error: Error & { digest?: string }; retry: () => void }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-lg flex-col justify-center px-4">
      <p className="mb-4 font-mono text-xs uppercase tracking-widest text-emerald-400">Tradeloop</p>
      <PageError {...props} />
    </main>
  )
}
