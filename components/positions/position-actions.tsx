'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useState, useTransition, type FormEvent } from 'react'
import { cancelEntryAction, closePositionAction, modifyProtectionAction } from '@/app/(app)/positions/actions'
import { queryKeys } from '@/components/live/use-live-events'
import { isTakeProfitField, TakeProfitEditor } from '@/components/positions/take-profit-editor'
import { DecimalField, FormError, SubmitButton } from '@/components/ui/fields'
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
  const [pending, startTransition] = useTransition()
  const [share, setShare] = useState('100')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    setDone(undefined)
    startTransition(async () => {
      const res = await closePositionAction(positionId, { sharePct: share.trim() })
      if (res.ok) {
        setErrors({})
        setFormError(undefined)
        setDone(res.data ? 'Close order sent.' : 'Nothing to close.')
        void qc.invalidateQueries({ queryKey: queryKeys.position(positionId) })
        return
      }
      setErrors(res.fieldErrors)
      setFormError(res.formError)
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
  const [pending, startTransition] = useTransition()
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
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [done, setDone] = useState<string>()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    setDone(undefined)
    const { takeProfits, indexMap } = takeProfitsFromRows(tps)
    const input: { stopLoss?: string; takeProfits?: TakeProfitRow[] } = {}
    if (stopLoss.trim() !== (position.stopLoss ?? '')) input.stopLoss = stopLoss.trim()
    if (!sameTakeProfits(takeProfits, activeLevels(position))) input.takeProfits = takeProfits
    if (input.stopLoss === undefined && input.takeProfits === undefined) {
      setErrors({})
      setFormError('Nothing changed: edit the stop loss or the take-profits first.')
      return
    }
    startTransition(async () => {
      const res = await modifyProtectionAction(position.id, input)
      if (res.ok) {
        setErrors({})
        setFormError(undefined)
        setDone('Protection saved.')
        void qc.invalidateQueries({ queryKey: queryKeys.position(position.id) })
        return
      }
      setErrors(remapTakeProfitErrors(res.fieldErrors, indexMap))
      setFormError(res.formError)
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
  const [pending, startTransition] = useTransition()
  const [formError, setFormError] = useState<string>()
  return (
    <div className="space-y-2">
      <FormError messages={[formError]} />
      <SubmitButton
        type="button"
        tone="secondary"
        pending={pending}
        className="w-full"
        onClick={() =>
          startTransition(async () => {
            const res = await cancelEntryAction(positionId)
            setFormError(res.ok ? undefined : (res.formError ?? Object.values(res.fieldErrors)[0]))
            void qc.invalidateQueries({ queryKey: queryKeys.position(positionId) })
          })
        }
      >
        Cancel entry
      </SubmitButton>
    </div>
  )
}
