'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { cancelEntryAction, closePositionAction, modifyProtectionAction } from '@/app/(app)/positions/actions'
import { queryKeys } from '@/components/live/use-live-events'
import { isTakeProfitField, TakeProfitEditor } from '@/components/positions/take-profit-editor'
import { DecimalField, FormError, SubmitButton } from '@/components/ui/fields'
import { useActionForm } from '@/components/ui/use-action-form'
import type { PositionView } from '@/lib/server/positions/position-views'
import { remapTakeProfitErrors, sameTakeProfits, takeProfitsFromRows, unplacedErrors, type TakeProfitRow } from '@/lib/ui/take-profit-rows'

function Notice({ children }: { children: string }) {
  return (
    <p role="status" className="text-xs text-emerald-400">
      {children}
    </p>
  )
}

/** Close all (100) or a share of the position at market. */
export function ClosePositionForm({ positionId, busy }: { positionId: string; busy?: boolean }) {
  const qc = useQueryClient()
  const [share, setShare] = useState('100')
  const { pending, fieldErrors: errors, formError, done, submit } = useActionForm()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    submit(() => closePositionAction(positionId, { sharePct: share.trim() }), {
      onSuccess: (sent) => {
        void qc.invalidateQueries({ queryKey: queryKeys.position(positionId) })
        if (sent && 'dust' in sent) return `Closed with nothing sold: ${sent.dust}. The coins stay in the account.`
        return sent ? 'Close order sent.' : 'Nothing to close.'
      },
    })
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Close position" className="space-y-2">
      <DecimalField
        id="close-share"
        label="Close share %"
        value={share}
        onChange={(e) => setShare(e.target.value)}
        error={errors.sharePct}
        hint="100 closes everything; less closes that share of the open quantity at market."
      />
      <div className="flex gap-2">
        <button type="button" onClick={() => setShare('100')} className="rounded border border-neutral-700 px-2 py-1 text-xs text-neutral-300 hover:border-neutral-500">
          Full
        </button>
        <button type="button" onClick={() => setShare('50')} className="rounded border border-neutral-700 px-2 py-1 text-xs text-neutral-300 hover:border-neutral-500">
          Half
        </button>
      </div>
      <FormError messages={[formError, ...unplacedErrors(errors, (f) => f === 'sharePct')]} />
      {done ? <Notice>{done}</Notice> : null}
      {busy ? <p className="text-xs text-amber-300">An exit order is working; wait for it to fill.</p> : null}
      <SubmitButton pending={pending} disabled={busy} tone="danger" className="w-full">
        Close position
      </SubmitButton>
    </form>
  )
}

function activeLevels(p: PositionView): TakeProfitRow[] {
  return p.takeProfits.filter((t) => t.status === 'ACTIVE').map((t) => ({ price: t.price, sharePct: t.sharePct }))
}

/** Moves the stop and/or replaces the active take-profits; only what changed is sent. */
export function ModifyProtectionForm({ position, disabled }: { position: PositionView; disabled?: boolean }) {
  const qc = useQueryClient()
  const [stopLoss, setStopLoss] = useState(position.stopLoss ?? '')
  const [tps, setTps] = useState<TakeProfitRow[]>(() => activeLevels(position))
  // When the stored levels change (a save, a filled take-profit, the worker), start again from them.
  const stored = `${position.stopLoss}|${position.takeProfits.map((t) => `${t.id}:${t.status}`).join(',')}`
  const [seen, setSeen] = useState(stored)
  if (stored !== seen) {
    setSeen(stored)
    setStopLoss(position.stopLoss ?? '')
    setTps(activeLevels(position))
  }
  const { pending, fieldErrors: errors, formError, done, submit, reject } = useActionForm()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    const { takeProfits, indexMap } = takeProfitsFromRows(tps)
    const input: { stopLoss?: string; takeProfits?: TakeProfitRow[] } = {}
    if (stopLoss.trim() !== (position.stopLoss ?? '')) input.stopLoss = stopLoss.trim()
    if (!sameTakeProfits(takeProfits, activeLevels(position))) input.takeProfits = takeProfits
    if (input.stopLoss === undefined && input.takeProfits === undefined) {
      return reject({ formError: 'Nothing changed: edit the stop loss or the take-profits first.' })
    }
    submit(() => modifyProtectionAction(position.id, input), {
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: queryKeys.position(position.id) })
        return 'Protection saved.'
      },
      mapFieldErrors: (fieldErrors) => remapTakeProfitErrors(fieldErrors, indexMap),
    })
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Modify protection" className="space-y-3">
      <DecimalField id="modify-stop-loss" label="Stop loss" value={stopLoss} disabled={disabled} onChange={(e) => setStopLoss(e.target.value)} error={errors.stopLoss} />
      <TakeProfitEditor idPrefix="modify" rows={tps} onChange={setTps} errors={errors} disabled={disabled} />
      <FormError messages={[formError, ...unplacedErrors(errors, (f) => f === 'stopLoss' || isTakeProfitField(f))]} />
      {done ? <Notice>{done}</Notice> : null}
      <SubmitButton pending={pending} disabled={disabled} className="w-full">
        Save protection
      </SubmitButton>
    </form>
  )
}

/** Cancels the resting limit entry; with nothing filled the position ends FAILED. */
export function CancelEntryButton({ positionId }: { positionId: string }) {
  const qc = useQueryClient()
  // A button, not a form: a field error is shown as its error.
  const { pending, firstError, submit } = useActionForm()
  return (
    <div className="space-y-2">
      <FormError messages={[firstError]} />
      <SubmitButton
        type="button"
        tone="secondary"
        pending={pending}
        className="w-full"
        onClick={() =>
          submit(async () => {
            const res = await cancelEntryAction(positionId)
            // Refused or not, the position may have moved on: show what it is now.
            void qc.invalidateQueries({ queryKey: queryKeys.position(positionId) })
            return res
          })
        }
      >
        Cancel entry
      </SubmitButton>
    </div>
  )
}
