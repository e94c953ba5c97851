'use client'

import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { Health } from '@/lib/server/health/get-health'
import type { PublicHealth } from '@/lib/server/health/public-health'
import { healthAlerts } from '@/lib/ui/health-alerts'
import { formatMegabytes } from '@/lib/ui/byte-size'
import { formatAge } from '@/lib/ui/time-format'
import { useLastQuoteArrival } from '@/components/live/quote-store'
import { queryKeys } from '@/components/live/use-live-events'
import { LiveIndicator } from '@/components/live/live-indicator'

// /api/health answers 503 when the database is down, with the details still (the session is
// recognised by its cookie then). Without a session (signed out in another tab) the answer is the
// public view: the last details stay on screen, marked as failed to refresh.
async function fetchHealth(): Promise<Health> {
  const res = await fetch('/api/health', { cache: 'no-store' })
  if (!res.ok && res.status !== 503) throw new Error(`the server answered ${res.status}`)
  const body = (await res.json()) as Health | PublicHealth
  if ('public' in body) throw new Error('the details of health need a session: sign in again')
  return body
}

/** Re-renders every second: the age of the newest quote is judged on the local clock only. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
  }, [])
  return now
}

/**
 * Market-data source and freshness, and whether the worker runs. Health comes from the server;
 * it is refetched only when something changes (settings/worker events, quotes stopping or
 * resuming), never on a timer.
 */
export function MarketStatusBanner({ initialHealth }: { initialHealth: Health }) {
  const qc = useQueryClient()
  const { data: health = initialHealth, error: healthError } = useQuery({
    queryKey: queryKeys.health,
    queryFn: fetchHealth,
    initialData: initialHealth,
    staleTime: Infinity,
  })
  const now = useNow()
  const lastQuoteAt = useLastQuoteArrival()
  const [mountedAt] = useState(() => Date.now())
  const staleAfter = health.marketData.staleAfterMs
  const liveAge = lastQuoteAt ? now - lastQuoteAt : null
  const liveFresh = liveAge !== null && liveAge <= staleAfter
  // One margin second so that the server also sees the newest quote as too old.
  const quiet = (lastQuoteAt ? now - lastQuoteAt : now - mountedAt) > staleAfter + 1000

  useEffect(() => {
    void qc.invalidateQueries({ queryKey: queryKeys.health })
  }, [quiet, liveFresh, qc])

  const md = health.marketData
  const simulated = md.kind === 'simulated'
  // No tick for a while counts even when the last health check was fine: the stream is the truth.
  // With nothing watched (a fresh install) no ticks are expected, so silence is not staleness.
  const idle = md.idle && md.ok && !lastQuoteAt
  const { databaseDown, diskLow, workerDown, stale } = healthAlerts(health, { liveFresh, quiet, idle })
  const staleReason = !md.ok && md.error ? md.error : `no live quotes for ${formatAge(lastQuoteAt ? now - lastQuoteAt : now - mountedAt)}`
  const ageMs = liveAge ?? md.freshestQuoteAgeMs
  // The simulated feeds' labels name their kind ("Simulated: random walk (seed 42)"), which is shown beside them already.
  const sourceDetail = md.label?.replace(/^Simulated: /, '') ?? null

  return (
    <div className="space-y-2" data-testid="market-status">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 rounded border border-neutral-800 bg-neutral-900/60 px-3 py-1.5 text-xs">
        <span className="text-neutral-400">
          Market data:{' '}
          <span className="font-medium text-neutral-100" data-testid="market-kind">
            {md.kind === 'exchange' ? 'Exchange' : md.kind === 'simulated' ? 'Simulated' : 'Unknown'}
          </span>
          {sourceDetail ? <span className="text-neutral-300"> · {sourceDetail}</span> : null}
          {md.mode ? (
            <span className={md.mode.startsWith('polling (stream down') ? 'text-amber-300' : 'text-neutral-300'} data-testid="market-mode">
              {' '}
              · {md.mode}
            </span>
          ) : null}
        </span>
        <span className="text-neutral-400">
          Newest quote:{' '}
          <span className="font-mono text-neutral-200" data-testid="newest-quote">
            {idle ? 'idle — nothing is watched yet' : ageMs === null ? 'none yet' : `${formatAge(ageMs)} ago`}
          </span>
        </span>
        <span className="text-neutral-400">
          Worker:{' '}
          {databaseDown && !liveFresh ? (
            <span className="text-neutral-300">unknown</span>
          ) : (
            <span className={health.worker.ok || liveFresh ? 'text-emerald-400' : 'text-red-400'}>
              {health.worker.ok || liveFresh ? (health.worker.count > 1 ? `running (${health.worker.count} workers)` : 'running') : 'down'}
            </span>
          )}
        </span>
        <span className="ml-auto">
          <LiveIndicator />
        </span>
      </div>
      {simulated ? (
        <div role="note" className="rounded border border-amber-700 bg-amber-950/70 px-3 py-1.5 text-sm font-semibold text-amber-200">
          SIMULATED market — prices come from {sourceDetail ? `a ${sourceDetail}` : 'this server'}, not from an exchange.
        </div>
      ) : null}
      {healthError ? (
        <div role="alert" className="rounded border border-red-800 bg-red-950/70 px-3 py-1.5 text-sm text-red-200">
          Health not refreshed: {healthError.message}. The status shown may be out of date.
        </div>
      ) : null}
      {databaseDown ? (
        <div role="alert" className="rounded border border-red-800 bg-red-950/70 px-3 py-1.5 text-sm text-red-200" data-testid="database-down">
          Database unreachable{health.database.error ? ` (${health.database.error})` : ''}. The start command restarts its own database on its own (see the server
          log if it stays down); until it is back nothing can be opened, closed or recorded, positions are not monitored and prices do not update.
        </div>
      ) : null}
      {diskLow && health.disk ? (
        <div role="alert" className="rounded border border-red-800 bg-red-950/70 px-3 py-1.5 text-sm text-red-200" data-testid="disk-low">
          Disk almost full: {formatMegabytes(health.disk.freeBytes)} free where the database keeps its data (warned below {formatMegabytes(health.disk.lowBelowBytes)}). When it
          fills, the database refuses every change (opens, exits, stop moves) and may stop: free space on that disk, or move the data to a larger one.
        </div>
      ) : null}
      {workerDown ? (
        <div role="alert" className="rounded border border-red-800 bg-red-950/70 px-3 py-1.5 text-sm text-red-200">
          Worker down: {health.worker.lastSeenAt ? `last heartbeat ${formatAge(health.worker.ageMs)} ago` : 'it has never reported'}. The start command restarts it
          on its own (see the server log if it stays down); until then orders are not filled, positions are not monitored and prices do not update.
        </div>
      ) : null}
      {stale ? (
        <div role="alert" className="rounded border border-red-800 bg-red-950/70 px-3 py-1.5 text-sm text-red-200">
          Market data {md.freshestQuoteAgeMs === null && !lastQuoteAt ? 'unavailable' : 'stale'}: {staleReason}. New orders are refused until prices are fresh.
        </div>
      ) : null}
    </div>
  )
}
