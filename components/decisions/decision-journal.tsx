'use client'

import { useInfiniteQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { useState } from 'react'
import { DownloadCsvLink } from '@/components/exports/download-csv-link'
import { fetchJson } from '@/components/live/fetch-json'
import { accountQueryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { td, th } from '@/components/positions/positions-table'
import { SelectField } from '@/components/ui/fields'
import { LoadOlderButton } from '@/components/ui/load-older-button'
import { LAPTOP_ONLY } from '@/components/ui/phone-row'
import { EmptyState, Panel } from '@/components/ui/panel'
import type { DecisionView } from '@/lib/server/decisions/list-decisions'
import { formatTimestamp } from '@/lib/ui/time-format'
import { ValidationList } from './validation-list'
import { ACTION_LABELS, ActionBadge, DecisionDetailsLink, DecisionError, DecisionPhoneRow, ExecutedList, LatencyCell, OUTCOME_LABELS, OutcomeBadge, RawLinkCell, Reasoning, usageText } from './decision-parts'

export interface JournalFilter {
  traderId?: string
  symbol?: string
  action?: string
  outcome?: string
  positionId?: string
}

type Page = { decisions: DecisionView[]; nextCursor: string | null }

const ACTIONS = ['NO_TRADE', 'LONG', 'SHORT', 'WATCH', 'CLOSE', 'PARTIAL_TP', 'INVALID'] as const
const OUTCOMES = ['NO_ACTION', 'EXECUTING', 'EXECUTED', 'DRY_RUN', 'PENDING_APPROVAL', 'REJECTED', 'FAILED'] as const
const PAGE_SIZE = 50

function queryString(f: JournalFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) p.set(k, v)
  return p.toString()
}

const sameFilter = (a: JournalFilter, b: JournalFilter) => queryString(a) === queryString(b)

/**
 * Every decision of the user's traders, newest first, filtered by trader, symbol, decision and
 * outcome (kept in the URL). New decisions appear live (`decision` SSE events).
 */
export function DecisionJournal({
  initial,
  initialFilter,
  traders,
  symbols,
}: {
  initial: Page
  initialFilter: JournalFilter
  traders: { id: string; name: string }[]
  symbols: string[]
}) {
  useLiveEvents()
  const router = useRouter()
  const pathname = usePathname()
  const [filter, setFilter] = useState<JournalFilter>(initialFilter)
  const q = useInfiniteQuery({
    queryKey: [...accountQueryKeys.decisions, 'journal', queryString(filter)],
    queryFn: ({ pageParam }) => fetchJson<Page>(`/api/ui/decisions?${queryString(filter, { limit: String(PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) })}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: sameFilter(filter, initialFilter) ? { pages: [initial], pageParams: [null] } : undefined,
  })
  const rows = q.data?.pages.flatMap((p) => p.decisions) ?? []

  const change = (key: keyof JournalFilter, value: string) => {
    const next = { ...filter, [key]: value || undefined }
    setFilter(next)
    const qs = queryString(next)
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false })
  }

  const traderName = filter.traderId ? traders.find((t) => t.id === filter.traderId)?.name : undefined
  const symbolOptions = filter.symbol && !symbols.includes(filter.symbol) ? [...symbols, filter.symbol] : symbols

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-lg font-semibold">Decision journal</h1>
        <span className="text-sm text-neutral-400">
          {traderName ? `${traderName} · ` : ''}
          {filter.positionId ? (
            <>
              position{' '}
              <Link href={`/positions/${filter.positionId}`} className="text-emerald-400 hover:underline">
                {filter.positionId.slice(0, 10)}…
              </Link>{' '}
              <button type="button" className="text-xs text-neutral-500 underline hover:text-neutral-300" onClick={() => change('positionId', '')}>
                show all positions
              </button>
            </>
          ) : (
            'every decision, newest first'
          )}
        </span>
        <Link href="/performance" className="ml-auto text-xs text-emerald-400 hover:underline">
          Performance by decision type →
        </Link>
      </div>

      <form aria-label="Journal filters" className="grid gap-3 sm:grid-cols-4" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          id="journal-trader"
          label="Trader"
          value={filter.traderId ?? ''}
          onChange={(e) => change('traderId', e.target.value)}
          options={[{ value: '', label: 'All traders' }, ...traders.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <SelectField
          id="journal-symbol"
          label="Symbol"
          value={filter.symbol ?? ''}
          onChange={(e) => change('symbol', e.target.value)}
          options={[{ value: '', label: 'All symbols' }, ...symbolOptions.map((s) => ({ value: s, label: s }))]}
        />
        <SelectField
          id="journal-action"
          label="Decision"
          value={filter.action ?? ''}
          onChange={(e) => change('action', e.target.value)}
          options={[{ value: '', label: 'All decisions' }, ...ACTIONS.map((a) => ({ value: a, label: ACTION_LABELS[a] ?? a }))]}
        />
        <SelectField
          id="journal-outcome"
          label="Outcome"
          value={filter.outcome ?? ''}
          onChange={(e) => change('outcome', e.target.value)}
          options={[{ value: '', label: 'All outcomes' }, ...OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABELS[o] ?? o }))]}
        />
      </form>

      {q.error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load the journal: {q.error.message}
        </p>
      ) : null}

      <Panel
        title="Journal entries"
        actions={
          <>
            <span className="text-xs text-neutral-500">{q.isFetching ? 'Updating…' : `${rows.length}${q.hasNextPage ? '+' : ''} shown`}</span>
            <DownloadCsvLink href={`/api/v1/decisions.csv?${queryString(filter)}`} />
          </>
        }
      >
        {rows.length === 0 && !q.isPending ? (
          <EmptyState>
            {queryString(filter) ? 'No decision matches these filters.' : 'No decisions yet. Traders record one per symbol every analysis cycle; they appear here live.'}
          </EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" aria-label="Decision journal">
              <thead>
                <tr>
                  <th className={th}>Time</th>
                  <th className={th}>Trader / symbol</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Decision</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Validation</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Executed</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Outcome</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Latency</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Tokens / cost</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>
                    <span className="sr-only">Raw</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <DecisionRow key={d.id} d={d} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadOlderButton query={q}>Load older decisions</LoadOlderButton>
      </Panel>
    </div>
  )
}

function DecisionRow({ d }: { d: DecisionView }) {
  return (
    <>
      <tr className="border-t border-neutral-800 align-top" data-decision-id={d.id} data-outcome={d.outcome}>
        <td className={`${td} font-mono text-xs text-neutral-400`}>
          <time dateTime={d.createdAt}>{formatTimestamp(d.createdAt)}</time>
          <div className="text-[10px] text-neutral-600">{d.trigger.toLowerCase()}</div>
        </td>
        {/* The trader's name and the provider wrap: on one line a long name widened the journal past a laptop's width. */}
        <td className="min-w-[6rem] px-2 py-1.5 align-top">
          <span className="font-medium whitespace-nowrap">{d.symbol}</span>
          <div className="text-[11px] text-neutral-500">{d.traderName}</div>
          <div className="text-[10px] text-neutral-600" title={`${d.model} · ${d.promptVersion}`}>
            {d.provider.replace(/_/g, ' ').toLowerCase()}
          </div>
          {/* Below a laptop's width there are no decision and outcome columns: their gist is here; the reasoning, verdict and what was executed are in a row underneath. */}
          <div className="mt-1 flex flex-wrap items-center gap-1.5 xl:hidden" data-testid="decision-compact">
            <ActionBadge action={d.action} />
            <span className="font-mono text-xs text-neutral-300" title="Confidence">
              {d.confidence ?? '—'}
            </span>
            <OutcomeBadge outcome={d.outcome} />
            <DecisionDetailsLink d={d} />
          </div>
          {d.positionId ? (
            <Link href={`/positions/${d.positionId}`} className="text-[11px] text-emerald-400 hover:underline">
              position
            </Link>
          ) : null}
        </td>
        <td className={`${LAPTOP_ONLY} min-w-[13rem] max-w-[22rem] px-2 py-1.5 align-top`}>
          <div className="flex items-center gap-2">
            <ActionBadge action={d.action} />
            <span className="font-mono text-xs text-neutral-300" title="Confidence">
              {d.confidence ?? '—'}
            </span>
          </div>
          <Reasoning d={d} />
        </td>
        <td className={`${LAPTOP_ONLY} min-w-[16rem] px-2 py-1.5 align-top`}>
          <ValidationList validation={d.validation} show="constraints" />
        </td>
        <td className={`${LAPTOP_ONLY} min-w-[11rem] max-w-[20rem] px-2 py-1.5 align-top`}>
          <ExecutedList executed={d.executed} />
        </td>
        <td className={`${LAPTOP_ONLY} max-w-[16rem] px-2 py-1.5 align-top`}>
          <OutcomeBadge outcome={d.outcome} />
          <DecisionError d={d} />
        </td>
        <LatencyCell d={d} />
        <td className={`${LAPTOP_ONLY} px-2 py-1.5 align-top font-mono text-[11px] text-neutral-400`}>{usageText(d)}</td>
        <RawLinkCell d={d} />
      </tr>
      <DecisionPhoneRow d={d} />
    </>
  )
}
