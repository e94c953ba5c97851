'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useState, useTransition } from 'react'
import { pressPanicAction } from '@/app/(app)/panic/actions'
import type { PanicResult } from '@/lib/server/panic/press-panic'
import { PanicReportTable } from './panic-report-table'

/**
 * One button that stops everything (or one trader): after a single confirmation it halts
 * trading, cancels open orders and closes every position at market, then shows what happened
 * to each position. Pressing it again is harmless.
 */
export function PanicButton({ traderId, traderName, compact = false }: { traderId?: string; traderName?: string; compact?: boolean }) {
  const qc = useQueryClient()
  const [confirming, setConfirming] = useState(false)
  const [pending, start] = useTransition()
  const [result, setResult] = useState<PanicResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const scope = traderName ? `${traderName}` : 'everything'

  const run = () =>
    start(async () => {
      setError(null)
      const r = await pressPanicAction(traderId ? { traderId } : {})
      setConfirming(false)
      if (r.ok) setResult(r.data)
      else setError(r.formError ?? Object.values(r.fieldErrors).join('; '))
      await qc.invalidateQueries()
    })

  const dialog = (
    <div role="alertdialog" aria-label="Confirm panic" className="space-y-2 rounded border border-red-700 bg-red-950/60 p-3 text-sm">
      <p>
        Halt trading {traderName ? `for ${traderName}` : 'on every account'}, cancel every open order and close every position at market? Trading stays halted until you re-enable it.
      </p>
      <div className="flex gap-2">
        <button type="button" disabled={pending} onClick={run} className="rounded bg-red-600 px-3 py-1 font-semibold text-white disabled:opacity-50">
          {pending ? 'Closing…' : `Yes, close ${scope}`}
        </button>
        <button type="button" disabled={pending} onClick={() => setConfirming(false)} className="rounded border border-neutral-600 px-3 py-1">
          Cancel
        </button>
      </div>
    </div>
  )
  const outcome = (
    <>
      {error ? (
        <p role="alert" className="text-sm text-red-400">
          Panic failed: {error}
        </p>
      ) : null}
      {result ? <PanicReportTable result={result} /> : null}
    </>
  )

  if (compact) {
    // The header's copy: a short button, with the confirmation and the report dropping down under the header.
    const dismiss = () => {
      setConfirming(false)
      setResult(null)
      setError(null)
    }
    const open = confirming || result !== null || error !== null
    return (
      <>
        <button
          type="button"
          aria-label={`Panic: close ${scope}`}
          aria-expanded={open}
          onClick={() => (open ? dismiss() : setConfirming(true))}
          className="shrink-0 rounded bg-red-700 px-2.5 py-1 text-sm font-semibold text-white hover:bg-red-600"
        >
          Panic
        </button>
        {open ? (
          <div className="absolute inset-x-0 top-full z-20 space-y-2 border-b border-red-900 bg-neutral-950 p-3 shadow-lg">
            {confirming ? dialog : null}
            {outcome}
            {!confirming ? (
              <button type="button" onClick={dismiss} className="rounded border border-neutral-600 px-3 py-1 text-sm">
                Dismiss
              </button>
            ) : null}
          </div>
        ) : null}
      </>
    )
  }

  return (
    <div className="space-y-2">
      {!confirming ? (
        <button type="button" onClick={() => setConfirming(true)} className="rounded bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-600">
          Panic: close {scope}
        </button>
      ) : (
        dialog
      )}
      {outcome}
    </div>
  )
}
