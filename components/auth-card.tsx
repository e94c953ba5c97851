import type { ReactNode } from 'react'

/** Centered panel used by the signed-out pages (setup, sign-in). */
export function AuthCard({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-neutral-800 bg-neutral-900/60 p-6 shadow-xl">
        <p className="mb-4 font-mono text-xs uppercase tracking-widest text-emerald-400">Tradeloop</p>
        <h1 className="text-xl font-semibold text-neutral-50">{title}</h1>
        {subtitle ? <p className="mt-1 text-sm text-neutral-400">{subtitle}</p> : null}
        <div className="mt-6">{children}</div>
      </div>
    </main>
  )
}
