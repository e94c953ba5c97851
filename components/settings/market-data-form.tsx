'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { saveMarketDataSettingAction } from '@/app/(app)/settings/actions'
import { queryKeys } from '@/components/live/use-live-events'
import { FormError, SubmitButton } from '@/components/ui/fields'
import { useActionForm } from '@/components/ui/use-action-form'

/** The market-data source chooser; admins only (the page shows members the current source as text). */
export function MarketDataForm({ current, exchangeLabel }: { current: 'exchange' | 'simulated'; exchangeLabel: string }) {
  const qc = useQueryClient()
  const [kind, setKind] = useState(current)
  // The form has no field of its own: a field error is shown as the form's.
  const { pending, firstError, done, submit } = useActionForm({ refreshPage: true })

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    submit(() => saveMarketDataSettingAction({ kind }), {
      onSuccess: (data) => {
        void qc.invalidateQueries({ queryKey: queryKeys.health })
        return `Saved: the worker switches to the ${data.kind === 'exchange' ? 'exchange' : 'simulated'} feed now.`
      },
    })
  }

  const option = (value: 'exchange' | 'simulated', title: string, description: string) => (
    <label className={`flex cursor-pointer gap-3 rounded border p-3 ${kind === value ? 'border-emerald-700 bg-emerald-950/30' : 'border-neutral-800 hover:border-neutral-600'}`}>
      <input type="radio" name="marketDataKind" value={value} checked={kind === value} onChange={() => setKind(value)} className="mt-1 accent-emerald-500" />
      <span>
        <span className="block text-sm font-medium text-neutral-100">{title}</span>
        <span className="block text-xs text-neutral-400">{description}</span>
      </span>
    </label>
  )

  return (
    <form onSubmit={onSubmit} aria-label="Market data source" className="space-y-3">
      <fieldset className="space-y-2">
        <legend className="mb-1 text-xs font-medium text-neutral-400">Market data source</legend>
        {option('exchange', 'Exchange', `Real prices from ${exchangeLabel} through ccxt (public market data, no keys).`)}
        {option('simulated', 'Simulated', 'Generated prices (seeded random walk or a replayed candle file). Clearly labelled SIMULATED everywhere.')}
      </fieldset>
      <FormError messages={[firstError]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Save market data source</SubmitButton>
    </form>
  )
}
