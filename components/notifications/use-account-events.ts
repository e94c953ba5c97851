'use client'

import { useQueryClient, type QueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { queryKeys } from '@/components/live/use-live-events'

/** React Query keys of the journal, approvals, performance and notification pages (prefixes). */
export const accountQueryKeys = {
  decisions: ['decisions'] as const,
  performance: ['performance'] as const,
  approvals: ['approvals'] as const,
  approvalCount: ['approvals', 'count'] as const,
  notifications: ['notifications'] as const,
  channels: ['notification-channels'] as const,
}

// The position detail carries its decisions; any position's query may need them.
const positionPrefix = ['position'] as const

/**
 * What each SSE event invalidates. `decision`, `approval` and `activity` are not handled by
 * useLiveEvents (components/live/use-live-events.ts), so they are followed here.
 */
const INVALIDATES: Record<string, readonly (readonly string[])[]> = {
  decision: [accountQueryKeys.decisions, accountQueryKeys.performance, positionPrefix],
  // Deciding an approval changes its decision's outcome too.
  approval: [accountQueryKeys.approvals, accountQueryKeys.decisions, accountQueryKeys.performance],
  activity: [accountQueryKeys.notifications, queryKeys.dashboard, accountQueryKeys.channels],
  // A position that closes changes the performance numbers; its events are feed items.
  position: [accountQueryKeys.notifications, accountQueryKeys.performance, accountQueryKeys.decisions],
}
const ALL = [...new Set(Object.values(INVALIDATES).flat().map((k) => JSON.stringify(k)))].map((k) => JSON.parse(k) as string[])

// One EventSource per tab for these events, however many components ask.
let source: EventSource | null = null
let users = 0

function connect(qc: QueryClient): EventSource {
  const es = new EventSource('/api/stream')
  let opened = false
  const invalidate = (keys: readonly (readonly string[])[]) => {
    for (const queryKey of keys) void qc.invalidateQueries({ queryKey })
  }
  es.addEventListener('open', () => {
    // After a drop, whatever happened meanwhile was not streamed: reload it.
    if (opened) invalidate(ALL)
    opened = true
  })
  for (const [name, keys] of Object.entries(INVALIDATES)) es.addEventListener(name, () => invalidate(keys))
  es.addEventListener('resync', () => invalidate(ALL))
  return es
}

/**
 * Keeps the journal, approvals (and the navigation badge), performance and notification feed
 * live: their queries refetch once when a matching event arrives. No polling.
 */
export function useAccountEvents(): void {
  const qc = useQueryClient()
  useEffect(() => {
    users += 1
    source ??= connect(qc)
    return () => {
      users -= 1
      if (users === 0 && source) {
        source.close()
        source = null
      }
    }
  }, [qc])
}
