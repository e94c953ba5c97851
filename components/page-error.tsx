'use client'

import { useEffect } from 'react'

/**
 * A page that failed to load (the database busy, restarting or unreachable), said in place of
 * the page; "Try again" loads it afresh from the server (Next's retry: refresh, then render
 * again). The server's message is not shown (Next withholds it from the browser); its digest
 * finds it in the web server's log.
 */
export function PageError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  useEffect(() => {
    console.error(error)
  }, [error])
  return (
    <div role="alert" className="rounded border border-red-900 bg-red-950/40 p-4 text-sm" data-testid="page-error">
      <h1 className="text-base font-semibold text-red-300">This page could not be loaded</h1>
      <p className="mt-2 text-neutral-300">
        The server could not read what the page shows, perhaps because the database is busy or restarting. Loading a page changes nothing, so trying again is
        safe.
      </p>
      {error.digest && <p className="mt-1 font-mono text-xs text-neutral-500">Reference in the server log: {error.digest}</p>}
      <button type="button" onClick={retry} className="mt-3 rounded bg-neutral-800 px-3 py-1.5 font-medium text-neutral-100 hover:bg-neutral-700">
        Try again
      </button>
    </div>
  )
}
