'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useState, useTransition, type FormEvent } from 'react'
import { createTraderAction, updateTraderAction } from '@/app/(app)/traders/actions'
import { queryKeys } from '@/components/live/use-live-events'
import { DecimalField, FormError, SelectField, SubmitButton, TextField } from '@/components/ui/fields'
import { unplacedErrors } from '@/lib/ui/take-profit-rows'
import { CheckboxField } from './settings-form'

/** `watchlist.3` errors name one symbol; the form has one watchlist field. */
function placeWatchlistErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, message] of Object.entries(errors)) {
    const key = field.startsWith('watchlist') ? 'watchlist' : field
    out[key] = out[key] ? `${out[key]}; ${message}` : message
  }
  return out
}

const WATCHLIST_HINT = 'Comma-separated symbols quoted in the trader’s currency, e.g. BTC/USDT, ETH/USDT.'

export function CreateTraderForm() {
  const router = useRouter()
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    const input = {
      name: String(f.get('name') ?? ''),
      exchange: String(f.get('exchange') ?? 'PAPER'),
      quoteCurrency: String(f.get('quoteCurrency') ?? ''),
      startingBalance: String(f.get('startingBalance') ?? '').trim(),
      watchlist: String(f.get('watchlist') ?? ''),
      autoTrade: f.get('autoTrade') === 'on',
    }
    setDone(undefined)
    startTransition(async () => {
      const res = await createTraderAction(input)
      if (res.ok) {
        setErrors({})
        setFormError(undefined)
        setDone(`Trader “${input.name.trim()}” created.`)
        form.reset()
        void qc.invalidateQueries({ queryKey: queryKeys.traders })
        void qc.invalidateQueries({ queryKey: queryKeys.dashboard })
        router.refresh()
        return
      }
      setErrors(placeWatchlistErrors(res.fieldErrors))
      setFormError(res.formError)
    })
  }

  const placed = new Set(['name', 'exchange', 'quoteCurrency', 'startingBalance', 'watchlist', 'autoTrade'])
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Create trader" className="space-y-3">
      <TextField id="trader-name" name="name" label="Name" autoComplete="off" error={errors.name} />
      <SelectField id="trader-exchange" name="exchange" label="Exchange" options={[{ value: 'PAPER', label: 'Paper' }]} error={errors.exchange} hint="Paper trading only in this version: no exchange keys needed." />
      <div className="grid gap-2 sm:grid-cols-2">
        <TextField id="trader-quote" name="quoteCurrency" label="Quote currency" defaultValue="USDT" autoComplete="off" className="uppercase" error={errors.quoteCurrency} />
        <DecimalField id="trader-balance" name="startingBalance" label="Starting balance" defaultValue="10000" error={errors.startingBalance} />
      </div>
      <TextField id="trader-watchlist" name="watchlist" label="Watchlist" defaultValue="BTC/USDT, ETH/USDT" autoComplete="off" error={errors.watchlist} hint={WATCHLIST_HINT} />
      <CheckboxField
        id="trader-auto-trade"
        name="autoTrade"
        label="Trade automatically (built-in rules)"
        defaultChecked
        error={errors.autoTrade}
        hint="Analyses the watchlist on a schedule and trades by itself. Off: it trades only when you do. Change the provider and limits on the trader’s page."
      />
      <FormError messages={[formError, ...unplacedErrors(errors, (f) => placed.has(f))]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending} className="w-full">
        Create trader
      </SubmitButton>
    </form>
  )
}

export function EditTraderForm({ trader }: { trader: { traderId: string; traderName: string; watchlist: string[] } }) {
  const router = useRouter()
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [name, setName] = useState(trader.traderName)
  const [watchlist, setWatchlist] = useState(trader.watchlist.join(', '))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    setDone(undefined)
    startTransition(async () => {
      const res = await updateTraderAction(trader.traderId, { name, watchlist })
      if (res.ok) {
        setErrors({})
        setFormError(undefined)
        setDone('Saved.')
        void qc.invalidateQueries({ queryKey: queryKeys.traders })
        void qc.invalidateQueries({ queryKey: queryKeys.dashboard })
        router.refresh()
        return
      }
      setErrors(placeWatchlistErrors(res.fieldErrors))
      setFormError(res.formError)
    })
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Edit trader" className="space-y-3">
      <TextField id="edit-trader-name" label="Name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" error={errors.name} />
      <TextField id="edit-trader-watchlist" label="Watchlist" value={watchlist} onChange={(e) => setWatchlist(e.target.value)} autoComplete="off" error={errors.watchlist} hint={WATCHLIST_HINT} />
      <FormError messages={[formError, ...unplacedErrors(errors, (f) => f === 'name' || f === 'watchlist')]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Save trader</SubmitButton>
    </form>
  )
}
