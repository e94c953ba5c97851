import Link from 'next/link'
import { td } from '@/components/positions/positions-table'
import { LAPTOP_ONLY, PhoneRow } from '@/components/ui/phone-row'
import { StatusBadge } from '@/components/ui/status-badge'
import type { DecisionView, ExecutedView } from '@/lib/server/decisions/list-decisions'
import { formatDecimal } from '@/lib/ui/decimal-format'
import { ValidationList } from './validation-list'

const OUTCOME_TONES: Record<string, string> = {
  EXECUTING: 'border-sky-700 bg-neutral-900 text-sky-200',
  EXECUTED: 'border-emerald-800 bg-emerald-950 text-emerald-300',
  DRY_RUN: 'border-sky-800 bg-sky-950 text-sky-300',
  PENDING_APPROVAL: 'border-amber-800 bg-amber-950 text-amber-300',
  REJECTED: 'border-red-800 bg-red-950 text-red-300',
  FAILED: 'border-red-700 bg-red-950 text-red-200',
  NO_ACTION: 'border-neutral-700 bg-neutral-900 text-neutral-400',
}

export const OUTCOME_LABELS: Record<string, string> = {
  NO_ACTION: 'No action',
  EXECUTING: 'Executing',
  EXECUTED: 'Executed',
  DRY_RUN: 'Dry run',
  PENDING_APPROVAL: 'Pending approval',
  REJECTED: 'Rejected',
  FAILED: 'Failed',
}

export const ACTION_LABELS: Record<string, string> = {
  NO_TRADE: 'No trade',
  LONG: 'Long',
  SHORT: 'Short',
  WATCH: 'Watch',
  CLOSE: 'Close',
  PARTIAL_TP: 'Partial take-profit',
  INVALID: 'Invalid output',
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const tone = OUTCOME_TONES[outcome] ?? 'border-neutral-700 bg-neutral-900 text-neutral-300'
  return (
    <span data-outcome={outcome} className={`inline-flex items-center whitespace-nowrap rounded border px-1.5 py-px font-mono text-[10px] font-semibold uppercase leading-4 tracking-wide ${tone}`}>
      {outcome.replace(/_/g, ' ')}
    </span>
  )
}

