'use client'

import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, useTransition } from 'react'
import { promotePoolEntryAction, removePoolEntryAction } from '@/app/(app)/traders/[id]/signals/actions'
import { fetchJson } from '@/components/live/fetch-json'
import { num, td, th } from '@/components/positions/positions-table'
import { FormError } from '@/components/ui/fields'
import { EmptyState } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import type { PoolView } from '@/lib/server/groups/pool-views'
import type { ActionResult } from '@/lib/server/ui/action-result'
import { formatPercent, pnlTone } from '@/lib/ui/decimal-format'
import { formatAge, formatTimestamp } from '@/lib/ui/time-format'

// The worker promotes into a freed slot within moments, and entries expire: read the pool this often.
const REFRESH_MS = 3000
/** The user's pool, whichever trader's page shows it (the settings form writes it too). */
export const poolKey = ['pool'] as const

type Waiting = PoolView['waiting'][number]

const pair = (e: { symbol: string; timeframe: string }) => `${e.symbol}${e.timeframe ? ` ${e.timeframe}` : ''}`

/** The local clock, every few seconds (ages and time left). Null until mounted, so the server render matches. */
function useNow(): number | null {
  const [now, setNow] = useState<number | null>(null)
  useEffect(() => {
    setNow(Date.now())
    const t = setInterval(() => setNow(Date.now()), 5000)
    return () => clearInterval(t)
  }, [])
  return now
}

