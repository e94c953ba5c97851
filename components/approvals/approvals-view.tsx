'use client'

import { useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useState } from 'react'
import { fetchJson } from '@/components/live/fetch-json'
import { LiveIndicator } from '@/components/live/live-indicator'
import { accountQueryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { useNow } from '@/components/live/use-now'
import { td, th } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import { PhoneRow, WIDE_ONLY } from '@/components/ui/phone-row'
import { StatusBadge } from '@/components/ui/status-badge'
import type { ApprovalsPageData, ApprovalView } from '@/lib/server/approvals/list-approvals'
import { formatTimestamp } from '@/lib/ui/time-format'
import { ApprovalCard, type ItemMessage } from './approval-card'

const pageKey = [...accountQueryKeys.approvals, 'page'] as const

/** What came of a decided request, in words. */
export function approvalResultText(a: Pick<ApprovalView, 'status' | 'result'>): string {
  const r = (a.result ?? {}) as Record<string, unknown>
  const edited = r.edited === true ? ' (edited)' : ''
  switch (a.status) {
    case 'APPROVED':
      return `${typeof r.executed === 'string' ? r.executed : 'executed'}${edited}`
    case 'FAILED':
      return `not executed: ${typeof r.error === 'string' ? r.error : 'unknown error'}${edited}`
    case 'REJECTED':
      return 'nothing executed'
    case 'EXPIRED':
      return 'expired unanswered; nothing executed'
    default:
      return '—'
  }
}

export function ApprovalsView({ initial }: { initial: ApprovalsPageData }) {
  useLiveEvents()
  const qc = useQueryClient()
  // Once a second: the time left of each request.
  const now = useNow(1000)
  const { data = initial, error } = useQuery({
    queryKey: pageKey,
    queryFn: () => fetchJson<ApprovalsPageData>('/api/ui/approvals'),
    initialData: initial,
  })
  // Per item: the last error or success of an action. Kept when the item leaves the pending list
  // (it expired, or failed at execution), so the message is still seen.
  const [messages, setMessages] = useState<Record<string, ItemMessage>>({})
  const pendingIds = new Set(data.pending.map((a) => a.id))
  const orphaned = Object.entries(messages).filter(([id]) => !pendingIds.has(id))

  const onResult = (a: ApprovalView, m: ItemMessage) => {
    setMessages((prev) => ({ ...prev, [a.id]: m }))
    void qc.invalidateQueries({ queryKey: accountQueryKeys.approvals })
    void qc.invalidateQueries({ queryKey: accountQueryKeys.decisions })
  }
  const dismiss = (id: string) =>
    setMessages((prev) => {
      const next = { ...prev }
      delete next[id]
      return next
    })

  return (
    <div className="space-y-4">
      <div className="flex items-center gap-3">
        <h1 className="text-lg font-semibold">Approvals</h1>
        <span className="text-sm text-neutral-400">{data.pending.length} waiting</span>
        <span className="ml-auto">
          <LiveIndicator />
        </span>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not refresh: {error.message}
        </p>
      ) : null}
      {orphaned.length ? (
        <ul className="space-y-2" aria-label="Approval results">
          {orphaned.map(([id, m]) => (
            <li
              key={id}
              role={m.kind === 'error' ? 'alert' : 'status'}
              className={`flex items-start gap-2 rounded border px-3 py-2 text-sm ${m.kind === 'error' ? 'border-red-900 bg-red-950/60 text-red-200' : 'border-emerald-900 bg-emerald-950/40 text-emerald-200'}`}
            >
              <span className="flex-1">
                <span className="font-semibold">{m.label}:</span> {m.text}
              </span>
              <button type="button" onClick={() => dismiss(id)} className="text-xs text-neutral-400 hover:text-neutral-200">
                Dismiss
              </button>
            </li>
          ))}
        </ul>
      ) : null}

      <Panel title="Waiting for you">
        {data.pending.length === 0 ? (
          <EmptyState>
            Nothing is waiting. Traders that require confirmation queue their orders here; set that per trader under{' '}
            <Link href="/traders" className="text-emerald-400 underline">
              Traders
            </Link>
            .
          </EmptyState>
        ) : (
          <div className="space-y-3">
            {data.pending.map((a) => (
              <ApprovalCard key={a.id} approval={a} now={now} message={messages[a.id]} onResult={(m) => onResult(a, m)} />
            ))}
          </div>
        )}
      </Panel>

      <Panel title="Recently decided">
        {data.decided.length === 0 ? (
          <EmptyState>No approval has been decided yet.</EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" aria-label="Recently decided approvals">
              <thead>
                <tr>
                  <th className={th}>Decided</th>
                  <th className={th}>Symbol</th>
                  <th className={th}>Kind</th>
                  <th className={th}>Trader</th>
                  <th className={th}>Status</th>
                  <th className={th}>Decided by</th>
                  <th className={`${th} ${WIDE_ONLY}`}>Note</th>
                  <th className={`${th} ${WIDE_ONLY}`}>Step</th>
                  <th className={`${th} ${WIDE_ONLY}`}>Result</th>
                </tr>
              </thead>
              <tbody>
                {data.decided.map((a) => (
                  <DecidedRow key={a.id} a={a} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </div>
  )
}

function DecidedRow({ a }: { a: ApprovalView }) {
  return (
    <>
      <tr className="border-t border-neutral-800" data-approval-id={a.id} aria-label={`Decided ${a.symbol} ${a.kind}`}>
        <td className={`${td} font-mono text-xs text-neutral-400`}>{formatTimestamp(a.decidedAt ?? a.expiresAt)}</td>
        <td className={`${td} font-medium`}>
          {a.symbol}
          {/* On a phone the status column is off to the right of the table: it is repeated here. */}
          <div className="pt-0.5 sm:hidden" data-testid="approval-status-compact">
            <StatusBadge value={a.status} />
          </div>
        </td>
        <td className={`${td} text-xs`}>{a.kind}</td>
        <td className={`${td} text-xs text-neutral-300`}>{a.traderName}</td>
        <td className={td}>
          <StatusBadge value={a.status} />
        </td>
        <td className={`${td} text-xs text-neutral-300`}>{a.decidedByEmail ?? (a.status === 'EXPIRED' ? 'nobody (expired)' : '—')}</td>
        <td className={`${WIDE_ONLY} max-w-[14rem] px-2 py-1.5 align-top text-xs text-neutral-300`}>{a.note ?? <span className="text-neutral-600">—</span>}</td>
        <td className={`${WIDE_ONLY} max-w-[18rem] px-2 py-1.5 align-top text-xs text-neutral-400`}>{a.step || '—'}</td>
        <td className={`${WIDE_ONLY} max-w-[18rem] px-2 py-1.5 align-top text-xs ${a.status === 'FAILED' ? 'text-red-300' : 'text-neutral-300'}`}>
          <ApprovalResult a={a} />
        </td>
      </tr>
      <PhoneRow className="space-y-0.5 text-xs" data-result-of={a.id}>
        {a.step ? <p className="text-neutral-400">{a.step}</p> : null}
        {a.note ? <p className="text-neutral-300">Note: {a.note}</p> : null}
        <p className={a.status === 'FAILED' ? 'text-red-300' : 'text-neutral-400'}>
          <ApprovalResult a={a} />
        </p>
      </PhoneRow>
    </>
  )
}

function ApprovalResult({ a }: { a: ApprovalView }) {
  return (
    <>
      {approvalResultText(a)}
      {a.decisionId ? (
        <>
          {' '}
          <Link href={`/decisions/${a.decisionId}`} className="text-emerald-400 hover:underline">
            decision
          </Link>
        </>
      ) : null}
    </>
  )
}
