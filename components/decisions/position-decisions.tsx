import { Fragment } from 'react'
import { td, th } from '@/components/positions/positions-table'
import { EmptyState } from '@/components/ui/panel'
import { LAPTOP_ONLY } from '@/components/ui/phone-row'
import type { DecisionView } from '@/lib/server/decisions/list-decisions'
import { formatTimestamp } from '@/lib/ui/time-format'
import { ActionBadge, DecisionDetailsLink, DecisionError, DecisionPhoneRow, ExecutedList, LatencyCell, OutcomeBadge, RawLinkCell, Reasoning } from './decision-parts'
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
            <th className={`${th} ${LAPTOP_ONLY}`}>Outcome</th>
            <th className={`${th} ${LAPTOP_ONLY}`}>Validation</th>
            <th className={`${th} ${LAPTOP_ONLY}`}>Executed</th>
            <th className={`${th} ${LAPTOP_ONLY}`}>Latency</th>
            <th className={`${th} ${LAPTOP_ONLY}`}>
              <span className="sr-only">Raw</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((d) => (
            <Fragment key={d.id}>
              <tr className="border-t border-neutral-800 align-top" data-decision-id={d.id}>
                <td className={`${td} font-mono text-xs text-neutral-400`}>
                  {formatTimestamp(d.createdAt)}
                  <div className="text-[10px] text-neutral-600">{d.provider.replace(/_/g, ' ').toLowerCase()}</div>
                </td>
                <td className="px-2 py-1.5 align-top xl:min-w-[14rem] xl:max-w-[22rem]">
                  <div className="flex flex-wrap items-center gap-2">
                    <ActionBadge action={d.action} />
                    <span className="font-mono text-xs text-neutral-300" title="Confidence">
                      {d.confidence ?? '—'}
                    </span>
                    {/* Below a laptop's width there are no outcome or raw columns. */}
                    <span className="xl:hidden">
                      <OutcomeBadge outcome={d.outcome} />
                    </span>
                    <DecisionDetailsLink d={d} className="xl:hidden" />
                  </div>
                  <div className="hidden xl:block">
                    <Reasoning d={d} />
                  </div>
                </td>
                <td className={`${LAPTOP_ONLY} max-w-[14rem] px-2 py-1.5 align-top`}>
                  <OutcomeBadge outcome={d.outcome} />
                  <DecisionError d={d} />
                </td>
                <td className={`${LAPTOP_ONLY} min-w-[14rem] px-2 py-1.5 align-top`}>
                  <ValidationList validation={d.validation} show="constraints" />
                </td>
                <td className={`${LAPTOP_ONLY} min-w-[12rem] px-2 py-1.5 align-top`}>
                  <ExecutedList executed={d.executed} />
                </td>
                <LatencyCell d={d} />
                <RawLinkCell d={d} />
              </tr>
              <DecisionPhoneRow d={d} />
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}