/** The group pool of all the user's traders: its slots, the entries waiting for one, and what left the queue lately. */
export function PoolPanel({ initial }: { initial: PoolView }) {
  const qc = useQueryClient()
  const now = useNow()
  const { data: pool = initial, error: loadError, isFetching } = useQuery({
    queryKey: poolKey,
    queryFn: () => fetchJson<PoolView>('/api/v1/pool'),
    initialData: initial,
    refetchInterval: REFRESH_MS,
  })
  const [pending, startTransition] = useTransition()
  const [busyId, setBusyId] = useState<string>()
  const [error, setError] = useState<string>()

  const act = (e: Waiting, verb: 'promote' | 'remove') => {
    // Before the transition: updates made inside it show only once the action is done.
    setBusyId(e.id)
    setError(undefined)
    startTransition(async () => {
      const res: ActionResult<PoolView> = await (verb === 'promote' ? promotePoolEntryAction(e.id) : removePoolEntryAction(e.id))
      if (res.ok) qc.setQueryData(poolKey, res.data)
      else setError(`Could not ${verb} the ${pair(e)} entry of ${e.traderName}: ${res.formError ?? Object.values(res.fieldErrors).join('; ')}`)
      setBusyId(undefined)
      // Refused or not, the queue may have moved on (promoted by the worker, expired): show it as it is now.
      await qc.invalidateQueries({ queryKey: poolKey })
    })
  }

  const { cap, used, free } = pool.slots
  const full = free === 0
  return (
    <div className="space-y-3">
      <div className="space-y-1">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <p className="text-neutral-200" data-testid="pool-slots">
            {used} of {cap} slots in use, {free} free
          </p>
          <span className="text-xs text-neutral-500">· {pool.waiting.length} waiting</span>
          <span className="ml-auto text-xs text-neutral-500">{isFetching ? 'Updating…' : null}</span>
        </div>
        {/* Decorative: the sentence above says the same. Shown full when the pool was made smaller than what is open. */}
        <div aria-hidden="true" className="h-1.5 overflow-hidden rounded bg-neutral-800">
          <div className={`h-full ${full ? 'bg-amber-500' : 'bg-emerald-600'}`} style={{ width: `${Math.min(100, cap ? (used / cap) * 100 : 100)}%` }} />
        </div>
      </div>
      {loadError ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load the group pool: {loadError.message}
        </p>
      ) : null}
      <FormError messages={[error]} />

      <div className="space-y-1">
        <h3 className="text-sm font-semibold text-neutral-200">Queue</h3>
        {pool.waiting.length === 0 ? (
          <EmptyState>No entries waiting</EmptyState>
        ) : (
          <>
            {full ? <p className="text-xs text-neutral-500">The pool is full: the first entry runs when a group closes. Promote needs a free slot; raise Max open groups to make one.</p> : null}
            <div className="relative overflow-x-auto">
              <table className="w-full text-xs" aria-label="Pool queue">
                <thead>
                  <tr>
                    <th className={`${th} text-right`}>Rank</th>
                    <th className={th}>Trader</th>
                    <th className={th}>Symbol</th>
                    <th className={th}>Interval</th>
                    <th className={th}>Side</th>
                    <th className={`${th} text-right`}>Pair PnL %</th>
                    <th className={`${th} text-right`}>Replacements</th>
                    <th className={th}>Waiting since</th>
                    <th className={th}>Expires</th>
                    <th className={th}>Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {pool.waiting.map((e) => (
                    <tr key={e.id} className="border-t border-neutral-800" data-entry-id={e.id}>
                      <td className={num}>
                        {e.rank}
                        {/* Why it ranks ahead of deeper losses. */}
                        {e.continuation ? <div className="font-sans text-[11px] text-neutral-500">continuation</div> : null}
                      </td>
                      <td className={`${td} text-neutral-300`}>{e.traderName}</td>
                      <td className={`${td} font-medium text-neutral-100`}>{e.symbol}</td>
                      <td className={`${td} font-mono text-neutral-400`}>{e.timeframe || '—'}</td>
                      <td className={td}>
                        <StatusBadge value={e.side} />
                      </td>
                      <td className={`${num} ${pnlTone(e.pairPnlPct)}`}>{formatPercent(e.pairPnlPct)}</td>
                      <td className={num}>{e.replacements}</td>
                      <td className={`${td} font-mono text-neutral-400`}>
                        <time dateTime={e.queuedAt} title={`${formatTimestamp(e.queuedAt)} UTC`}>
                          {now === null ? `${formatTimestamp(e.queuedAt)} UTC` : `${formatAge(now - Date.parse(e.queuedAt))} ago`}
                        </time>
                      </td>
                      <td className={`${td} font-mono text-neutral-400`}>
                        <time dateTime={e.expiresAt} title={`${formatTimestamp(e.expiresAt)} UTC`}>
                          {now === null ? `${formatTimestamp(e.expiresAt)} UTC` : Date.parse(e.expiresAt) > now ? `in ${formatAge(Date.parse(e.expiresAt) - now)}` : 'due now'}
                        </time>
                      </td>
                      <td className={td}>
                        <div className="flex gap-1">
                          <button
                            type="button"
                            disabled={pending}
                            aria-busy={busyId === e.id || undefined}
                            aria-label={`Promote ${pair(e)} of ${e.traderName}`}
                            title={full ? 'The pool is full: this is refused until a slot frees' : 'Give this entry the next free slot, ahead of its rank'}
                            onClick={() => act(e, 'promote')}
                            className="rounded bg-emerald-700 px-2 py-1 text-xs font-semibold text-white hover:bg-emerald-600 disabled:opacity-50"
                          >
                            Promote
                          </button>
                          <button
                            type="button"
                            disabled={pending}
                            aria-busy={busyId === e.id || undefined}
                            aria-label={`Remove ${pair(e)} of ${e.traderName}`}
                            title="Take it out of the queue: its signal is rejected"
                            onClick={() => act(e, 'remove')}
                            className="rounded border border-neutral-600 px-2 py-1 text-xs font-semibold text-neutral-200 hover:border-neutral-400 disabled:opacity-50"
                          >
                            Remove
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>

      <div className="space-y-1 border-t border-neutral-800 pt-3">
        <h3 className="text-sm font-semibold text-neutral-200">Recently left the queue</h3>
        {pool.recent.length === 0 ? (
          <EmptyState>Nothing has left the queue yet.</EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-xs" aria-label="Pool queue history">
              <thead>
                <tr>
                  <th className={th}>Left (UTC)</th>
                  <th className={th}>Trader</th>
                  <th className={th}>Symbol</th>
                  <th className={th}>Interval</th>
                  <th className={th}>Side</th>
                  <th className={th}>Status</th>
                  <th className={th}>Reason</th>
                </tr>
              </thead>
              <tbody>
                {pool.recent.map((e) => (
                  <tr key={e.id} className="border-t border-neutral-800" data-entry-id={e.id} data-status={e.status}>
                    <td className={`${td} font-mono text-neutral-400`}>
                      <time dateTime={e.endedAt ?? undefined}>{formatTimestamp(e.endedAt)}</time>
                    </td>
                    <td className={`${td} text-neutral-300`}>{e.traderName}</td>
                    <td className={`${td} font-medium text-neutral-100`}>{e.symbol}</td>
                    <td className={`${td} font-mono text-neutral-400`}>{e.timeframe || '—'}</td>
                    <td className={td}>
                      <StatusBadge value={e.side} />
                    </td>
                    <td className={td}>
                      <StatusBadge value={e.status} />
                    </td>
                    <td className="min-w-40 px-2 py-1.5 align-top text-neutral-400">{e.endReason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  )
}
