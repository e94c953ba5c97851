'use client'

import { useQueryClient, type QueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { applyQuotes, seedQuotes, setConnection } from './quote-store'
import { sessionHolds, toSignIn } from './session-ended'

/** React Query keys the live stream invalidates; the pages' queries use these. */
export const queryKeys = {
  dashboard: ['dashboard'] as const,
  position: (id: string) => ['position', id] as const,
  trades: ['trades'] as const,
  traders: ['traders'] as const,
  health: ['health'] as const,
}

function parse(e: MessageEvent): Record<string, unknown> {
  try {
    return JSON.parse(e.data as string) as Record<string, unknown>
  } catch {
    return {}
  }
}

/** Keys (prefixes) of the journal, approvals, performance and notification queries. */
export const accountQueryKeys = {
  decisions: ['decisions'] as const,
  performance: ['performance'] as const,
  approvals: ['approvals'] as const,
  approvalCount: ['approvals', 'count'] as const,
  notifications: ['notifications'] as const,
  channels: ['notification-channels'] as const,
  logs: ['logs'] as const,
}

/** What the account-level events invalidate (besides what the handlers below do). */
const ACCOUNT_INVALIDATES: Record<string, readonly (readonly string[])[]> = {
  // The position detail carries its decisions; any position's query may need them.
  decision: [accountQueryKeys.decisions, accountQueryKeys.performance, ['position']],
  // Deciding an approval changes its decision's outcome too.
  approval: [accountQueryKeys.approvals, accountQueryKeys.decisions, accountQueryKeys.performance],
  activity: [accountQueryKeys.notifications, queryKeys.dashboard, accountQueryKeys.channels, accountQueryKeys.logs],
  // A position that closes changes the performance numbers; its events are feed items.
  position: [accountQueryKeys.notifications, accountQueryKeys.performance, accountQueryKeys.decisions, accountQueryKeys.logs],
}

// One EventSource per tab however many components ask for live updates.
let source: EventSource | null = null
let users = 0

/**
 * An EventSource tries again by itself after a dropped connection, but gives up for good on any
 * answer other than a 200 event stream: a proxy's 502 while the app restarts, a 500, a 401 after
 * the session ended. Unless the session ended (the tab then goes to the sign-in page), the tab
 * opens a new one after this wait, doubled each time up to REOPEN_MAX_MS and back to the first
 * once a stream is open: no page stays frozen until a reload.
 */
const REOPEN_FIRST_MS = 2_000
const REOPEN_MAX_MS = 30_000
let reopenAfterMs = REOPEN_FIRST_MS
let reopenTimer: ReturnType<typeof setTimeout> | undefined

function reopenLater(qc: QueryClient, closed: EventSource): void {
  clearTimeout(reopenTimer)
  reopenTimer = setTimeout(() => {
    // Unless the tab let go of it meanwhile (no component wants live updates) or replaced it.
    if (source === closed) source = connect(qc)
  }, reopenAfterMs)
  reopenAfterMs = Math.min(2 * reopenAfterMs, REOPEN_MAX_MS)
}

function connect(qc: QueryClient): EventSource {
  const es = new EventSource('/api/stream')
  setConnection('connecting')
  es.addEventListener('open', () => {
    reopenAfterMs = REOPEN_FIRST_MS
    setConnection('open')
    // Whatever happened before the stream was open was not streamed: after a drop, and also
    // between the server's render of the page and this first connection (a stop moved by the
    // worker in that second would otherwise never reach the page's audit trail). Reload it.
    void qc.invalidateQueries()
  })
  es.addEventListener('error', () => {
    if (es.readyState !== EventSource.CLOSED) return setConnection('connecting')
    setConnection('closed')
    // Refused because the session ended: no new stream would be let in either.
    void sessionHolds().then((holds) => (holds ? reopenLater(qc, es) : toSignIn()))
  })
  es.addEventListener('stored-quotes', (e) => {
    try {
      seedQuotes(JSON.parse((e as MessageEvent).data as string))
    } catch {
      // without them the page waits for the first tick, as before
    }
  })
  es.addEventListener('quote', (e) => {
    try {
      applyQuotes(JSON.parse((e as MessageEvent).data as string))
    } catch {
      // a malformed tick is skipped; the next one follows within a second
    }
  })
  es.addEventListener('position', (e) => {
    const ev = parse(e as MessageEvent)
    void qc.invalidateQueries({ queryKey: queryKeys.dashboard })
    void qc.invalidateQueries({ queryKey: queryKeys.trades })
    if (typeof ev.positionId === 'string') void qc.invalidateQueries({ queryKey: queryKeys.position(ev.positionId) })
  })
  es.addEventListener('trader', () => {
    void qc.invalidateQueries({ queryKey: queryKeys.traders })
    void qc.invalidateQueries({ queryKey: queryKeys.dashboard })
  })
  const healthChanged = () => void qc.invalidateQueries({ queryKey: queryKeys.health })
  es.addEventListener('settings', () => {
    healthChanged()
    // The worker switches feeds just after the commit; look once more when it has (one-shot).
    setTimeout(healthChanged, 3000)
  })
  es.addEventListener('worker', healthChanged)
  for (const [name, keys] of Object.entries(ACCOUNT_INVALIDATES)) {
    es.addEventListener(name, () => {
      for (const queryKey of keys) void qc.invalidateQueries({ queryKey })
    })
  }
  es.addEventListener('resync', () => void qc.invalidateQueries())
  // The credentials this stream opened with no longer hold. Either this browser has a new session
  // cookie (its own password change) and a new stream carries it, or the session ended, the new
  // stream is refused (401), and the tab goes to the sign-in page (see the error listener).
  es.addEventListener('signed-out', () => {
    es.close()
    if (source === es) source = connect(qc)
  })
  return es
}

/**
 * Subscribes the tab to /api/stream (one connection per tab): quotes go to the quote store;
 * position, trader, settings, decision, approval and activity events invalidate the matching
 * queries so they refetch once. No polling.
 */
export function useLiveEvents(): void {
  const qc = useQueryClient()
  useEffect(() => {
    users += 1
    source ??= connect(qc)
    return () => {
      users -= 1
      if (users === 0 && source) {
        source.close()
        source = null
        clearTimeout(reopenTimer)
        setConnection('closed')
      }
    }
  }, [qc])
}
