import type { ReactNode } from 'react'

/** A titled section of a page; the heading names the region for screen readers and tests. */
export function Panel({ title, actions, children, className }: { title: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
  return (
    <section aria-labelledby={id} className={`min-w-0 rounded-lg border border-neutral-800 bg-neutral-900/40 ${className ?? ''}`}>
      <header className="flex flex-wrap items-center gap-2 border-b border-neutral-800 px-3 py-2">
        <h2 id={id} className="text-xs font-semibold uppercase tracking-wider text-neutral-400">
          {title}
        </h2>
        {actions ? <div className="ml-auto flex items-center gap-2">{actions}</div> : null}
      </header>
      <div className="p-3">{children}</div>
    </section>
  )
}

/** What to do next when a list is empty. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="py-4 text-center text-sm text-neutral-500">{children}</p>
}
