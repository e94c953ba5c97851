'use client'

import { th, td } from '@/components/positions/positions-table'
import { EmptyState } from '@/components/ui/panel'
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
            <th className={`${th} text-right`}>Current</th>
            <th className={`${th} text-right`}>Allowed</th>
            <th className={th}>Message</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} className="border-t border-neutral-800">
              <td className={`${td} whitespace-nowrap font-mono text-xs`}>{formatTimestamp(e.createdAt)}</td>
              <td className={td}>
                <span title={e.limit}>{labelOf(e.limit)}</span> {e.tripped ? <StatusBadge value="TRIPPED" title="A circuit breaker tripped and paused trading" /> : null}
              </td>
              <td className={`${td} text-right font-mono`}>{e.currentValue}</td>
              <td className={`${td} text-right font-mono`}>{e.allowedValue}</td>
              <td className="px-2 py-1.5 align-top text-xs text-neutral-300">{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
