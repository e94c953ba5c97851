import Link from 'next/link'
import { td, th } from '@/components/positions/positions-table'
import { EmptyState } from '@/components/ui/panel'
import type { DecisionView } from '@/lib/server/decisions/list-decisions'
import { formatTimestamp } from '@/lib/ui/time-format'
import { ActionBadge, ExecutedList, formatMs, OutcomeBadge } from './decision-parts'
import { ValidationList } from './validation-list'

/** The decisions taken about one position, newest first (kept live with the position's query). */
export function PositionDecisions({ decisions }: { decisions: DecisionView[] }) {
  if (decisions.length === 0) return <EmptyState>No decision has been recorded for this position (it was opened and managed by hand or by rules only).</EmptyState>
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label="Position decisions">
        <thead>
          <tr>
            <th className={th}>Time</th>
            <th className={th}>Decision</th>
            <th className={th}>Outcome</th>
            <th className={th}>Validation</th>
            <th className={th}>Executed</th>
            <th className={th}>Latency</th>
            <th className={th}>
              <span className="sr-only">Raw</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((d) => (
            <tr key={d.id} className="border-t border-neutral-800 align-top" data-decision-id={d.id}>
              <td className={`${td} font-mono text-xs text-neutral-400`}>
                {formatTimestamp(d.createdAt)}
                <div className="text-[10px] text-neutral-600">{d.provider.replace(/_/g, ' ').toLowerCase()}</div>
              </td>
              <td className="min-w-[14rem] max-w-[22rem] px-2 py-1.5 align-top">
                <div className="flex items-center gap-2">
                  <ActionBadge action={d.action} />
                  <span className="font-mono text-xs text-neutral-300" title="Confidence">
                    {d.confidence ?? '—'}
                  </span>
                </div>
                {d.reasoning ? <p className="mt-1 line-clamp-3 whitespace-pre-wrap text-xs text-neutral-400" title={d.reasoning}>{d.reasoning}</p> : null}
              </td>
              <td className="max-w-[14rem] px-2 py-1.5 align-top">
                <OutcomeBadge outcome={d.outcome} />
                {d.error ? <p className="mt-1 text-xs text-red-300">{d.error}</p> : null}
              </td>
              <td className="min-w-[14rem] px-2 py-1.5 align-top">
                <ValidationList validation={d.validation} show="constraints" />
              </td>
              <td className="min-w-[12rem] px-2 py-1.5 align-top">
                <ExecutedList executed={d.executed} />
              </td>
              <td className={`${td} font-mono text-xs text-neutral-400`}>
                {formatMs(d.latencyMs)}
                <div className="text-[10px] text-neutral-600">model {formatMs(d.modelLatencyMs)}</div>
              </td>
              <td className={td}>
                <Link href={`/decisions/${d.id}`} className="text-xs text-emerald-400 hover:underline">
                  Raw prompt and response
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
