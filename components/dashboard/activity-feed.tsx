'use client'

import Link from 'next/link'
import { SoftBreaks } from '@/components/ui/soft-breaks'
import { SeverityMark, severityRowTone } from '@/components/notifications/severity'
import { useLiveEvents } from '@/components/live/use-live-events'
import type { DashboardData } from '@/lib/server/ui/load-dashboard'
import { formatTimestamp } from '@/lib/ui/time-format'

/** The newest activity, live: `activity` and `position` events refetch the dashboard. */
export function ActivityFeed({ items }: { items: DashboardData['activity'] }) {
  useLiveEvents()
  return (
    <ol className="max-h-96 space-y-1 overflow-y-auto text-xs" aria-label="Recent activity">
      {items.map((a) => (
        <li key={a.id} data-severity={a.severity} className={`grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 gap-y-0.5 border-b sm:grid-cols-[9.5rem_11rem_1fr] sm:gap-2 border-neutral-900 py-1 ${severityRowTone(a.severity)}`}>
          <time dateTime={a.at} className="whitespace-nowrap font-mono text-neutral-500">
            {formatTimestamp(a.at)}
          </time>
          <span className="flex min-w-0 items-start gap-1">
            <SeverityMark severity={a.severity} />
            {/* Long types (NOTIFICATION_SETTINGS_CHANGED) wrap after an underscore rather than being cut off. */}
            <span className="min-w-0 font-mono text-neutral-400">
              <SoftBreaks text={a.type} />
            </span>
          </span>
          {/* On a phone the message takes its own full-width line under the time and type. */}
          <span className="col-span-2 break-words text-neutral-200 sm:col-span-1">
            {a.message}
            {a.positionId ? (
              <>
                {' '}
                <Link href={`/positions/${a.positionId}`} className="text-emerald-400 hover:underline">
                  view
                </Link>
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ol>
  )
}
