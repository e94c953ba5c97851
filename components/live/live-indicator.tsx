'use client'

import { useConnection } from './quote-store'

/** Whether the tab is receiving live updates right now. */
export function LiveIndicator() {
  const state = useConnection()
  const open = state === 'open'
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-neutral-400" data-live-state={state}>
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${open ? 'bg-emerald-500' : 'animate-pulse bg-amber-500'}`} />
      {/* Closed is for a few seconds at a time: the tab opens a new stream by itself (see use-live-events). */}
      {open ? 'Live' : state === 'closed' ? 'Live updates off, retrying' : 'Connecting…'}
    </span>
  )
}
