'use client'

import { useInfiniteQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useEffect, useState } from 'react'
import { DownloadCsvLink } from '@/components/exports/download-csv-link'
import { fetchJson } from '@/components/live/fetch-json'
import { th } from '@/components/positions/positions-table'
import { SelectField, TextField } from '@/components/ui/fields'
import { LoadOlderButton } from '@/components/ui/load-older-button'
import { EmptyState, Panel } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import { PhoneRow, WIDE_ONLY } from '@/components/ui/phone-row'
import type { SignalView } from '@/lib/server/signals/list-signals'
import { formatTimestamp } from '@/lib/ui/time-format'
import { fromUtcInput, toUtcInput } from '@/lib/ui/utc-datetime-input'

type Filter = { status?: string; symbol?: string; from?: string; to?: string; q?: string }
type Page = { signals: SignalView[]; nextCursor: string | null }
const KEYS: (keyof Filter)[] = ['status', 'symbol', 'from', 'to', 'q']
const STATUSES = ['ACCEPTED', 'PROCESSING', 'WAITING', 'DONE', 'REJECTED', 'FAILED', 'DUPLICATE']
// Signals are processed within moments of arriving: the log is read again this often.
const REFRESH_MS = 3000

function queryString(f: Filter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams()
  for (const k of KEYS) if (f[k]) p.set(k, f[k]!)
  for (const [k, v] of Object.entries(extra)) p.set(k, v)
  return p.toString()
}

/** What processing did, in a line. */
function summary(s: SignalView): string {
  const r = (s.result ?? {}) as {
    opened?: { side?: string; qty?: string; avgEntryPrice?: string; status?: string }
    closed?: { exitQty?: string; avgExitPrice?: string; realizedPnl?: string; status?: string } | null
    group?: { newGroup?: boolean; pyramid?: number; legs?: unknown[] }
    closedGroups?: { status?: string }[]
    queued?: { slotsUsed?: number; slots?: number; waiting?: number }
    promotedFrom?: string
    removedFromQueue?: number
  }
  const parts: string[] = []
  if (r.queued) parts.push(`waiting for a group pool slot (${r.queued.slotsUsed} of ${r.queued.slots} in use)`)
  if (r.promotedFrom) parts.push('promoted from the group pool queue')
  if (r.removedFromQueue) parts.push('removed the entry waiting in the group pool queue')
  if (r.closed) parts.push(`closed ${r.closed.exitQty} @ ${r.closed.avgExitPrice} (PnL ${r.closed.realizedPnl}, ${r.closed.status?.toLowerCase()})`)
  if (r.closedGroups?.length) parts.push(`closing ${r.closedGroups.length === 1 ? 'its position group' : `${r.closedGroups.length} position groups`}`)
  if (r.group) parts.push(`${r.group.newGroup ? 'new position group' : `pyramid ${r.group.pyramid} of the position group`}, ${r.group.legs?.length ?? 0} legs`)
  if (r.opened) parts.push(`${r.group ? 'first leg' : 'opened'} ${r.opened.side} ${r.opened.qty} @ ${r.opened.avgEntryPrice} (${r.opened.status?.toLowerCase()})`)
  return parts.join('; ')
}

