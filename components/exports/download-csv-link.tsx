import type { ReactNode } from 'react'

/**
 * A link that downloads a CSV export (`/api/v1/*.csv` with the filters the page shows). A plain
 * link: the browser streams the file to disk with the session cookie, nothing is held in the page.
 */
export function DownloadCsvLink({ href, children = 'Download CSV', className }: { href: string; children?: ReactNode; className?: string }) {
  return (
    <a
      href={href}
      download
      className={`inline-flex shrink-0 items-center gap-1 rounded border border-neutral-700 bg-neutral-900 px-2.5 py-1 text-xs font-semibold text-neutral-200 hover:border-neutral-500 ${className ?? ''}`}
    >
      <svg aria-hidden="true" viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.5">
        <path d="M8 2v8M4.5 7 8 10.5 11.5 7M3 13h10" />
      </svg>
      {children}
    </a>
  )
}
