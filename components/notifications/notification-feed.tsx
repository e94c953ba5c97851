'use client'

import { useInfiniteQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { fetchJson } from '@/components/live/fetch-json'
import { LiveIndicator } from '@/components/live/live-indicator'
import { accountQueryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { SubmitButton } from '@/components/ui/fields'
import { EmptyState, Panel } from '@/components/ui/panel'
import type { NotificationItem } from '@/lib/server/notifications/list-notifications'
import { formatTimestamp } from '@/lib/ui/time-format'
import { SeverityMark, severityRowTone } from './severity'

type Page = { notifications: NotificationItem[]; nextCursor: string | null }
const PAGE_SIZE = 30

/** The whole notification feed, newest first, older pages on demand; new items arrive live. */
export function NotificationFeed({ initial }: { initial: Page }) {
  useLiveEvents()
  const q = useInfiniteQuery({
    queryKey: [...accountQueryKeys.notifications, 'feed'],
    queryFn: ({ pageParam }) => fetchJson<Page>(`/api/ui/notifications?limit=${PAGE_SIZE}${pageParam ? `&before=${pageParam}` : ''}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [initial], pageParams: [null] },
  })
  const items = q.data?.pages.flatMap((p) => p.notifications) ?? []

  return (
    <div className="space-y-4">
      <div className="flex items-center gap-3">
        <h1 className="text-lg font-semibold">Notifications</h1>
        <Link href="/settings#notifications" className="text-xs text-emerald-400 hover:underline">
          Webhook channels
        </Link>
        <span className="ml-auto">
          <LiveIndicator />
        </span>
      </div>
      {q.error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load: {q.error.message}
        </p>
      ) : null}
      <Panel title="Feed" actions={<span className="text-xs text-neutral-500">{items.length} shown</span>}>
        {items.length === 0 ? (
          <EmptyState>Nothing yet. Fills, stop changes, approvals, limits and errors appear here as they happen.</EmptyState>
        ) : (
          <ol className="space-y-1 text-sm" aria-label="Notifications">
            {items.map((n) => (
              <li key={n.id} data-severity={n.severity} className={`grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 gap-y-0.5 border-b sm:grid-cols-[10rem_9rem_1fr] sm:gap-2 border-neutral-900 py-1.5 ${severityRowTone(n.severity)}`}>
                <time dateTime={n.at} className="whitespace-nowrap font-mono text-xs text-neutral-500">
                  {formatTimestamp(n.at)}
                </time>
                <span className="flex min-w-0 items-center gap-1">
                  <SeverityMark severity={n.severity} />
                  <span className="truncate font-mono text-xs text-neutral-400">{n.type}</span>
                </span>
                <span className={`col-span-2 break-words sm:col-span-1 ${n.severity === 'error' ? 'text-red-200' : n.severity === 'warning' ? 'text-amber-100' : 'text-neutral-200'}`}>
                  {n.message}
                  {n.positionId ? (
                    <>
                      {' '}
                      <Link href={`/positions/${n.positionId}`} className="text-xs text-emerald-400 hover:underline">
                        view position
                      </Link>
                    </>
                  ) : null}
                  {n.type.startsWith('APPROVAL_NEEDED') ? (
                    <>
                      {' '}
                      <Link href="/approvals" className="text-xs text-emerald-400 hover:underline">
                        approvals
                      </Link>
                    </>
                  ) : null}
                </span>
              </li>
            ))}
          </ol>
        )}
        {q.hasNextPage ? (
          <div className="mt-3 text-center">
            <SubmitButton type="button" tone="secondary" pending={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
              Load older
            </SubmitButton>
          </div>
        ) : items.length > 0 ? (
          <p className="mt-3 text-center text-xs text-neutral-600">That is everything.</p>
        ) : null}
      </Panel>
    </div>
  )
}