/** The decided action, or a clear mark that the provider's output could not be used. */
export function ActionBadge({ action }: { action: string | null }) {
  if (action === null) {
    return (
      <span data-action="INVALID" className="inline-flex items-center rounded border border-red-800 px-1.5 py-px font-mono text-[10px] font-semibold uppercase leading-4 tracking-wide text-red-300">
        invalid output
      </span>
    )
  }
  return <StatusBadge value={action} />
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`
}

/** Tokens and cost of the model call ("—" for the rules provider, which has neither). */
export function usageText(d: Pick<DecisionView, 'promptTokens' | 'completionTokens' | 'costUsd'>): string {
  const tokens = d.promptTokens + d.completionTokens
  if (tokens === 0 && formatDecimal(d.costUsd) === '0') return '—'
  return `${tokens.toLocaleString('en-US')} tok (${d.promptTokens.toLocaleString('en-US')} in / ${d.completionTokens.toLocaleString('en-US')} out) · $${formatDecimal(d.costUsd, { maxDp: 6, minDp: 2 })}`
}

const STEP_TONES: Record<string, string> = {
  EXECUTED: 'text-emerald-400',
  UNCONFIRMED: 'text-amber-300',
  QUEUED: 'text-amber-300',
  ALREADY_QUEUED: 'text-neutral-400',
  REFUSED: 'text-red-400',
  DRY_RUN: 'text-sky-300',
  PLANNED: 'text-neutral-400',
  FAILED: 'text-red-400',
}

/** What was executed: the sizing and each step with its status. */
export function ExecutedList({ executed }: { executed: ExecutedView | null }) {
  if (!executed || (!executed.sizing && executed.steps.length === 0)) return <span className="text-xs text-neutral-600">Nothing executed.</span>
  return (
    <div className="space-y-1 text-xs">
      {executed.sizing ? (
        <p className="text-neutral-400" title={executed.sizing.explanation ?? undefined}>
          Sized{' '}
          {/* The sizing's own result, before rounding to the market's step: to 8 places here, exact in the title. */}
          <span className="font-mono text-neutral-200" title={formatDecimal(executed.sizing.qty)}>
            {formatDecimal(executed.sizing.qty, { maxDp: 8 })}
          </span>{' '}(≈ {formatDecimal(executed.sizing.notional)})
          {executed.sizing.cappedBy ? <span className="text-amber-300"> capped by {executed.sizing.cappedBy}</span> : null}
        </p>
      ) : null}
      {executed.steps.length ? (
        <ul className="space-y-0.5" aria-label="Executed steps">
          {executed.steps.map((s, i) => (
            <li key={i} data-step-status={s.status}>
              <span className={`font-mono text-[10px] font-semibold ${STEP_TONES[s.status] ?? 'text-neutral-300'}`}>{s.status.replace(/_/g, ' ')}</span> <span className="text-neutral-300">{s.step}</span>
              {s.summary ? <span className="text-neutral-500"> — {s.summary}</span> : null}
              {s.error ? <span className="text-red-300"> — {s.error}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-neutral-600">No steps.</p>
      )}
    </div>
  )
}

/** The model's reasoning, cut to four lines (the whole of it in the title). */
export function Reasoning({ d }: { d: DecisionView }) {
  return d.reasoning ? <p className="mt-1 line-clamp-4 whitespace-pre-wrap text-xs text-neutral-400" title={d.reasoning}>{d.reasoning}</p> : null
}

export function DecisionError({ d }: { d: DecisionView }) {
  return d.error ? <p className="mt-1 text-xs text-red-300">{d.error}</p> : null
}

/**
 * Under a decision's row below a laptop's width: the reasoning, the validation verdict, what was
 * executed, the error, latency and usage, which a laptop shows in the columns to the right.
 */
export function DecisionPhoneRow({ d }: { d: DecisionView }) {
  const usage = usageText(d)
  return (
    <PhoneRow span={2} until="xl" className="space-y-1.5" data-explanation-of={d.id}>
      <Reasoning d={d} />
      <ValidationList validation={d.validation} show="verdict" />
      <ExecutedList executed={d.executed} />
      <DecisionError d={d} />
      <p className="font-mono text-[11px] text-neutral-500">
        {formatMs(d.latencyMs)} (model {formatMs(d.modelLatencyMs)}){usage === '—' ? '' : ` · ${usage}`}
      </p>
    </PhoneRow>
  )
}

/** A decisions table's cell with the whole cycle's latency, and the model's share under it. */
export function LatencyCell({ d }: { d: DecisionView }) {
  return (
    <td className={`${td} ${LAPTOP_ONLY} font-mono text-xs text-neutral-300`}>
      {formatMs(d.latencyMs)}
      <div className="text-[10px] text-neutral-500">model {formatMs(d.modelLatencyMs)}</div>
    </td>
  )
}

/** Below a laptop's width, where the Raw column is hidden: the way to the decision's page. */
export function DecisionDetailsLink({ d, className = '' }: { d: DecisionView; className?: string }) {
  return (
    <Link href={`/decisions/${d.id}`} className={`text-[11px] text-emerald-400 hover:underline ${className}`}>
      details
    </Link>
  )
}

/** A decisions table's cell linking to the decision's page: its raw prompt and response. */
export function RawLinkCell({ d }: { d: DecisionView }) {
  return (
    // The link's words wrap: on one line they were the widest cell of a laptop-wide journal.
    <td className={`${LAPTOP_ONLY} min-w-[5.5rem] px-2 py-1.5 align-top`}>
      <Link href={`/decisions/${d.id}`} className="text-xs text-emerald-400 hover:underline">
        Raw prompt and response
      </Link>
    </td>
  )
}
