'use client'

import { useState, type FormEvent } from 'react'
import { saveNotificationSettingsAction } from '@/app/(app)/settings/actions'
import { FormError, SubmitButton, TextField } from '@/components/ui/fields'
import { useActionForm } from '@/components/ui/use-action-form'

/** The daily summary time ("HH:MM" in the user's zone); empty turns it off. */
export function DailySummaryForm({ dailySummaryAt, timeZone }: { dailySummaryAt: string | null; timeZone: string }) {
  const [at, setAt] = useState(dailySummaryAt ?? '')
  const { pending, fieldErrors, formError, done, submit } = useActionForm({ refreshPage: true })

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    submit(() => saveNotificationSettingsAction({ dailySummaryAt: at.trim() === '' ? null : at.trim() }), {
      onSuccess: (data) => (data.dailySummaryAt ? `Saved: daily at ${data.dailySummaryAt} (${data.timeZone}).` : 'Saved: no daily summary.'),
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
        error={fieldErrors.dailySummaryAt}
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
