import Link from 'next/link'
import type { ReactNode } from 'react'
import { AppNav } from '@/components/app-nav'
import { PanicButton } from '@/components/panic/panic-button'
import { SignOutButton } from '@/components/sign-out-button'
import { requirePageUser } from '@/lib/server/auth/current-user'

export const dynamic = 'force-dynamic'

/** The signed-in shell. Pages inside should still check the user for their own data access. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser()
  return (
    <div className="min-h-screen">
      <header className="sticky top-0 z-10 border-b border-neutral-800 bg-neutral-950/90 backdrop-blur">
        <div className="mx-auto flex h-12 max-w-7xl items-center gap-3 px-4 lg:gap-6">
          <Link href="/" className="shrink-0 font-mono text-sm font-semibold tracking-widest text-emerald-400">
            TRADELOOP
          </Link>
          <AppNav />
          <div className="ml-auto flex items-center gap-3">
            {/* On a phone the dashboard's panic button is out of reach, so the header carries one on every page. */}
            <div className="lg:hidden">
              <PanicButton compact />
            </div>
            <span className="hidden text-xs text-neutral-400 sm:inline" data-testid="current-user-email">
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
