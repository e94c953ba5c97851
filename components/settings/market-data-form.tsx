'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useState, useTransition, type FormEvent } from 'react'
import { saveMarketDataSettingAction } from '@/app/(app)/settings/actions'
import { queryKeys } from '@/components/live/use-live-events'
import { FormError, SubmitButton } from '@/components/ui/fields'

/** The market-data source chooser; admins only (the page shows members the current source as text). */
export function MarketDataForm({ current, exchangeLabel }: { current: 'exchange' | 'simulated'; exchangeLabel: string }) {
  const router = useRouter()
  const qc = useQueryClient()
  const [kind, setKind] = useState(current)
  const [pending, startTransition] = useTransition()
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    setDone(undefined)
    startTransition(async () => {
      const res = await saveMarketDataSettingAction({ kind })
      if (res.ok) {
        setFormError(undefined)
        setDone(`Saved: the worker switches to the ${res.data.kind === 'exchange' ? 'exchange' : 'simulated'} feed now.`)
        void qc.invalidateQueries({ queryKey: queryKeys.health })
        router.refresh()
        return
      }
      setFormError(res.formError ?? Object.values(res.fieldErrors)[0])
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
      <FormError messages={[formError]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Save market data source</SubmitButton>
    </form>
  )
}
