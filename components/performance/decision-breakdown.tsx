import Link from 'next/link'
import { OUTCOME_LABELS } from '@/components/decisions/decision-parts'
import { num, td, th } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import type { DecisionPerformanceView } from '@/lib/server/decisions/decision-performance'
import { formatPnl, pnlTone } from '@/lib/ui/decimal-format'
import { PnlByBucketChart } from './pnl-by-bucket-chart'

const OUTCOMES = ['EXECUTED', 'DRY_RUN', 'PENDING_APPROVAL', 'NO_ACTION', 'REJECTED', 'FAILED'] as const

const providerLabel = (p: string) => (p === 'RULES' ? 'Rules' : p === 'OPENAI_COMPATIBLE' ? 'OpenAI-compatible' : p === 'ANTHROPIC' ? 'Anthropic' : p)

/** Executed entries by provider × action × confidence, and how every decision ended. */
export function DecisionBreakdown({ view, traderId }: { view: DecisionPerformanceView; traderId: string }) {
  const traderQuery = traderId ? `&traderId=${encodeURIComponent(traderId)}` : ''
  return (
    <>
      <Panel title="Executed entries by provider, decision and confidence">
        {view.entries.length === 0 ? (
          <EmptyState>
            No executed entry decisions match these filters. A LONG or SHORT decision that opens a position is counted here, and its result once the position
            closes. Every decision is in the{' '}
            <Link href="/decisions" className="text-emerald-400 underline">
              journal
            </Link>
            .
          </EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" aria-label="Performance by decision type">
              <thead>
                <tr>
                  <th className={th}>Provider</th>
                  <th className={th}>Decision</th>
                  <th className={th}>Confidence</th>
                  <th className={`${th} text-right`}>Decisions</th>
                  <th className={`${th} text-right`}>Closed</th>
                  <th className={`${th} text-right`}>Wins</th>
                  <th className={`${th} text-right`}>Win rate</th>
                  <th className={`${th} text-right`}>Total PnL</th>
                  <th className={`${th} text-right`}>Avg PnL</th>
                  <th className={`${th} text-right`}>Open</th>
                </tr>
              </thead>
              <tbody>
                {view.entries.map((g) => (
                  <tr key={`${g.provider}-${g.action}-${g.bucket}`} className="border-t border-neutral-800" data-provider={g.provider} data-action={g.action} data-bucket={g.bucket}>
                    <td className={td}>{providerLabel(g.provider)}</td>
                    <td className={td}>
                      <Link href={`/decisions?action=${g.action}&outcome=EXECUTED${traderQuery}`} className="hover:underline">
                        <StatusBadge value={g.action} />
                      </Link>
                    </td>
                    <td className={`${td} font-mono text-xs`}>{g.bucketLabel}</td>
                    <td className={num}>{g.decisions}</td>
                    <td className={num}>{g.closedTrades}</td>
                    <td className={num}>{g.wins}</td>
                    <td className={num}>{g.winRatePct === null ? '—' : `${g.winRatePct}%`}</td>
                    <td className={`${num} ${pnlTone(g.totalPnl)}`} title={g.totalPnl}>
                      {formatPnl(g.totalPnl)}
                    </td>
                    <td className={`${num} ${pnlTone(g.avgPnl)}`} title={g.avgPnl ?? undefined}>
                      {formatPnl(g.avgPnl)}
                    </td>
                    <td className={num}>{g.openTrades}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="mt-2 text-xs text-neutral-500">
              Realized PnL is net of fees, from closed positions only; open positions are counted but not valued. A trade closed at exactly zero is not a win.
            </p>
          </div>
        )}
      </Panel>

      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="Realized PnL by confidence">
          {view.byBucket.some((b) => b.closedTrades > 0) ? (
            <PnlByBucketChart buckets={view.byBucket} />
          ) : (
            <EmptyState>No closed trade opened by a decision matches these filters.</EmptyState>
          )}
        </Panel>
        <Panel title="Outcomes by provider">
          {view.outcomes.length === 0 ? (
            <EmptyState>No decisions match these filters.</EmptyState>
          ) : (
            <div className="relative overflow-x-auto">
              <table className="w-full text-sm" aria-label="Decision outcomes by provider">
                <thead>
                  <tr>
                    <th className={th}>Provider</th>
                    <th className={`${th} text-right`}>Total</th>
                    {OUTCOMES.map((o) => (
                      <th key={o} className={`${th} text-right`}>
                        {OUTCOME_LABELS[o]}
                      </th>
                    ))}
                    <th className={`${th} text-right`} title="Recorded with no action: invalid or missing output, or failed before the provider was asked">
                      No decision
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {view.outcomes.map((p) => (
                    <tr key={p.provider} className="border-t border-neutral-800" data-provider={p.provider}>
                      <td className={td}>{providerLabel(p.provider)}</td>
                      <td className={num}>{p.total}</td>
                      {OUTCOMES.map((o) => (
                        <td key={o} className={`${num} ${p.byOutcome[o] && (o === 'REJECTED' || o === 'FAILED') ? 'text-red-300' : ''}`}>
                          {p.byOutcome[o] ? (
                            <Link href={`/decisions?outcome=${o}${traderQuery}`} className="hover:underline">
                              {p.byOutcome[o]}
                            </Link>
                          ) : (
                            <span className="text-neutral-600">0</span>
                          )}
                        </td>
                      ))}
                      <td className={num}>{p.withoutDecision}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Panel>
      </div>
    </>
  )
}
