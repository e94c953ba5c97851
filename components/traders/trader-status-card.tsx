'use client'

import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useEffect, useRef, useState, useTransition } from 'react'
import { pauseTraderAction, requestAnalysisAction, resumeTraderAction } from '@/app/(app)/traders/actions'
import { fetchJson } from '@/components/live/fetch-json'
import { queryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { FormError, SubmitButton, TextField } from '@/components/ui/fields'
import { StatusBadge } from '@/components/ui/status-badge'
import type { TraderSettingsView, TraderStateView } from '@/lib/server/traders/trader-settings-view'
import type { ActionResult } from '@/lib/server/ui/action-result'
import { formatTimestamp } from '@/lib/ui/time-format'

// The worker does not announce every cycle, so the cycle times are re-read now and then;
// status changes (pause, resume, a tripped breaker) arrive at once as `trader` events.
const CYCLE_REFRESH_MS = 15_000

// Who stopped it, and so what re-enables it: "Re-enable trading" after a panic leaves a breaker's stop in place.
const STOPPED_BY: Record<NonNullable<TraderStateView['statusCause']>, string> = {
  PERSON: 'paused by a person',
  PANIC: 'stopped by a panic; re-enabling trading resumes it',
  BREAKER: 'stopped by a risk breaker; only Resume trader here lifts it',
}

const when = (iso: string | null) => (iso ? `${formatTimestamp(iso)} UTC` : '—')

/** Whether the trader may trade and why not, its analysis cycles, and pause / resume / analyze now. */
export function TraderStatusCard({ traderId, initial }: { traderId: string; initial: TraderStateView }) {
  useLiveEvents()
  const router = useRouter()
  const qc = useQueryClient()
  const key = [...queryKeys.traders, traderId, 'state'] as const
  const { data: s = initial } = useQuery({
    queryKey: key,
    queryFn: async () => (await fetchJson<TraderSettingsView>(`/api/v1/traders/${traderId}/settings`)).state,
    initialData: initial,
    refetchInterval: CYCLE_REFRESH_MS,
  })
  const [pending, startTransition] = useTransition()
  const [reason, setReason] = useState('')
  const [message, setMessage] = useState<string>()
  const [error, setError] = useState<string>()

  // A status change from elsewhere (a breaker, a panic) comes with risk events: reload the page's data.
  const seen = useRef(`${initial.status}|${initial.statusChangedAt}`)
  useEffect(() => {
    const now = `${s.status}|${s.statusChangedAt}`
    if (now !== seen.current) {
      seen.current = now
      router.refresh()
    }
  }, [s.status, s.statusChangedAt, router])

  function act<T>(action: () => Promise<ActionResult<T>>, onOk: (data: T) => string) {
    setMessage(undefined)
    setError(undefined)
    startTransition(async () => {
      const res = await action()
      if (!res.ok) {
        setError(res.formError ?? Object.values(res.fieldErrors).join('; '))
        return
      }
      setMessage(onOk(res.data))
      void qc.invalidateQueries({ queryKey: key })
    })
  }

  const stopped = s.status !== 'ACTIVE'
  return (
    <div className="space-y-3 text-sm">
      <div className="flex flex-wrap items-center gap-2" data-testid="trader-status">
        <StatusBadge value={s.status} />
        {s.statusReason ? <span className="text-neutral-300">{s.statusReason}</span> : <span className="text-neutral-500">May open positions.</span>}
        {s.statusCause ? (
          <span className="text-xs text-neutral-500" data-testid="trader-status-cause">
            {STOPPED_BY[s.statusCause]}
          </span>
        ) : null}
        {s.statusChangedAt ? <span className="text-xs text-neutral-500">since {when(s.statusChangedAt)}</span> : null}
      </div>
      {s.accountHalted ? (
        <p className="rounded border border-red-900 bg-red-950/60 px-3 py-2 text-red-300">
          The account is halted{s.accountHaltedReason ? ` (${s.accountHaltedReason})` : ''}: nothing opens until trading is re-enabled.
        </p>
      ) : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
        <dt className="text-neutral-500">Mode</dt>
        <dd>
          {s.autoTrade ? 'Trades automatically' : 'Manual only (no scheduled analysis)'}
          {s.dryRun ? ' · dry run (no orders)' : ''}
        </dd>
        <dt className="text-neutral-500">Last cycle</dt>
        <dd className="font-mono" data-testid="last-cycle-at">{when(s.lastCycleAt)}</dd>
        <dt className="text-neutral-500">Next cycle</dt>
        <dd className="font-mono" data-testid="next-cycle-at">{s.autoTrade ? when(s.nextCycleAt) : '— (automatic trading is off)'}</dd>
        <dt className="text-neutral-500">Last cycle error</dt>
        <dd data-testid="last-cycle-error" className={s.lastCycleError ? 'text-red-400' : 'text-neutral-500'}>
          {s.lastCycleError ?? 'none'}
        </dd>
      </dl>
      <div className="flex flex-wrap items-end gap-2">
        {stopped ? (
          <SubmitButton type="button" pending={pending} onClick={() => act(() => resumeTraderAction(traderId), () => 'Resumed: the trader may open positions again.')}>
            Resume trader
          </SubmitButton>
        ) : (
          <>
            <div className="w-56">
              <TextField id="pause-reason" label="Pause reason (optional)" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
            </div>
            <SubmitButton type="button" tone="danger" pending={pending} onClick={() => act(() => pauseTraderAction(traderId, reason.trim() ? { reason: reason.trim() } : {}), () => 'Paused: it opens nothing until you resume it.')}>
              Pause trader
            </SubmitButton>
          </>
        )}
        <SubmitButton type="button" tone="secondary" pending={pending} onClick={() => act(() => requestAnalysisAction(traderId), (r) => r.message)}>
          Analyze now
        </SubmitButton>
      </div>
      <FormError messages={[error]} />
      {message ? (
        <p role="status" className="text-xs text-emerald-400">
          {message}
        </p>
      ) : null}
    </div>
  )
}
