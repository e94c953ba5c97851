'use client'

import { useState, useTransition } from 'react'
import { updateSignalSettingsAction } from '@/app/(app)/traders/[id]/signals/actions'
import { DecimalField, FormError, SubmitButton, TextField } from '@/components/ui/fields'
import type { StoredSignalSettings } from '@/lib/server/signals/signal-settings'

type Values = { [K in Exclude<keyof StoredSignalSettings, 'tradingViewAddressesOnly'>]: string } & { tradingViewAddressesOnly: boolean }
const asValues = (s: StoredSignalSettings): Values => ({
  tradingViewAddressesOnly: s.tradingViewAddressesOnly,
  maxLagSeconds: String(s.maxLagSeconds),
  maxPriceDeviationPct: s.maxPriceDeviationPct,
  duplicateWindowSeconds: String(s.duplicateWindowSeconds),
  defaultStopPct: s.defaultStopPct,
  defaultSizeQuote: s.defaultSizeQuote ?? '',
})

/** Max lag, max price deviation, duplicate window, default stop and size of the trader's signals. */
export function SignalSettingsForm({ traderId, quote, initial }: { traderId: string; quote: string; initial: StoredSignalSettings }) {
  const [values, setValues] = useState(asValues(initial))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [saved, setSaved] = useState(false)
  const [pending, startTransition] = useTransition()
  const set = (k: Exclude<keyof Values, 'tradingViewAddressesOnly'>) => (e: { target: { value: string } }) => {
    setSaved(false)
    setValues((v) => ({ ...v, [k]: e.target.value }))
  }
  const err = (k: keyof Values) => errors[`signals.${k}`]

  return (
    <form
      aria-label="Signal settings"
      className="grid gap-3 sm:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault()
        setErrors({})
        setFormError(undefined)
        startTransition(async () => {
          const res = await updateSignalSettingsAction(traderId, { ...values, defaultSizeQuote: values.defaultSizeQuote.trim() || null })
          if (!res.ok) {
            setErrors(res.fieldErrors)
            setFormError(res.formError)
            return
          }
          setValues(asValues(res.data.settings))
          setSaved(true)
        })
      }}
    >
      <TextField id="sig-max-lag" label="Max lag (seconds)" inputMode="numeric" value={values.maxLagSeconds} onChange={set('maxLagSeconds')} error={err('maxLagSeconds')} hint="Older signals are refused (1–3600; TradingView's {{timenow}} is to the second)." />
      <DecimalField id="sig-max-dev" label="Max price deviation (%)" value={values.maxPriceDeviationPct} onChange={set('maxPriceDeviationPct')} error={err('maxPriceDeviationPct')} hint="An entry whose price is further from the market is refused." />
      <TextField id="sig-dup-window" label="Duplicate window (seconds)" inputMode="numeric" value={values.duplicateWindowSeconds} onChange={set('duplicateWindowSeconds')} error={err('duplicateWindowSeconds')} hint="Without an id, the same fields within this window are a repeat (0: off)." />
      <DecimalField id="sig-stop" label="Default stop (%)" value={values.defaultStopPct} onChange={set('defaultStopPct')} error={err('defaultStopPct')} hint="For entries whose signal has no stop_loss." />
      <DecimalField id="sig-size" label={`Default size (${quote})`} value={values.defaultSizeQuote} onChange={set('defaultSizeQuote')} error={err('defaultSizeQuote')} hint="For entries without size or contracts; empty: the trader's sizing settings." />
      <div className="space-y-1 sm:col-span-2">
        <label className="inline-flex items-center gap-2 text-sm text-neutral-300">
          <input
            type="checkbox"
            className="accent-emerald-500"
            checked={values.tradingViewAddressesOnly}
            onChange={(e) => {
              setSaved(false)
              setValues((v) => ({ ...v, tradingViewAddressesOnly: e.target.checked }))
            }}
          />
          Only TradingView&apos;s addresses
        </label>
        <p className="text-xs text-neutral-500">Refuse (403) any request not sent from TradingView&apos;s published webhook addresses. Behind a reverse proxy, it must append the client address to X-Forwarded-For.</p>
        {err('tradingViewAddressesOnly') ? <p className="text-xs text-red-400">{err('tradingViewAddressesOnly')}</p> : null}
      </div>
      <div className="flex items-end gap-3 sm:col-span-2">
        <SubmitButton pending={pending}>Save signal settings</SubmitButton>
        {saved ? (
          <span role="status" className="text-xs text-emerald-400">
            Saved
          </span>
        ) : null}
      </div>
      <div className="sm:col-span-2">
        <FormError messages={[formError]} />
      </div>
    </form>
  )
}
