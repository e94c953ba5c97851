'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { fetchJson } from '@/components/live/fetch-json'
import { accountQueryKeys, useLiveEvents } from '@/components/live/use-live-events'

/**
 * The number of approvals waiting, kept live by `approval` events; nothing until it is known.
 * It links to the queue itself, and sits in a status region so a change is announced.
 */
export function ApprovalsBadge() {
  useLiveEvents()
  const { data } = useQuery({
    queryKey: accountQueryKeys.approvalCount,
    queryFn: () => fetchJson<{ pending: number }>('/api/ui/approvals/count'),
  })
  if (!data) return null
  const n = data.pending
  return (
    <span role="status" className="-ml-2 mr-1 inline-flex">
      <Link
        href="/approvals"
        aria-label={`${n} approvals waiting`}
        data-testid="approvals-badge"
        className={[
          'inline-flex min-w-[1.25rem] items-center justify-center rounded-full px-1.5 font-mono text-[10px] font-semibold leading-4',
          n > 0 ? 'bg-amber-500 text-neutral-950 hover:bg-amber-400' : 'bg-neutral-800 text-neutral-500 hover:text-neutral-300',
        ].join(' ')}
      >
        {n}
      </Link>
    </span>
  )
}
