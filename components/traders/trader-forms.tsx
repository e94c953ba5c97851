'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useState, useTransition, type FormEvent } from 'react'
import { createTraderAction, updateTraderAction } from '@/app/(app)/traders/actions'
import { queryKeys } from '@/components/live/use-live-events'
import { ModeBadge } from '@/components/ui/mode-badge'
import { DecimalField, FormError, SelectField, SubmitButton, TextField } from '@/components/ui/fields'
import { unplacedErrors } from '@/lib/ui/take-profit-rows'
import type { Universe } from '@/lib/server/traders/trader-settings'
import { CheckboxField } from './settings-form'
import { UNIVERSE_FIELDS, UniverseFields, universeInput } from './universe-fields'

/** `watchlist.3` and `universe.exclude.3` errors name one symbol; the form has one field for each list. */
function placeWatchlistErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, message] of Object.entries(errors)) {
    const key = field.replace(/\.\d+$/, '')
    out[key] = out[key] ? `${out[key]}; ${message}` : message
  }
  return out
}

const WATCHLIST_HINT = 'Comma-separated symbols quoted in the trader’s currency, e.g. BTC/USDT, ETH/USDT.'

/** An exchange account a trader can be created on (what the create form needs of it). */
export interface TraderAccountChoice {
  id: string
  name: string
  exchange: string
  mode: 'PAPER' | 'TESTNET' | 'LIVE'
  quoteCurrency: string
  verified: boolean
}

const PAPER = 'paper'
const EXCHANGE_LABEL: Record<string, string> = { binance: 'Binance spot', coinbase: 'Coinbase' }

export function CreateTraderForm({ accounts = [] }: { accounts?: TraderAccountChoice[] }) {
  const router = useRouter()
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()
  const [accountId, setAccountId] = useState(PAPER)
  const account = accounts.find((a) => a.id === accountId)

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    const common = {
      name: String(f.get('name') ?? ''),
      ...universeInput(f, String(f.get('watchlist') ?? '')),
      autoTrade: f.get('autoTrade') === 'on',
    }
    // A paper trader is funded with a starting balance; one on an exchange account trades what the account holds, in its currency.
    const input = account
      ? { ...common, accountId: account.id }
      : { ...common, quoteCurrency: String(f.get('quoteCurrency') ?? ''), startingBalance: String(f.get('startingBalance') ?? '').trim() }
    setDone(undefined)
    startTransition(async () => {
      const res = await createTraderAction(input)
      if (res.ok) {
        setErrors({})
        setFormError(undefined)
        setDone(`Trader “${common.name.trim()}” created${account ? ` on ${account.name}` : ''}.`)
        form.reset()
        setAccountId(PAPER)
        void qc.invalidateQueries({ queryKey: queryKeys.traders })
        void qc.invalidateQueries({ queryKey: queryKeys.dashboard })
        router.refresh()
        return
      }
      setErrors(placeWatchlistErrors(res.fieldErrors))
      setFormError(res.formError)
    })
  }

  const options = [
    { value: PAPER, label: 'Paper (starting balance)' },
    ...accounts.map((a) => ({ value: a.id, label: `${a.name}: ${EXCHANGE_LABEL[a.exchange] ?? a.exchange} ${a.mode}${a.verified ? '' : ' (not verified)'}` })),
  ]
  // Fields not on screen for the chosen account (e.g. startingBalance beside an exchange account) go to the form's error.
  const placed = new Set(['name', 'accountId', 'watchlist', 'autoTrade', ...UNIVERSE_FIELDS, ...(account ? [] : ['quoteCurrency', 'startingBalance'])])
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Create trader" className="space-y-3">
      <TextField id="trader-name" name="name" label="Name" autoComplete="off" error={errors.name} />
      <SelectField
        id="trader-account"
        label="Account"
        value={accountId}
        onChange={(e) => setAccountId(e.target.value)}
        options={options}
        error={errors.accountId}
        hint={
          account
            ? `Trades what the ${account.mode} account “${account.name}” holds, in ${account.quoteCurrency}.${account.mode === 'LIVE' ? ' Real money.' : ''}`
            : accounts.length
              ? 'Paper: its own simulated account, funded with the starting balance.'
              : 'Paper: its own simulated account, funded with the starting balance. Add exchange accounts under Settings.'
        }
      />
      {account ? (
        <p className="flex items-center gap-2 text-xs text-neutral-400">
          <ModeBadge mode={account.mode} /> Quote currency <span className="font-mono text-neutral-200">{account.quoteCurrency}</span>
        </p>
      ) : (
        <div className="grid gap-2 sm:grid-cols-2">
          <TextField id="trader-quote" name="quoteCurrency" label="Quote currency" defaultValue="USDT" autoComplete="off" className="uppercase" error={errors.quoteCurrency} />
          <DecimalField id="trader-balance" name="startingBalance" label="Starting balance" defaultValue="10000" error={errors.startingBalance} />
        </div>
      )}
      <UniverseFields
        idPrefix="trader"
        initial={{ kind: 'FIXED' }}
        errors={errors}
        fixedList={<TextField id="trader-watchlist" name="watchlist" label="Watchlist" defaultValue="BTC/USDT, ETH/USDT" autoComplete="off" error={errors.watchlist} hint={WATCHLIST_HINT} />}
      />
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

export function EditTraderForm({ trader }: { trader: { traderId: string; traderName: string; watchlist: string[]; universe: Universe } }) {
  const router = useRouter()
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [name, setName] = useState(trader.traderName)
  const [watchlist, setWatchlist] = useState(trader.watchlist.join(', '))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const input = { name, ...universeInput(new FormData(e.currentTarget), watchlist) }
    setDone(undefined)
    startTransition(async () => {
      const res = await updateTraderAction(trader.traderId, input)
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
      <UniverseFields
        idPrefix="edit-trader"
        initial={trader.universe}
        errors={errors}
        fixedList={<TextField id="edit-trader-watchlist" label="Watchlist" value={watchlist} onChange={(e) => setWatchlist(e.target.value)} autoComplete="off" error={errors.watchlist} hint={WATCHLIST_HINT} />}
      />
      <FormError messages={[formError, ...unplacedErrors(errors, (f) => f === 'name' || f === 'watchlist' || UNIVERSE_FIELDS.includes(f))]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Save trader</SubmitButton>
    </form>
  )
}
