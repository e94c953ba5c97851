'use client'

import { Fragment } from 'react'
import { th, td } from '@/components/positions/positions-table'
import { EmptyState } from '@/components/ui/panel'
import { PhoneRow, WIDE_ONLY } from '@/components/ui/phone-row'
import { StatusBadge } from '@/components/ui/status-badge'
import { LIMIT_LABELS, type RiskLimitName } from '@/lib/domain/risk/risk-limits'
import type { RiskEventView } from '@/lib/server/traders/trader-settings-view'
import { formatTimestamp } from '@/lib/ui/time-format'

const labelOf = (limit: string) => LIMIT_LABELS[limit as RiskLimitName] ?? limit

/** The trader's latest risk refusals and breaker trips. */
export function RiskEventsTable({ events }: { events: RiskEventView[] }) {
  if (events.length === 0) return <EmptyState>No risk events: no order has been refused by a limit and no breaker has tripped.</EmptyState>
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label="Recent risk events">
        <thead>
          <tr>
            <th className={th}>When (UTC)</th>
            <th className={th}>Limit</th>
            <th className={`${th} ${WIDE_ONLY} text-right`}>Current</th>
            <th className={`${th} ${WIDE_ONLY} text-right`}>Allowed</th>
            <th className={`${th} ${WIDE_ONLY}`}>Message</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <Fragment key={e.id}>
              <tr className="border-t border-neutral-800">
                <td className={`${td} font-mono text-xs`}>{formatTimestamp(e.createdAt)}</td>
                {/* Wraps (td does not): on a phone the time and the limit share the window. */}
                <td className="px-2 py-1.5 align-top">
                  <span title={e.limit}>{labelOf(e.limit)}</span> {e.tripped ? <StatusBadge value="TRIPPED" title="A circuit breaker tripped and paused trading" /> : null}
                </td>
                <td className={`${td} ${WIDE_ONLY} text-right font-mono`}>{e.currentValue}</td>
                <td className={`${td} ${WIDE_ONLY} text-right font-mono`}>{e.allowedValue}</td>
                <td className={`px-2 py-1.5 align-top text-xs text-neutral-300 ${WIDE_ONLY}`}>{e.message}</td>
              </tr>
              {/* On a phone the figures and the message are in a row under the event. */}
              <PhoneRow span={2} className="text-xs text-neutral-300" data-risk-event-of={e.id}>
                <div className="font-mono text-neutral-400">
                  current {e.currentValue} · allowed {e.allowedValue}
                </div>
                <div>{e.message}</div>
              </PhoneRow>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}
