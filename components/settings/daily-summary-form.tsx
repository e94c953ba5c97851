'use client'

import { useRouter } from 'next/navigation'
import { useState, useTransition, type FormEvent } from 'react'
import { saveNotificationSettingsAction } from '@/app/(app)/settings/actions'
import { FormError, SubmitButton, TextField } from '@/components/ui/fields'

/** The daily summary time ("HH:MM" in the user's zone); empty turns it off. */
export function DailySummaryForm({ dailySummaryAt, timeZone }: { dailySummaryAt: string | null; timeZone: string }) {
  const router = useRouter()
  const [at, setAt] = useState(dailySummaryAt ?? '')
  const [pending, startTransition] = useTransition()
  const [error, setError] = useState<string>()
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    setDone(undefined)
    startTransition(async () => {
      const res = await saveNotificationSettingsAction({ dailySummaryAt: at.trim() === '' ? null : at.trim() })
      if (res.ok) {
        setError(undefined)
        setFormError(undefined)
        setDone(res.data.dailySummaryAt ? `Saved: daily at ${res.data.dailySummaryAt} (${res.data.timeZone}).` : 'Saved: no daily summary.')
        router.refresh()
        return
      }
      setError(res.fieldErrors.dailySummaryAt)
      setFormError(res.formError)
    })
  }

  return (
    <form onSubmit={onSubmit} aria-label="Daily summary" className="space-y-3">
      <TextField
        id="dailySummaryAt"
        label="Send at (HH:MM)"
        placeholder="08:00"
        value={at}
        onChange={(e) => setAt(e.target.value)}
        error={error}
        hint={`Local time in ${timeZone} (change it under User-wide risk). Leave empty for no summary.`}
        className="w-28"
      />
      <FormError messages={[formError]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Save daily summary</SubmitButton>
    </form>
  )
}
