'use client'

import { useConnection } from './quote-store'

/** Whether the tab is receiving live updates right now. */
export function LiveIndicator() {
  const state = useConnection()
  const open = state === 'open'
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-neutral-400" data-live-state={state}>
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${open ? 'bg-emerald-500' : 'animate-pulse bg-amber-500'}`} />
      {open ? 'Live' : state === 'closed' ? 'Live updates off' : 'Connecting…'}
    </span>
  )
}
