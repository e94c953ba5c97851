import Link from 'next/link'
import { Fragment } from 'react'
import { OUTCOME_LABELS } from '@/components/decisions/decision-parts'
import { num, td, th } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import { LAPTOP_ONLY, PhoneRow } from '@/components/ui/phone-row'
import { StatusBadge } from '@/components/ui/status-badge'
import type { DecisionPerformanceView } from '@/lib/server/decisions/decision-performance'
import { formatPnl, pnlTone } from '@/lib/ui/decimal-format'
import { winRateText } from './performance-figures'
import { PnlByBucketChart } from './pnl-by-bucket-chart'

const OUTCOMES = ['EXECUTED', 'DRY_RUN', 'PENDING_APPROVAL', 'NO_ACTION', 'REJECTED', 'FAILED'] as const
type Outcome = (typeof OUTCOMES)[number] | 'EXECUTING'

const outcomeTone = (p: DecisionPerformanceView['outcomes'][number], o: Outcome) => (p.byOutcome[o] && (o === 'REJECTED' || o === 'FAILED') ? 'text-red-300' : '')

/** A decision is EXECUTING only while its steps run (or until the worker settles one it left so): its column shows when one is, so the columns add up to the total. */
const outcomesOf = (view: DecisionPerformanceView): Outcome[] => (view.outcomes.some((p) => p.byOutcome.EXECUTING) ? ['EXECUTING', ...OUTCOMES] : [...OUTCOMES])

// Seven outcome columns share half a laptop's width: their headers take a little less padding than other tables'.
const countTh = `${th.replace('px-2', 'px-1.5')} ${LAPTOP_ONLY} text-right`

const providerLabel = (p: string) => (p === 'RULES' ? 'Rules' : p === 'OPENAI_COMPATIBLE' ? 'OpenAI-compatible' : p === 'ANTHROPIC' ? 'Anthropic' : p)

/** Executed entries by provider × action × confidence, and how every decision ended. */
export function DecisionBreakdown({ view, traderId }: { view: DecisionPerformanceView; traderId: string }) {
  const traderQuery = traderId ? `&traderId=${encodeURIComponent(traderId)}` : ''
  const outcomes = outcomesOf(view)
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
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Decisions</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Closed</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Wins</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Win rate</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Total PnL</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Avg PnL</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Open</th>
                </tr>
              </thead>
              <tbody>
                {view.entries.map((g) => (
                  <Fragment key={`${g.provider}-${g.action}-${g.bucket}`}>
                    <tr className="border-t border-neutral-800" data-provider={g.provider} data-action={g.action} data-bucket={g.bucket}>
                      <td className={td}>{providerLabel(g.provider)}</td>
                      <td className={td}>
                        <Link href={`/decisions?action=${g.action}&outcome=EXECUTED${traderQuery}`} className="hover:underline">
                          <StatusBadge value={g.action} />
                        </Link>
                      </td>
                      <td className={`${td} font-mono text-xs`}>{g.bucketLabel}</td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{g.decisions}</td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{g.closedTrades}</td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{g.wins}</td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{winRateText(g.winRatePct)}</td>
                      <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(g.totalPnl)}`} title={g.totalPnl}>
                        {formatPnl(g.totalPnl)}
                      </td>
                      <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(g.avgPnl)}`} title={g.avgPnl ?? undefined}>
                        {formatPnl(g.avgPnl)}
                      </td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{g.openTrades}</td>
                    </tr>
                    <PhoneRow until="xl" className="text-xs text-neutral-400" data-figures-of={`${g.provider}-${g.action}-${g.bucket}`}>
                      decisions <span className="font-mono text-neutral-300">{g.decisions}</span> · closed <span className="font-mono text-neutral-300">{g.closedTrades}</span> · wins{' '}
                      <span className="font-mono text-neutral-300">{g.wins}</span> ({winRateText(g.winRatePct)}) · total{' '}
                      <span className={`font-mono ${pnlTone(g.totalPnl)}`} title={g.totalPnl}>
                        {formatPnl(g.totalPnl)}
                      </span>{' '}
                      · avg{' '}
                      <span className={`font-mono ${pnlTone(g.avgPnl)}`} title={g.avgPnl ?? undefined}>
                        {formatPnl(g.avgPnl)}
                      </span>{' '}
                      · open <span className="font-mono text-neutral-300">{g.openTrades}</span>
                    </PhoneRow>
                  </Fragment>
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
                    {outcomes.map((o) => (
                      <th key={o} className={countTh}>
                        {OUTCOME_LABELS[o]}
                      </th>
                    ))}
                    <th className={countTh} title="Recorded with no action: invalid or missing output, or failed before the provider was asked">
                      No decision
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {view.outcomes.map((p) => (
                    <Fragment key={p.provider}>
                      <tr className="border-t border-neutral-800" data-provider={p.provider}>
                        <td className={td}>{providerLabel(p.provider)}</td>
                        <td className={num}>{p.total}</td>
                        {outcomes.map((o) => (
                          <td key={o} className={`${num} ${LAPTOP_ONLY} ${outcomeTone(p, o)}`}>
                            {p.byOutcome[o] ? (
                              <Link href={`/decisions?outcome=${o}${traderQuery}`} className="hover:underline">
                                {p.byOutcome[o]}
                              </Link>
                            ) : (
                              <span className="text-neutral-600">0</span>
                            )}
                          </td>
                        ))}
                        <td className={`${num} ${LAPTOP_ONLY}`}>{p.withoutDecision}</td>
                      </tr>
                      {/* Below a laptop's width the outcome columns are hidden: the outcomes that happened are listed under the provider. */}
                      <PhoneRow span={2} until="xl" className="text-xs text-neutral-400" data-outcomes-of={p.provider}>
                        <span className="flex flex-wrap gap-x-3">
                          {outcomes.filter((o) => p.byOutcome[o]).map((o) => (
                            <Link key={o} href={`/decisions?outcome=${o}${traderQuery}`} className={`hover:underline ${outcomeTone(p, o)}`}>
                              {OUTCOME_LABELS[o]} <span className="font-mono">{p.byOutcome[o]}</span>
                            </Link>
                          ))}
                          {p.withoutDecision ? (
                            <span>
                              No decision <span className="font-mono">{p.withoutDecision}</span>
                            </span>
                          ) : null}
                        </span>
                      </PhoneRow>
                    </Fragment>
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
