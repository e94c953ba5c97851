'use client'

import { useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useState, useTransition } from 'react'
import { resumeTradingAction } from '@/app/(app)/panic/actions'
import { fetchJson } from '@/components/live/fetch-json'
import { FormError } from '@/components/ui/fields'
import { queryKeys } from '@/components/live/use-live-events'
import type { loadTradingState } from '@/lib/server/trading/trading-state'

type TradingState = Awaited<ReturnType<typeof loadTradingState>>

/**
 * Says plainly when trading is halted (panic) and which traders are paused or halted and why,
 * with the one deliberate action that re-enables it. Refreshes with the dashboard's live events.
 */
export function TradingHaltBanner() {
  const qc = useQueryClient()
  const [pending, start] = useTransition()
  const [error, setError] = useState<string>()
  const { data } = useQuery({ queryKey: [...queryKeys.dashboard, 'trading-state'], queryFn: () => fetchJson<TradingState>('/api/ui/trading-state') })
  if (!data) return null
  const halted = data.accounts.filter((a) => a.halted)
  const stopped = data.traders.filter((t) => t.status !== 'ACTIVE')
  if (!halted.length && !stopped.length) return null
  const resume = () =>
    start(async () => {
      // Refused (a session that ended, a busy server): say so; trading stays halted.
      const res = await resumeTradingAction({})
      setError(res.ok ? undefined : (res.formError ?? 'Could not re-enable trading.'))
      if (res.ok) await qc.invalidateQueries()
    })
  return (
    <div role="alert" aria-label="Trading halted" className="space-y-1 rounded border border-red-800 bg-red-950/50 p-3 text-sm">
      {halted.length ? <p className="font-semibold text-red-300">Trading is halted on {halted.length} account(s): {halted[0]!.haltedReason ?? 'no reason recorded'}</p> : null}
      {stopped.map((t) => (
        <p key={t.id} className="text-red-200">
          {t.name} is {t.status.toLowerCase()}: {t.statusReason ?? 'no reason recorded'}
          {t.statusCause === 'BREAKER' ? (
            <>
              {' '}
              — a risk breaker stopped it;{' '}
              <Link href={`/traders/${t.id}`} className="underline">
                review it and re-enable it on its page
              </Link>
            </>
          ) : null}
        </p>
      ))}
      {halted.length ? (
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" disabled={pending} onClick={resume} className="rounded border border-red-500 px-3 py-1 text-red-100 hover:bg-red-900 disabled:opacity-50">
            {pending ? 'Re-enabling…' : 'Re-enable trading'}
          </button>
          <span className="text-xs text-red-300">the halted accounts, and traders a panic halted; paused traders and risk-breaker stops stay as they are</span>
        </div>
      ) : null}
      <FormError messages={[error]} />
    </div>
  )
}
