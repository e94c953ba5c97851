import Link from 'next/link'
import type { ReactNode } from 'react'
import { AppNav } from '@/components/app-nav'
import { SignOutButton } from '@/components/sign-out-button'
import { requirePageUser } from '@/lib/server/auth/current-user'

export const dynamic = 'force-dynamic'

/** The signed-in shell. Pages inside should still check the user for their own data access. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser()
  return (
    <div className="min-h-screen">
      <header className="sticky top-0 z-10 border-b border-neutral-800 bg-neutral-950/90 backdrop-blur">
        <div className="mx-auto flex h-12 max-w-7xl items-center gap-6 px-4">
          <Link href="/" className="font-mono text-sm font-semibold tracking-widest text-emerald-400">
            TRADELOOP
          </Link>
          <AppNav />
          <div className="ml-auto flex items-center gap-3">
            <span className="text-xs text-neutral-400" data-testid="current-user-email">
              {user.email}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <div className="mx-auto max-w-7xl px-4 py-6">{children}</div>
    </div>
  )
}
