'use client'

import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { useEffect, useState } from 'react'
import { DownloadCsvLink } from '@/components/exports/download-csv-link'
import { fetchJson } from '@/components/live/fetch-json'
import { LiveIndicator } from '@/components/live/live-indicator'
import { accountQueryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { SeverityMark, severityRowTone } from '@/components/notifications/severity'
import { th } from '@/components/positions/positions-table'
import { SelectField, TextField } from '@/components/ui/fields'
import { LoadOlderButton } from '@/components/ui/load-older-button'
import { EmptyState, Panel } from '@/components/ui/panel'
import { PhoneRow, WIDE_FROM } from '@/components/ui/phone-row'
import type { LogEntry } from '@/lib/server/logs/list-logs'
import { formatTimestamp } from '@/lib/ui/time-format'
import { fromUtcInput, toUtcInput } from '@/lib/ui/utc-datetime-input'

/** The filters as the URL and the API carry them (times as ISO 8601 UTC strings). */
export interface LogsFilter {
  kind?: string
  level?: string
  type?: string
  traderId?: string
  symbol?: string
  from?: string
  to?: string
  q?: string
}

type Page = { logs: LogEntry[]; nextCursor: string | null }

const PAGE_SIZE = 50
const KIND_LABELS: Record<string, string> = { activity: 'Activity', audit: 'Audit trail', risk: 'Risk', delivery: 'Notification', signal: 'Signal' }
const KEYS: (keyof LogsFilter)[] = ['kind', 'level', 'type', 'traderId', 'symbol', 'from', 'to', 'q']

function queryString(f: LogsFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams()
  for (const k of KEYS) if (f[k]) p.set(k, f[k]!)
  for (const [k, v] of Object.entries(extra)) p.set(k, v)
  return p.toString()
}

/** The trader, symbol and time range of the log, for the fills and orders exports. */
function tradeQuery(f: LogsFilter): string {
  return queryString({ traderId: f.traderId, symbol: f.symbol, from: f.from, to: f.to })
}


/**
 * One log over the activity feed, the positions' audit trails, risk events and notification
 * deliveries: filters kept in the URL, newest first, older pages on demand (keyset cursors), new
 * lines arriving over the live stream while "Live tail" is on, and CSV downloads of what is shown.
 */
export function LogsViewer({
  initial,
  initialFilter,
  traders,
  symbols,
}: {
  initial: Page
  initialFilter: LogsFilter
  traders: { id: string; name: string }[]
  symbols: string[]
}) {
  useLiveEvents()
  const pathname = usePathname()
  const qc = useQueryClient()
  const [filter, setFilter] = useState<LogsFilter>(initialFilter)
  const [search, setSearch] = useState(initialFilter.q ?? '')
  const [live, setLive] = useState(true)

  // Functional updates: a search applied after its pause must not undo a filter chosen meanwhile.
  const change = (patch: Partial<LogsFilter>) =>
    setFilter((prev) => {
      const next = { ...prev }
      for (const [k, v] of Object.entries(patch) as [keyof LogsFilter, string | undefined][]) next[k] = v || undefined
      return queryString(next) === queryString(prev) ? prev : next
    })
  // The filters live in the URL (reload and share keep them). replaceState rather than a router
  // navigation: the page's server render would only read the first page again.
  const qs = queryString(filter)
  useEffect(() => {
    const url = qs ? `${pathname}?${qs}` : pathname
    if (`${window.location.pathname}${window.location.search}` !== url) window.history.replaceState(null, '', url)
  }, [qs, pathname])

  // The search applies once typing pauses.
  useEffect(() => {
    const id = setTimeout(() => change({ q: search.trim() }), 300)
    return () => clearTimeout(id)
  }, [search])

  const queryKey = [...accountQueryKeys.logs, queryString(filter)]
  // With live tail off the lines shown stay put: stream events no longer refetch them (a new
  // filter still loads once, and "Load older" still works).
  const loaded = qc.getQueryData(queryKey) !== undefined
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchJson<Page>(`/api/v1/logs?${queryString(filter, { limit: String(PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) })}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: queryString(filter) === queryString(initialFilter) ? { pages: [initial], pageParams: [null] } : undefined,
    enabled: live || !loaded,
  })
  const rows = q.data?.pages.flatMap((p) => p.logs) ?? []
  const filtered = queryString(filter) !== ''
  const symbolOptions = filter.symbol && !symbols.includes(filter.symbol) ? [...symbols, filter.symbol] : symbols

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-lg font-semibold">Logs</h1>
        <span className="text-sm text-neutral-400">activity, audit trail, risk events, notification deliveries and webhook signals, newest first</span>
        <span className="ml-auto flex items-center gap-3">
          <label className="inline-flex items-center gap-1.5 text-xs text-neutral-300">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} className="accent-emerald-500" />
            Live tail
          </label>
          {live ? <LiveIndicator /> : <span className="text-xs text-neutral-500">Paused</span>}
        </span>
      </div>

      <form aria-label="Log filters" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(e) => e.preventDefault()}>
        <TextField id="logs-search" label="Search messages" type="search" placeholder="words, any order" value={search} maxLength={200} onChange={(e) => setSearch(e.target.value)} />
        <SelectField
          id="logs-kind"
          label="Source"
          value={filter.kind ?? ''}
          onChange={(e) => change({ kind: e.target.value })}
          options={[{ value: '', label: 'All sources' }, ...Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }))]}
        />
        <SelectField
          id="logs-level"
          label="Level"
          value={filter.level ?? ''}
          onChange={(e) => change({ level: e.target.value })}
          options={[
            { value: '', label: 'All levels' },
            { value: 'warning', label: 'Warnings and errors' },
            { value: 'error', label: 'Errors only' },
          ]}
        />
        <SelectField
          id="logs-trader"
          label="Trader"
          value={filter.traderId ?? ''}
          onChange={(e) => change({ traderId: e.target.value })}
          options={[{ value: '', label: 'All traders' }, ...traders.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <SelectField
          id="logs-symbol"
          label="Symbol"
          value={filter.symbol ?? ''}
          onChange={(e) => change({ symbol: e.target.value })}
          options={[{ value: '', label: 'All symbols' }, ...symbolOptions.map((s) => ({ value: s, label: s }))]}
        />
        <TextField id="logs-from" label="From (UTC)" type="datetime-local" value={toUtcInput(filter.from)} onChange={(e) => change({ from: fromUtcInput(e.target.value) })} />
        <TextField id="logs-to" label="Until (UTC)" type="datetime-local" value={toUtcInput(filter.to)} onChange={(e) => change({ to: fromUtcInput(e.target.value) })} />
        <div className="flex min-w-0 flex-col justify-end gap-1 text-xs">
          {filter.type ? (
            <span className="inline-flex items-center gap-1 text-neutral-300">
              Type <span className="font-mono">{filter.type}</span>
              <button type="button" className="text-neutral-500 underline hover:text-neutral-300" onClick={() => change({ type: undefined })}>
                any type
              </button>
            </span>
          ) : null}
          {filtered ? (
            <button
              type="button"
              className="self-start text-neutral-500 underline hover:text-neutral-300"
              onClick={() => {
                setSearch('')
                change(Object.fromEntries(KEYS.map((k) => [k, undefined])))
              }}
            >
              Clear filters
            </button>
          ) : null}
        </div>
      </form>

      {q.error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load the log: {q.error.message}
        </p>
      ) : null}

      <Panel
        title="Log lines"
        actions={
          <>
            <span className="text-xs text-neutral-500">{q.isFetching ? 'Updating…' : `${rows.length}${q.hasNextPage ? '+' : ''} shown`}</span>
            <DownloadCsvLink href={`/api/v1/logs.csv?${queryString(filter)}`} />
          </>
        }
      >
        {rows.length === 0 && !q.isPending ? (
          <EmptyState>{filtered ? 'No line matches these filters.' : 'Nothing logged yet. Orders, fills, stop changes, approvals, risk refusals and notifications appear here as they happen.'}</EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" aria-label="Log lines">
              <thead>
                <tr>
                  <th className={th}>Time (UTC)</th>
                  <th className={`${th} ${WIDE_FROM.lg}`}>Level</th>
                  <th className={th}>Source / type</th>
                  <th className={th}>Trader / symbol</th>
                  <th className={`${th} ${WIDE_FROM.lg}`}>Message</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((l) => (
                  <LogRow key={l.id} l={l} onType={(type) => change({ type })} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadOlderButton query={q}>Load older lines</LoadOlderButton>
      </Panel>

      <p className="flex flex-wrap items-center gap-2 text-xs text-neutral-400">
        For the same trader, symbol and time range:
        <DownloadCsvLink href={`/api/v1/fills.csv?${tradeQuery(filter)}`}>Fills CSV</DownloadCsvLink>
        <DownloadCsvLink href={`/api/v1/orders.csv?${tradeQuery(filter)}`}>Orders CSV</DownloadCsvLink>
      </p>
    </div>
  )
}

function LogRow({ l, onType }: { l: LogEntry; onType: (type: string) => void }) {
  const cell = 'px-2 py-1.5 align-top'
  return (
    <>
      <tr className="border-t border-neutral-800" data-log-id={l.id} data-kind={l.kind} data-level={l.level}>
        {/* Below lg the date and the time wrap onto two lines, with the level under them: the table then fits the window. */}
        <td className={`${cell} font-mono text-xs text-neutral-400 lg:whitespace-nowrap ${severityRowTone(l.level)}`}>
          <time dateTime={l.at}>{formatTimestamp(l.at)}</time>
          <div className="lg:hidden" data-testid="log-level-compact">
            <SeverityMark severity={l.level} />
          </div>
        </td>
        <td className={`${cell} ${WIDE_FROM.lg}`}>
          <SeverityMark severity={l.level} />
        </td>
        <td className={`${cell} whitespace-nowrap`}>
          <div className="text-xs text-neutral-300">{KIND_LABELS[l.kind] ?? l.kind}</div>
          <button type="button" title="Show only this type" className="font-mono text-[11px] text-neutral-500 hover:text-emerald-400 hover:underline" onClick={() => onType(l.type)}>
            {l.type}
          </button>
        </td>
        <td className={`${cell} text-xs lg:whitespace-nowrap`}>
          <div className="text-neutral-300">{l.traderName ?? '—'}</div>
          <div className="text-neutral-500">{l.symbol ?? ''}</div>
        </td>
        <td className={`${cell} ${WIDE_FROM.lg} min-w-[18rem] max-w-[44rem]`}>
          <LogMessage l={l} />
        </td>
      </tr>
      <PhoneRow until="lg" data-testid="log-message-row">
        <LogMessage l={l} />
      </PhoneRow>
    </>
  )
}

function LogMessage({ l }: { l: LogEntry }) {
  return (
    <>
      <p className={`whitespace-pre-wrap break-words ${l.level === 'error' ? 'text-red-200' : l.level === 'warning' ? 'text-amber-100' : 'text-neutral-200'}`}>{l.message}</p>
      {l.detail ? <p className="break-words text-xs text-neutral-500">{l.detail}</p> : null}
      {l.positionId ? (
        <Link href={`/positions/${l.positionId}`} className="text-xs text-emerald-400 hover:underline">
          view position
        </Link>
      ) : null}
    </>
  )
}
