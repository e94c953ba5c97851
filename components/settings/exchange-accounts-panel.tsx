'use client'

import { useState, useTransition, type FormEvent, type TextareaHTMLAttributes } from 'react'
import {
  createExchangeAccountAction,
  deleteExchangeAccountAction,
  testExchangeAccountAction,
  updateExchangeAccountAction,
} from '@/app/(app)/settings/exchange-account-actions'
import { td, th } from '@/components/positions/positions-table'
import { FieldNote, FormError, noteId, SelectField, SubmitButton, TextField } from '@/components/ui/fields'
import { ModeBadge } from '@/components/ui/mode-badge'
import { EmptyState } from '@/components/ui/panel'
import { PhoneRow, WIDE_FROM } from '@/components/ui/phone-row'
import type { ExchangeAccountView } from '@/lib/server/exchange-accounts/exchange-account-view'
import type { ExchangeAccountTest } from '@/lib/server/exchange-accounts/test-exchange-account'
import { formatDecimal } from '@/lib/ui/decimal-format'
import { formatTimestamp } from '@/lib/ui/time-format'

const EXCHANGES = [
  { value: 'binance', label: 'Binance spot' },
  { value: 'coinbase', label: 'Coinbase Advanced Trade' },
]
const EXCHANGE_LABEL: Record<string, string> = Object.fromEntries(EXCHANGES.map((e) => [e.value, e.label]))
const DEFAULT_QUOTE: Record<string, string> = { binance: 'USDT', coinbase: 'USD' }
const WITHDRAW_WARNING = 'This key can withdraw funds; a trading key should not.'

/**
 * Settings → Exchange accounts: the user's Binance spot and Coinbase accounts (mode, key hint,
 * last test), adding one (its keys are tested before saving), testing it again, replacing its
 * keys and deleting it. Keys never come back from the server, only their last four characters.
 */
