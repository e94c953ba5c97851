'use client'

import Link from 'next/link'
import { useState, useTransition, type FormEvent, type ReactNode } from 'react'
import { approveApprovalAction, rejectApprovalAction, type DecideResult } from '@/app/(app)/approvals/actions'
import { ValidationList } from '@/components/decisions/validation-list'
import { useQuote } from '@/components/live/quote-store'
import { isTakeProfitField, TakeProfitEditor } from '@/components/positions/take-profit-editor'
import { DecimalField, SubmitButton } from '@/components/ui/fields'
import { StatusBadge } from '@/components/ui/status-badge'
import { dec } from '@/lib/domain/decimal'
import type { ApprovalView } from '@/lib/server/approvals/list-approvals'
import { formatDecimal, formatPercent } from '@/lib/ui/decimal-format'
import { sameTakeProfits, takeProfitsFromRows, remapTakeProfitErrors, unplacedErrors, type TakeProfitRow } from '@/lib/ui/take-profit-rows'
import { formatTimestamp } from '@/lib/ui/time-format'

export interface ItemMessage {
  kind: 'error' | 'success'
  /** "Approval BTC/USDT ENTRY" */
  label: string
  text: string
}

/** "4 min 05 s", "1 h 02 min", or "expired". */
export function formatTimeLeft(ms: number): string {
  if (ms <= 0) return 'expired'
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`
  return `${sec} s`
}

/** Mid-price change from the decision to now, in percent; null when either is missing. */
function midChangePct(then: { bid: string; ask: string } | null, now: { bid: string; ask: string } | null): string | null {
  if (!then || !now) return null
  try {
    const a = dec(then.bid).plus(then.ask).div(2)
    const b = dec(now.bid).plus(now.ask).div(2)
    return a.isZero() ? null : b.minus(a).div(a).mul(100).toFixed()
  } catch {
    return null
  }
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] uppercase tracking-wider text-neutral-500">{label}</dt>
      <dd className="font-mono text-sm tabular-nums text-neutral-100">{children}</dd>
    </div>
  )
}

function failureText(r: Extract<DecideResult, { ok: false }>): string {
  const fields = Object.entries(r.fieldErrors).filter(([f]) => f !== 'approval')
  // A now-invalid request's message already lists every reason; field errors of edits get named.
  return fields.length && r.code === 'VALIDATION' && !r.message.startsWith('cannot approve') ? fields.map(([f, m]) => `${f}: ${m}`).join('; ') : r.message
}

/** One request waiting for a person: everything needed to decide, and the three ways to answer. */
export function ApprovalCard({ approval: a, now, message, onResult }: { approval: ApprovalView; now: number | null; message?: ItemMessage; onResult: (m: ItemMessage) => void }) {
  const label = `Approval ${a.symbol} ${a.kind}`
  const live = useQuote(a.symbol)
  const current = live ? { bid: live.bid, ask: live.ask } : a.currentPrice
  const change = midChangePct(a.priceAtDecision, current)
  const leftMs = now === null ? null : new Date(a.expiresAt).getTime() - now
  const expired = leftMs !== null && leftMs <= 0
  const [pending, startTransition] = useTransition()
  const [editing, setEditing] = useState(false)
  const [note, setNote] = useState('')
  const [editErrors, setEditErrors] = useState<Record<string, string>>({})
  const r = a.request
  const editable = a.kind !== 'EXIT'

  function settle(res: DecideResult, verb: string) {
    if (res.ok) {
      setEditErrors({})
      setEditing(false)
      onResult({ kind: 'success', label, text: res.status === 'APPROVED' ? `approved${res.summary ? `: ${res.summary}` : ''}` : `${verb}.` })
      return
    }
    onResult({ kind: 'error', label, text: failureText(res) })
    return res
  }

  const approve = () => startTransition(async () => void settle(await approveApprovalAction(a.id, {}), 'approved'))
  const reject = () => startTransition(async () => void settle(await rejectApprovalAction(a.id, { note: note.trim() }), 'rejected'))

  return (
    <article aria-label={label} data-approval-id={a.id} className={`rounded-lg border p-3 ${message?.kind === 'error' ? 'border-red-800' : 'border-neutral-800'} bg-neutral-950/40`}>
      <header className="mb-2 flex flex-wrap items-center gap-2">
        <h3 className="text-base font-semibold">{a.symbol}</h3>
        <StatusBadge value={a.kind} />
        {a.action ? <StatusBadge value={a.action} /> : null}
        <span className="text-xs text-neutral-400">
          {a.traderName} · confidence <span className="font-mono text-neutral-200">{a.confidence ?? '—'}</span>
        </span>
        <span className={`ml-auto text-xs ${expired ? 'text-red-400' : leftMs !== null && leftMs < 60_000 ? 'text-amber-300' : 'text-neutral-400'}`} data-testid="time-left">
          {leftMs === null ? `expires ${formatTimestamp(a.expiresAt)}` : expired ? 'Expired' : `${formatTimeLeft(leftMs)} left`}
        </span>
      </header>

      <p className="mb-1 text-sm text-neutral-200" data-testid="approval-step">
        {a.step || `${a.kind} ${a.symbol}`}
      </p>
      {a.reasoning ? <p className="mb-3 whitespace-pre-wrap text-xs text-neutral-400">“{a.reasoning}”</p> : null}

      <div className="grid gap-3 md:grid-cols-2">
        <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {a.kind === 'ENTRY' ? (
            <>
              <Row label="Side">{r.side ?? '—'}</Row>
              <Row label="Entry">{r.entryType === 'LIMIT' ? `limit ${formatDecimal(r.limitPrice)}` : 'market'}</Row>
              <Row label="Size">{formatDecimal(r.qty)}</Row>
            </>
          ) : null}
          {a.kind === 'EXIT' ? <Row label="Close">{r.full ? 'all' : `${formatDecimal(r.sharePct)}%`}</Row> : null}
          {a.kind !== 'EXIT' ? (
            <>
              <Row label="Stop loss">{r.stopLoss ? formatDecimal(r.stopLoss) : a.kind === 'MODIFY' ? 'unchanged' : '—'}</Row>
              <Row label="Take-profits">
                {r.takeProfits === null ? 'unchanged' : r.takeProfits.length === 0 ? 'none' : r.takeProfits.map((t) => `${formatDecimal(t.price)} (${formatDecimal(t.sharePct)}%)`).join(', ')}
              </Row>
            </>
          ) : null}
          <Row label="Price at decision">{a.priceAtDecision ? `${formatDecimal(a.priceAtDecision.bid)} / ${formatDecimal(a.priceAtDecision.ask)}` : '—'}</Row>
          <Row label="Current price">
            <span data-testid="current-price">{current ? `${formatDecimal(current.bid)} / ${formatDecimal(current.ask)}` : '—'}</span>
            {change !== null ? <span className="ml-1 text-xs text-neutral-400">({formatPercent(change)})</span> : null}
          </Row>
          {a.positionId ? (
            <Row label="Position">
              <Link href={`/positions/${a.positionId}`} className="text-emerald-400 hover:underline">
                open
              </Link>
            </Row>
          ) : null}
        </dl>
        <div>
          <h4 className="mb-1 text-[11px] uppercase tracking-wider text-neutral-500">Validation at decision</h4>
          <ValidationList validation={a.validation} />
        </div>
      </div>

      {message ? (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={`mt-3 rounded border px-3 py-2 text-sm ${message.kind === 'error' ? 'border-red-900 bg-red-950/60 text-red-200' : 'border-emerald-900 bg-emerald-950/40 text-emerald-200'}`}>
          {message.text}
        </p>
      ) : null}

      {editing && editable ? (
        <EditForm approval={a} errors={editErrors} pending={pending} onCancel={() => setEditing(false)} onSubmit={(input) =>
          startTransition(async () => {
            const res = settle(await approveApprovalAction(a.id, input.body), 'approved')
            if (res) setEditErrors(remapTakeProfitErrors(res.fieldErrors, input.indexMap))
          })
        } />
      ) : null}

      <div className="mt-3 flex flex-wrap items-end gap-2">
        <SubmitButton type="button" pending={pending} disabled={expired} onClick={approve}>
          Approve
        </SubmitButton>
        {editable && !editing ? (
          <SubmitButton type="button" tone="secondary" disabled={pending || expired} onClick={() => setEditing(true)}>
            Edit and approve
          </SubmitButton>
        ) : null}
        <div className="ml-auto flex min-w-[16rem] flex-1 items-end gap-2 sm:max-w-md">
          <div className="flex-1 space-y-1">
            <label htmlFor={`reject-note-${a.id}`} className="block text-xs font-medium text-neutral-400">
              Rejection note
            </label>
            <textarea
              id={`reject-note-${a.id}`}
              rows={1}
              maxLength={500}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="Optional: why not"
              className="block w-full rounded border border-neutral-700 bg-neutral-950 px-2 py-1.5 text-sm text-neutral-100 placeholder-neutral-600 focus:outline-none focus:ring-2 focus:ring-emerald-500/50"
            />
          </div>
          <SubmitButton type="button" tone="danger" pending={pending} onClick={reject}>
            Reject
          </SubmitButton>
        </div>
      </div>
    </article>
  )
}

/** Size, stop and targets of an entry (stop and targets of a modification), approved with the changes. */
function EditForm({
  approval: a,
  errors,
  pending,
  onCancel,
  onSubmit,
}: {
  approval: ApprovalView
  errors: Record<string, string>
  pending: boolean
  onCancel: () => void
  onSubmit: (input: { body: Record<string, unknown>; indexMap: number[] }) => void
}) {
  const r = a.request
  const proposedTps: TakeProfitRow[] = (r.takeProfits ?? []).map((t) => ({ price: t.price, sharePct: t.sharePct }))
  const [qty, setQty] = useState(r.qty ?? '')
  const [stopLoss, setStopLoss] = useState(r.stopLoss ?? '')
  const [tps, setTps] = useState<TakeProfitRow[]>(proposedTps)
  const [note, setNote] = useState('')
  const idPrefix = `edit-${a.id}`

  function submit(e: FormEvent) {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    // Only what changed is sent: everything else stays as proposed.
    if (a.kind === 'ENTRY' && qty.trim() !== (r.qty ?? '')) body.qty = qty.trim()
    if (stopLoss.trim() !== (r.stopLoss ?? '')) body.stopLoss = stopLoss.trim()
    const { takeProfits, indexMap } = takeProfitsFromRows(tps)
    if (!sameTakeProfits(takeProfits, proposedTps)) body.takeProfits = takeProfits
    if (note.trim()) body.note = note.trim()
    onSubmit({ body, indexMap })
  }

  const placed = (f: string) => f === 'qty' || f === 'stopLoss' || f === 'note' || isTakeProfitField(f)
  const other = unplacedErrors(errors, placed).filter((m) => !m.startsWith('approval:'))

  return (
    <form onSubmit={submit} noValidate aria-label={`Edit ${a.symbol} ${a.kind}`} className="mt-3 space-y-3 rounded border border-neutral-800 p-3">
      <div className="grid gap-2 sm:grid-cols-2">
        {a.kind === 'ENTRY' ? <DecimalField id={`${idPrefix}-qty`} label="Quantity" value={qty} onChange={(e) => setQty(e.target.value)} error={errors.qty} hint={`Proposed ${r.qty ?? '—'}`} /> : null}
        <DecimalField
          id={`${idPrefix}-sl`}
          label="Stop loss"
          value={stopLoss}
          onChange={(e) => setStopLoss(e.target.value)}
          error={errors.stopLoss}
          hint={r.stopLoss ? `Proposed ${r.stopLoss}` : 'Leave empty to keep the current stop'}
        />
      </div>
      <TakeProfitEditor idPrefix={idPrefix} rows={tps} onChange={setTps} errors={errors} disabled={pending} />
      <div className="space-y-1">
        <label htmlFor={`${idPrefix}-note`} className="block text-xs font-medium text-neutral-400">
          Approval note
        </label>
        <input
          id={`${idPrefix}-note`}
          value={note}
          maxLength={500}
          onChange={(e) => setNote(e.target.value)}
          placeholder="Optional"
          className="block w-full rounded border border-neutral-700 bg-neutral-950 px-2 py-1.5 text-sm text-neutral-100"
        />
        {errors.note ? <p className="text-xs text-red-400">{errors.note}</p> : null}
      </div>
      {other.length ? (
        <p className="text-xs text-red-400" role="alert">
          {other.join('; ')}
        </p>
      ) : null}
      <div className="flex gap-2">
        <SubmitButton pending={pending}>Approve with changes</SubmitButton>
        <SubmitButton type="button" tone="secondary" onClick={onCancel} disabled={pending}>
          Cancel edit
        </SubmitButton>
      </div>
    </form>
  )
}