/** The trader's signal log: every webhook request with its status, reason, result and latency. */
export function SignalLog({ traderId, symbols }: { traderId: string; symbols: string[] }) {
  const [filter, setFilter] = useState<Filter>({})
  const [search, setSearch] = useState('')
  const change = (patch: Partial<Filter>) => setFilter((prev) => ({ ...prev, ...Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v || undefined])) }))
  useEffect(() => {
    const id = setTimeout(() => change({ q: search.trim() }), 300)
    return () => clearTimeout(id)
  }, [search])

  const q = useInfiniteQuery({
    queryKey: ['signals', traderId, queryString(filter)],
    queryFn: ({ pageParam }) => fetchJson<Page>(`/api/v1/traders/${traderId}/signals?${queryString(filter, { limit: '50', ...(pageParam ? { cursor: pageParam } : {}) })}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: REFRESH_MS,
  })
  const rows = q.data?.pages.flatMap((p) => p.signals) ?? []
  const filtered = queryString(filter) !== ''

  return (
    <Panel
      title="Signal log"
      actions={
        <>
          <span className="text-xs text-neutral-500">{q.isFetching ? 'Updating…' : `${rows.length}${q.hasNextPage ? '+' : ''} shown`}</span>
          <DownloadCsvLink href={`/api/v1/traders/${traderId}/signals.csv?${queryString(filter)}`} />
        </>
      }
    >
      <form aria-label="Signal filters" className="mb-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-5" onSubmit={(e) => e.preventDefault()}>
        <TextField id="sig-search" label="Search" type="search" placeholder="body, reason or id" value={search} maxLength={200} onChange={(e) => setSearch(e.target.value)} />
        <SelectField id="sig-status" label="Status" value={filter.status ?? ''} onChange={(e) => change({ status: e.target.value })} options={[{ value: '', label: 'All statuses' }, ...STATUSES.map((s) => ({ value: s, label: s.toLowerCase() }))]} />
        <SelectField id="sig-symbol" label="Symbol" value={filter.symbol ?? ''} onChange={(e) => change({ symbol: e.target.value })} options={[{ value: '', label: 'All symbols' }, ...symbols.map((s) => ({ value: s, label: s }))]} />
        <TextField id="sig-from" label="From (UTC)" type="datetime-local" value={toUtcInput(filter.from)} onChange={(e) => change({ from: fromUtcInput(e.target.value) })} />
        <TextField id="sig-to" label="Until (UTC)" type="datetime-local" value={toUtcInput(filter.to)} onChange={(e) => change({ to: fromUtcInput(e.target.value) })} />
      </form>
      {q.error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load the signal log: {q.error.message}
        </p>
      ) : null}
      {rows.length === 0 && !q.isPending ? (
        <EmptyState>{filtered ? 'No signal matches these filters.' : 'No signal yet. Alerts posted to the webhook URL appear here within moments, refused ones too.'}</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="Signals">
            <thead>
              <tr>
                <th className={th}>Received (UTC)</th>
                <th className={th}>Status</th>
                <th className={th}>Signal</th>
                <th className={`${th} ${WIDE_ONLY}`}>Reason / result</th>
                <th className={`${th} ${WIDE_ONLY}`}>Latency</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <SignalRow key={s.id} s={s} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadOlderButton query={q}>Load older signals</LoadOlderButton>
    </Panel>
  )
}

function SignalRow({ s }: { s: SignalView }) {
  const cell = 'px-2 py-1.5 align-top'
  const done = summary(s)
  const latency = s.latencyMs === null ? '—' : `${s.latencyMs} ms`
  return (
    <>
      <tr className="border-t border-neutral-800" data-signal-id={s.id} data-status={s.status}>
        <td className={`${cell} whitespace-nowrap font-mono text-xs text-neutral-400`}>
          <time dateTime={s.receivedAt}>{formatTimestamp(s.receivedAt)}</time>
          <div className="text-[11px] text-neutral-600">
            HTTP {s.httpStatus}
            {/* A phone has no latency column. */}
            <span className="sm:hidden"> · {latency}</span>
          </div>
        </td>
        <td className={cell}>
          <StatusBadge value={s.status} />
        </td>
        <td className={`${cell} whitespace-nowrap text-xs`}>
          {s.action || s.symbol ? (
            <>
              <div className="text-neutral-200">
                {s.action ?? '?'} {s.intent ?? ''}
              </div>
              <div className="font-mono text-neutral-400">{s.symbol ?? '—'}</div>
            </>
          ) : (
            <span className="text-neutral-500">—</span>
          )}
        </td>
        <td className={`${cell} ${WIDE_ONLY} min-w-48 text-xs`}>
          <SignalOutcome s={s} done={done} />
        </td>
        <td className={`${cell} ${WIDE_ONLY} whitespace-nowrap font-mono text-xs text-neutral-400`}>{latency}</td>
      </tr>
      <PhoneRow className="text-xs" data-outcome-of={s.id}>
        <SignalOutcome s={s} done={done} />
      </PhoneRow>
    </>
  )
}

function SignalOutcome({ s, done }: { s: SignalView; done: string }) {
  return (
    <>
      {s.reason ? <div className={s.status === 'DONE' || s.status === 'DUPLICATE' || s.status === 'WAITING' ? 'text-neutral-300' : 'text-red-300'}>{s.reason}</div> : null}
      {done ? <div className="text-neutral-300">{done}</div> : null}
      {s.positionId ? (
        <Link href={`/positions/${s.positionId}`} className="text-emerald-400 hover:underline">
          Position {s.positionId.slice(-8)}
        </Link>
      ) : null}
      <details>
        <summary className="cursor-pointer text-neutral-500">Request</summary>
        <pre className="mt-1 max-w-full overflow-x-auto whitespace-pre-wrap break-all rounded bg-neutral-950 p-2 font-mono text-[11px] text-neutral-300">{s.body}</pre>
      </details>
    </>
  )
}