export function ExchangeAccountsPanel({ initial, liveTradingEnabled }: { initial: ExchangeAccountView[]; liveTradingEnabled: boolean }) {
  const [rows, setRows] = useState(initial)
  const replace = (a: ExchangeAccountView) => setRows((r) => r.map((x) => (x.id === a.id ? a : x)))
  return (
    <div id="exchange-accounts" className="space-y-4">
      <p className="text-xs text-neutral-400">
        Traders can trade on these accounts instead of paper money. TESTNET uses the exchange’s test environment; LIVE trades real money and sends new
        orders only while the server runs with LIVE_TRADING_ENABLED=true (it is {liveTradingEnabled ? 'on' : 'off'} now). Give keys spot-trading
        permission and no withdrawal permission.
      </p>
      {rows.length === 0 ? (
        <EmptyState>No exchange accounts yet. Add one below; every trader you create can then trade on it.</EmptyState>
      ) : (
        <div className="relative overflow-x-auto">
          <table className="w-full text-sm" aria-label="Exchange accounts">
            <thead>
              <tr>
                <th className={th}>Name</th>
                <th className={`${th} ${WIDE_FROM.md}`}>Exchange</th>
                <th className={`${th} ${WIDE_FROM.md}`}>Mode</th>
                <th className={`${th} ${WIDE_FROM.md}`}>Key</th>
                <th className={th}>Status</th>
                <th className={`${th} ${WIDE_FROM.md}`}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <AccountRow key={a.id} a={a} onChange={replace} onDeleted={() => setRows((r) => r.filter((x) => x.id !== a.id))} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddAccountForm onAdded={(a) => setRows((r) => [...r, a])} />
    </div>
  )
}

function AccountRow({ a, onChange, onDeleted }: { a: ExchangeAccountView; onChange: (a: ExchangeAccountView) => void; onDeleted: () => void }) {
  const [pending, startTransition] = useTransition()
  const [result, setResult] = useState<ExchangeAccountTest | null>(null)
  const [error, setError] = useState<string>()
  const [replacing, setReplacing] = useState(false)

  const test = () =>
    startTransition(async () => {
      setError(undefined)
      setResult(null)
      const res = await testExchangeAccountAction(a.id)
      if (!res.ok) return setError(res.formError ?? 'Could not test the connection.')
      setResult(res.data)
      onChange(res.data.account)
    })
  const remove = () => {
    if (!window.confirm(`Delete the exchange account "${a.name}"? Its keys are deleted with it.`)) return
    startTransition(async () => {
      setError(undefined)
      const res = await deleteExchangeAccountAction(a.id)
      if (!res.ok) return setError(res.formError ?? 'Could not delete it.')
      onDeleted()
    })
  }

  const exchange = EXCHANGE_LABEL[a.exchange] ?? a.exchange
  // Below md these sit in the row under the account (their column is hidden there).
  const actions = (
    <>
      <div className="flex flex-wrap items-center gap-2">
        <SubmitButton type="button" tone="secondary" pending={pending} onClick={test} aria-label={`Test connection of ${a.name}`}>
          Test connection
        </SubmitButton>
        <SubmitButton type="button" tone="secondary" disabled={pending} onClick={() => setReplacing((r) => !r)} aria-expanded={replacing} aria-label={`Replace keys of ${a.name}`}>
          Replace keys
        </SubmitButton>
        <SubmitButton type="button" tone="danger" disabled={pending} onClick={remove} aria-label={`Delete ${a.name}`}>
          Delete
        </SubmitButton>
      </div>
      {error ? (
        <p role="alert" className="mt-1 text-xs text-red-400">
          {error}
        </p>
      ) : null}
    </>
  )

  return (
    <>
      <tr className="border-t border-neutral-800" data-account-id={a.id} aria-label={`Exchange account ${a.name}`}>
        {/* A long name wraps: Settings is narrow, and the status beside it needs the room. */}
        <td className="min-w-[8rem] px-2 py-1.5 align-top font-medium">
          {a.name}
          {a.traders.length ? <div className="text-[11px] font-normal text-neutral-500">Traders: {a.traders.map((t) => t.name).join(', ')}</div> : null}
        </td>
        <td className={`${WIDE_FROM.md} min-w-[7rem] px-2 py-1.5 align-top text-xs`}>
          {exchange}
          <div className="text-[11px] text-neutral-500 wrap-anywhere">
            {a.quoteCurrency}
            {a.baseUrl ? <span className="font-mono"> · {a.baseUrl}</span> : null}
          </div>
        </td>
        <td className={`${td} ${WIDE_FROM.md}`}>
          <ModeBadge mode={a.mode} />
        </td>
        <td className={`${td} ${WIDE_FROM.md} font-mono text-xs text-neutral-400`}>{a.keyHint ?? '—'}</td>
        {/* An exchange's error may quote a URL with no place to break: it wraps anywhere. */}
        <td className="max-w-[20rem] px-2 py-1.5 align-top text-xs wrap-anywhere md:min-w-[12rem]" data-testid="verification">
          {a.verified ? (
            <span className="text-emerald-400">Verified {formatTimestamp(a.verifiedAt)}</span>
          ) : (
            <span className="text-red-300">Not verified: {a.verifyError ?? 'not tested yet'}</span>
          )}
          {a.orderUpdates ? (
            <p className={`mt-1 ${a.orderUpdates.via === 'stream' ? 'text-neutral-400' : 'text-amber-300'}`} data-testid="order-updates">
              Order updates: {a.orderUpdates.via === 'stream' ? 'streamed by the exchange' : `polled (${a.orderUpdates.detail ?? 'no stream'})`}
            </p>
          ) : null}
          {a.canWithdraw ? (
            <p role="note" className="mt-1 font-semibold text-amber-300">
              Can withdraw: {WITHDRAW_WARNING}
            </p>
          ) : null}
        </td>
        <td className={`px-2 py-1.5 align-top ${WIDE_FROM.md}`}>
          {actions}
        </td>
      </tr>
      <PhoneRow span={2} until="md" className="space-y-1.5 text-xs" data-account-details={a.id}>
        <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-neutral-400">
          <span className="text-neutral-300">{exchange}</span>
          <ModeBadge mode={a.mode} />
          <span>{a.quoteCurrency}</span>
          <span className="font-mono">key {a.keyHint ?? '—'}</span>
          {a.baseUrl ? <span className="break-all font-mono">{a.baseUrl}</span> : null}
        </div>
        {actions}
      </PhoneRow>
      {result ? (
        <tr className="border-t border-neutral-900">
          <td colSpan={6} className="px-2 pb-2">
            <TestResult r={result} />
          </td>
        </tr>
      ) : null}
      {replacing ? (
        <tr className="border-t border-neutral-900">
          <td colSpan={6} className="px-2 pb-2">
            <ReplaceKeysForm
              account={a}
              onDone={(updated) => {
                onChange(updated)
                setReplacing(false)
                setResult(null)
              }}
            />
          </td>
        </tr>
      ) : null}
    </>
  )
}

function TestResult({ r }: { r: ExchangeAccountTest }) {
  const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no')
  return (
    <div role="status" aria-label="Connection test result" className={`space-y-1 rounded border p-2 text-xs ${r.ok ? 'border-emerald-900 bg-emerald-950/30' : 'border-red-900 bg-red-950/30'}`}>
      <p className={r.ok ? 'text-emerald-300' : 'text-red-300'}>{r.ok ? 'Connection works: the key can trade.' : `Not verified: ${r.error}`}</p>
      <p className="text-neutral-300">
        Can trade: <span className="font-semibold">{yesNo(r.canTrade)}</span> · Can withdraw: <span className="font-semibold">{yesNo(r.canWithdraw)}</span>
      </p>
      {r.warning ? <p className="font-semibold text-amber-300">Warning: {r.warning}</p> : null}
      {r.balances.length ? (
        <dl className="grid max-w-sm grid-cols-2 gap-x-3 font-mono text-neutral-300" aria-label="Balances">
          {r.balances.map((b) => (
            <div key={b.asset} className="contents">
              <dt className="text-neutral-500">{b.asset}</dt>
              <dd className="text-right">{formatDecimal(b.amount)}</dd>
            </div>
          ))}
        </dl>
      ) : r.ok ? (
        <p className="text-neutral-500">No balances on this account.</p>
      ) : null}
    </div>
  )
}

type TextAreaFieldProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & { id: string; label: string; error?: string; hint?: string }

/** A labelled textarea (secrets that are PEM keys span several lines). */
function TextAreaField({ id, label, error, hint, ...area }: TextAreaFieldProps) {
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-neutral-400">
        {label}
      </label>
      <textarea
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={noteId(id, error, hint)}
        className={`block w-full rounded border bg-neutral-950 px-2 py-1.5 font-mono text-xs text-neutral-100 focus:outline-none focus:ring-2 focus:ring-emerald-500/50 ${error ? 'border-red-500' : 'border-neutral-700'}`}
        {...area}
      />
      <FieldNote id={id} error={error} hint={hint} />
    </div>
  )
}

const SECRET_HINT = 'Stored encrypted; never shown again. Coinbase: paste the whole private key, line breaks included.'

function ReplaceKeysForm({ account, onDone }: { account: ExchangeAccountView; onDone: (a: ExchangeAccountView) => void }) {
  const [pending, startTransition] = useTransition()
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    startTransition(async () => {
      const res = await updateExchangeAccountAction(account.id, { apiKey: String(f.get('apiKey') ?? ''), secret: String(f.get('secret') ?? '') })
      if (res.ok) return onDone(res.data)
      setErrors(res.fieldErrors)
      setFormError(res.formError)
    })
  }

  const prefix = `replace-${account.id}`
  const other = Object.entries(errors).filter(([f]) => f !== 'apiKey' && f !== 'secret').map(([f, m]) => `${f}: ${m}`)
  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Replace keys of ${account.name}`} className="space-y-2 rounded border border-neutral-800 p-2">
      <p className="text-xs text-neutral-400">The new keys are tested before they replace the old ones.</p>
      <div className="grid gap-2 sm:grid-cols-2">
        <TextField id={`${prefix}-key`} name="apiKey" label="New API key" autoComplete="off" spellCheck={false} className="font-mono" error={errors.apiKey} />
        <TextAreaField id={`${prefix}-secret`} name="secret" label="New secret" rows={3} autoComplete="off" spellCheck={false} error={errors.secret} hint={SECRET_HINT} />
      </div>
      <FormError messages={[formError, ...other]} />
      <SubmitButton pending={pending}>Test and save keys</SubmitButton>
    </form>
  )
}

function AddAccountForm({ onAdded }: { onAdded: (a: ExchangeAccountView) => void }) {
  const [pending, startTransition] = useTransition()
  const [exchange, setExchange] = useState('binance')
  const [mode, setMode] = useState('TESTNET')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<{ kind: 'ok' | 'warn'; text: string }>()

  // Coinbase has no test environment: LIVE only (a local test server goes in the base URL).
  const modes = exchange === 'coinbase' ? [{ value: 'LIVE', label: 'LIVE (real money)' }] : [
    { value: 'TESTNET', label: 'TESTNET (the exchange’s test environment)' },
    { value: 'LIVE', label: 'LIVE (real money)' },
  ]
  const chosenMode = modes.some((m) => m.value === mode) ? mode : modes[0].value

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    const input: Record<string, unknown> = {
      name: String(f.get('name') ?? ''),
      exchange,
      mode: chosenMode,
      apiKey: String(f.get('apiKey') ?? ''),
      secret: String(f.get('secret') ?? ''),
      baseUrl: String(f.get('baseUrl') ?? ''),
      confirmLive: f.get('confirmLive') === 'on',
    }
    const quote = String(f.get('quoteCurrency') ?? '').trim()
    if (quote) input.quoteCurrency = quote
    setDone(undefined)
    startTransition(async () => {
      const res = await createExchangeAccountAction(input)
      if (!res.ok) {
        setErrors(res.fieldErrors)
        setFormError(res.formError)
        return
      }
      setErrors({})
      setFormError(undefined)
      form.reset()
      setMode('TESTNET')
      setExchange('binance')
      const a = res.data
      setDone(a.verified ? { kind: 'ok', text: `Added “${a.name}”: the keys work and can trade.` } : { kind: 'warn', text: `Added “${a.name}”, not verified: ${a.verifyError}` })
      onAdded(a)
    })
  }

  const placed = new Set(['name', 'exchange', 'mode', 'apiKey', 'secret', 'baseUrl', 'quoteCurrency', 'confirmLive'])
  const other = Object.entries(errors).filter(([f]) => !placed.has(f)).map(([f, m]) => `${f}: ${m}`)
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add exchange account" className="space-y-3 rounded border border-neutral-800 p-3">
      <h3 className="text-xs font-semibold uppercase tracking-wider text-neutral-400">Add an exchange account</h3>
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField id="xa-exchange" label="Exchange" value={exchange} onChange={(e) => setExchange(e.target.value)} options={EXCHANGES} error={errors.exchange} />
        <TextField id="xa-name" name="name" label="Name" maxLength={60} autoComplete="off" error={errors.name} placeholder="e.g. Binance main" />
        <SelectField id="xa-mode" label="Mode" value={chosenMode} onChange={(e) => setMode(e.target.value)} options={modes} error={errors.mode} hint={exchange === 'coinbase' ? 'Coinbase has no test environment.' : undefined} />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField id="xa-key" name="apiKey" label="API key" autoComplete="off" spellCheck={false} className="font-mono" error={errors.apiKey} />
        <TextAreaField id="xa-secret" name="secret" label="Secret" rows={3} autoComplete="off" spellCheck={false} error={errors.secret} hint={SECRET_HINT} />
      </div>
      <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
        <TextField
          id="xa-base-url"
          name="baseUrl"
          label="Base URL (optional)"
          type="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://…"
          error={errors.baseUrl}
          hint="Replaces the exchange’s REST host, keeping its paths (a gateway or a local test server). Leave empty for the exchange’s own."
        />
        <TextField id="xa-quote" name="quoteCurrency" label="Quote currency" autoComplete="off" className="uppercase" placeholder={DEFAULT_QUOTE[exchange]} error={errors.quoteCurrency} hint={`Default ${DEFAULT_QUOTE[exchange]}.`} />
      </div>
      {chosenMode === 'LIVE' ? (
        <div className="space-y-1 rounded border border-red-900 bg-red-950/30 p-2">
          <label htmlFor="xa-confirm-live" className="flex items-start gap-2 text-sm text-red-200">
            <input id="xa-confirm-live" name="confirmLive" type="checkbox" required aria-invalid={errors.confirmLive ? true : undefined} aria-describedby={noteId('xa-confirm-live', errors.confirmLive)} className="mt-0.5 accent-red-500" />
            I understand that traders on this account trade real money.
          </label>
          <FieldNote id="xa-confirm-live" error={errors.confirmLive} />
        </div>
      ) : null}
      <FormError messages={[formError, ...other]} />
      {done ? (
        <p role="status" className={`text-xs ${done.kind === 'ok' ? 'text-emerald-400' : 'text-amber-300'}`}>
          {done.text}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Test keys and add account</SubmitButton>
    </form>
  )
}
