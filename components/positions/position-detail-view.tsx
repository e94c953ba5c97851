'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { Fragment, type ReactNode } from 'react'
import { DownloadCsvLink } from '@/components/exports/download-csv-link'
import { PositionPriceChart } from '@/components/charts/position-price-chart'
import { fetchJson } from '@/components/live/fetch-json'
import { LiveIndicator } from '@/components/live/live-indicator'
import { queryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { PositionDecisions } from '@/components/decisions/position-decisions'
import { FillsTable, OrdersTable } from '@/components/positions/order-tables'
import { CancelEntryButton, ClosePositionForm, ModifyProtectionForm } from '@/components/positions/position-actions'
import { avgEntryText, avgExitText, td, th, TakeProfitList, useLivePnl } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import { ModeBadge } from '@/components/ui/mode-badge'
import { LAPTOP_ONLY, PhoneRow } from '@/components/ui/phone-row'
import type { AccountMode } from '@/lib/generated/prisma/enums'
import type { getPositionDetail } from '@/lib/server/positions/position-views'
import { formatDecimal, formatPercent, formatPnl, formatQuoteAmount, pnlTone } from '@/lib/ui/decimal-format'
import { formatTimestamp } from '@/lib/ui/time-format'
import { refusedStopReason } from '@/lib/ui/refused-stop'
import { positionReasonText } from '@/lib/ui/position-reason'
import { SoftBreaks } from '@/components/ui/soft-breaks'

export type PositionDetail = Awaited<ReturnType<typeof getPositionDetail>>

function Stat({ label, children, tone, testId }: { label: string; children: ReactNode; tone?: string; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] uppercase tracking-wider text-neutral-500">{label}</dt>
      <dd className={`font-mono text-sm tabular-nums ${tone ?? 'text-neutral-100'}`} data-testid={testId}>
        {children}
      </dd>
    </div>
  )
}

function snapshotValue(v: unknown): string {
  if (typeof v === 'string') return v
  // Take-profit lists read as "price (share%)".
  if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'price' in x && 'sharePct' in x)) {
    return v.map((x: { price: unknown; sharePct: unknown }) => `${String(x.price)} (${String(x.sharePct)}%)`).join(', ') || 'none'
  }
  return JSON.stringify(v)
}

/** A before/after snapshot: one line per top-level key. */
function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-neutral-600">—</span>
  const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Record<string, unknown>) : [['', value] as const]
  return (
    <dl className="min-w-[10rem] space-y-0.5 font-mono text-[11px] text-neutral-400">
      {entries.map(([k, v]) => (
        <div key={k} className="wrap-anywhere">
          {k ? <dt className="inline text-neutral-500">{k}: </dt> : null}
          <dd className="inline">{snapshotValue(v)}</dd>
        </div>
      ))}
    </dl>
  )
}

/** An event's before or after state, labelled, for the phone layout's row under the event. */
function Snapshot({ label, value }: { label: string; value: unknown }) {
  return (
    <div>
      <div className="text-[11px] uppercase tracking-wider text-neutral-500">{label}</div>
      <Json value={value} />
    </div>
  )
}

const TRIGGER_TONES: Record<string, string> = {
  AI_ANALYSIS: 'border-violet-800 bg-violet-950 text-violet-300',
  RULE_ENGINE: 'border-sky-800 bg-sky-950 text-sky-300',
  USER_MANUAL: 'border-amber-800 bg-amber-950 text-amber-300',
}

/** Why a change happened, shown as stored (AI_ANALYSIS, RULE_ENGINE, USER_MANUAL). */
function TriggerBadge({ trigger }: { trigger: string }) {
  return (
    <span data-trigger={trigger} className={`inline-flex items-center rounded border px-1.5 py-px font-mono text-[10px] font-semibold leading-4 ${TRIGGER_TONES[trigger] ?? 'border-neutral-700 bg-neutral-900 text-neutral-300'}`}>
      {trigger}
    </span>
  )
}

type AuditEvent = PositionDetail['events'][number]

/** What set a change off (AI analysis, the rule engine, a person), with the decision behind it. */
function EventTrigger({ e }: { e: AuditEvent }) {
  if (!e.trigger) return <span className="text-neutral-600">—</span>
  return (
    <span className="inline-flex flex-col items-start gap-0.5" data-testid="event-trigger">
      <TriggerBadge trigger={e.trigger} />
      {e.decisionId ? (
        <Link href={`/decisions/${e.decisionId}`} className="text-[11px] text-emerald-400 hover:underline">
          decision
        </Link>
      ) : null}
    </span>
  )
}

/** The status an event moved the position or order from, and to. */
function EventTransition({ e }: { e: AuditEvent }) {
  if (!e.fromStatus && !e.toStatus) return <span className="text-neutral-600">—</span>
  return (
    <span className="inline-flex items-center gap-1" data-testid="event-transition">
      {e.fromStatus ? <StatusBadge value={e.fromStatus} /> : <span className="text-neutral-600">—</span>}→
      {e.toStatus ? <StatusBadge value={e.toStatus} /> : <span className="text-neutral-600">—</span>}
    </span>
  )
}

export function PositionDetailView({ initial, mode }: { initial: PositionDetail; mode?: AccountMode }) {
  useLiveEvents()
  const id = initial.position.id
  const { data = initial, error } = useQuery({
    queryKey: queryKeys.position(id),
    queryFn: () => fetchJson<PositionDetail>(`/api/ui/positions/${id}`),
    initialData: initial,
  })
  const { position: p, orders, fills, events, decisions, decisionCount } = data
  const live = useLivePnl(p)
  // CLOSING keeps the forms mounted (disabled) so their messages survive a partial close.
  const canClose = ['OPEN', 'MONITORING', 'CLOSING'].includes(p.status)
  const canModify = ['SUBMITTING', 'OPEN', 'MONITORING', 'CLOSING'].includes(p.status)
  const restingEntry = orders.find((o) => o.purpose === 'ENTRY' && o.type === 'LIMIT' && (o.status === 'SUBMITTED' || o.status === 'PARTIALLY_FILLED'))
  const active = !['CLOSED', 'FAILED'].includes(p.status)

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <Link href="/" className="text-xs text-neutral-500 hover:text-neutral-300">
          ← Dashboard
        </Link>
        <h1 className="text-lg font-semibold">
          {p.symbol} <span className="text-sm font-normal text-neutral-400">· {p.traderName}</span>
        </h1>
        {mode ? <ModeBadge mode={mode} /> : null}
        <StatusBadge value={p.side} />
        <span data-testid="position-status">
          <StatusBadge value={p.status} />
        </span>
        {p.statusReason ? (
          <span className="text-xs text-neutral-400" data-testid="status-reason">
            {positionReasonText(p.statusReason)}
          </span>
        ) : null}
        <span className="ml-auto">{active ? <LiveIndicator /> : null}</span>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not refresh: {error.message}
        </p>
      ) : null}

      <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
        <div className="min-w-0 space-y-4">
          <PositionPriceChart detail={data} />

          <Panel title="Summary">
            <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              <Stat label="Entry">
                {p.entryType}
                {p.limitPrice ? ` @ ${formatDecimal(p.limitPrice)}` : ''}
              </Stat>
              <Stat label="Requested qty">{formatDecimal(p.requestedQty)}</Stat>
              <Stat label="Open qty" testId="open-qty">
                {formatDecimal(p.openQty)}
              </Stat>
              <Stat label="Filled entry qty">{formatDecimal(p.entryQty)}</Stat>
              <Stat label="Avg entry">{avgEntryText(p)}</Stat>
              <Stat label="Avg exit">{avgExitText(p)}</Stat>
              <Stat label="Mark">{formatDecimal(live.mark)}</Stat>
              <Stat label="Unrealized PnL" tone={pnlTone(live.pnl)} testId="unrealized-pnl">
                {formatPnl(live.pnl)} <span className="text-xs">({formatPercent(live.pct)})</span>
              </Stat>
              <Stat label="Realized PnL" tone={pnlTone(p.realizedPnl)} testId="realized-pnl">
                {formatPnl(p.realizedPnl)}
              </Stat>
              <Stat label="Fees">
                <span title={formatDecimal(p.fees)}>{formatQuoteAmount(p.fees)}</span>
              </Stat>
              <Stat label="Stop loss">{formatDecimal(p.stopLoss)}</Stat>
              <Stat label="Protection" testId="protection">
                <ProtectionState position={p} orders={orders} mode={mode} />
              </Stat>
              <Stat label="Take-profits">
                <TakeProfitList tps={p.takeProfits} />
              </Stat>
              <Stat label="Created">{formatTimestamp(p.createdAt)}</Stat>
              <Stat label="Opened">{formatTimestamp(p.openedAt)}</Stat>
              <Stat label="Closed">{formatTimestamp(p.closedAt)}</Stat>
            </dl>
          </Panel>

          <Panel title="Orders" actions={orders.length ? <DownloadCsvLink href={`/api/v1/orders.csv?positionId=${p.id}`} /> : null}>
            {orders.length === 0 ? (
              <EmptyState>No orders.</EmptyState>
            ) : (
              <OrdersTable orders={orders} />
            )}
          </Panel>

          <Panel title="Fills" actions={fills.length ? <DownloadCsvLink href={`/api/v1/fills.csv?positionId=${p.id}`} /> : null}>
            {fills.length === 0 ? (
              <EmptyState>{active ? 'No fills yet: the entry order has not traded.' : 'No fills: this position never traded.'}</EmptyState>
            ) : (
              <FillsTable fills={fills} />
            )}
          </Panel>

        </div>

        <div className="space-y-4 self-start">
          {restingEntry ? (
            <Panel title="Resting entry">
              <p className="mb-2 text-xs text-neutral-400">
                Limit {restingEntry.side.toLowerCase()} {formatDecimal(restingEntry.qty)} @ {formatDecimal(restingEntry.price)} waits for the market to trade through it.
              </p>
              <CancelEntryButton positionId={p.id} />
            </Panel>
          ) : null}
          {canClose ? (
            <Panel title="Close">
              <ClosePositionForm positionId={p.id} busy={p.status === 'CLOSING'} />
            </Panel>
          ) : null}
          {canModify ? (
            <Panel title="Protection">
              <ModifyProtectionForm position={p} disabled={p.status === 'CLOSING'} />
            </Panel>
          ) : null}
          {!active ? (
            <Panel title="Outcome">
              <p className="text-sm text-neutral-300">
                This position is <StatusBadge value={p.status} />
                {p.statusReason ? <> — {positionReasonText(p.statusReason)}</> : null}. Nothing more can be changed.
              </p>
            </Panel>
          ) : !canClose && !canModify && !restingEntry ? (
            <Panel title="Actions">
              <p className="text-sm text-neutral-400">Waiting for the exchange: actions return once the position is open.</p>
            </Panel>
          ) : null}
        </div>
      </div>

      <Panel
        title="Decisions"
        actions={
          decisionCount > 0 ? (
            <Link href={`/decisions?positionId=${p.id}`} className="text-xs text-emerald-400 hover:underline">
              {decisionCount > decisions.length ? `All ${decisionCount} in the journal` : 'Open in the journal'}
            </Link>
          ) : null
        }
      >
        <PositionDecisions decisions={decisions} />
      </Panel>

      <Panel title="Audit trail">
        {events.length === 0 ? (
          <EmptyState>No events recorded.</EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" aria-label="Audit trail">
              <thead>
                <tr>
                  <th className={th}>Time</th>
                  <th className={th}>Type</th>
                  <th className={th}>Actor</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Trigger</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>From → to</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Message</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Before</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>After</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <Fragment key={e.id}>
                    <tr className="border-t border-neutral-800">
                      <td className={`${td} font-mono text-xs text-neutral-400`}>{formatTimestamp(e.at)}</td>
                      {/* Below a laptop's width a long type breaks after an underscore (STATUS_/CHANGED) so the table fits. */}
                      <td className="px-2 py-1.5 align-top font-mono text-xs xl:whitespace-nowrap">
                        <SoftBreaks text={e.type} />
                      </td>
                      <td className={td}>
                        <StatusBadge value={e.actor} title={e.actorId ?? undefined} />
                      </td>
                      <td className={`${td} ${LAPTOP_ONLY}`}>
                        <EventTrigger e={e} />
                      </td>
                      <td className={`${td} ${LAPTOP_ONLY} text-xs`}>
                        <EventTransition e={e} />
                      </td>
                      <td className={`${LAPTOP_ONLY} min-w-[18rem] px-2 py-1.5 align-top text-xs text-neutral-200`}>{e.message}</td>
                      <td className={`${LAPTOP_ONLY} px-2 py-1.5 align-top`}>
                        <Json value={e.before} />
                      </td>
                      <td className={`${LAPTOP_ONLY} px-2 py-1.5 align-top`}>
                        <Json value={e.after} />
                      </td>
                    </tr>
                    <PhoneRow until="xl" className="space-y-1 text-xs text-neutral-200" data-testid="event-message-row">
                      {e.trigger || e.fromStatus || e.toStatus ? (
                        <div className="flex flex-wrap items-center gap-2">
                          {e.trigger ? <EventTrigger e={e} /> : null}
                          {e.fromStatus || e.toStatus ? <EventTransition e={e} /> : null}
                        </div>
                      ) : null}
                      <p>{e.message}</p>
                      {e.before !== null && e.before !== undefined ? <Snapshot label="Before" value={e.before} /> : null}
                      {e.after !== null && e.after !== undefined ? <Snapshot label="After" value={e.after} /> : null}
                    </PhoneRow>
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </div>
  )
}

/**
 * Where the stop lives: resting on the exchange (live venues), or watched by the worker (paper).
 * A live position that should be protected and has no stop resting says so in red.
 */
function ProtectionState({ position: p, orders, mode }: { position: PositionDetail['position']; orders: PositionDetail['orders']; mode?: AccountMode }) {
  const stop = p.exchangeStop
  const target = p.exchangeTarget
  if (stop) {
    const state = (o: { status: string; exchangeOrderId: string | null }) =>
      `${o.status.toLowerCase().replace('_', ' ')}${o.exchangeOrderId ? ` · exchange id ${o.exchangeOrderId}` : ' · awaiting the exchange'}`
    return (
      <span className="text-emerald-400">
        Protected on exchange: stop {formatDecimal(stop.triggerPrice)} for {formatDecimal(stop.qty)}
        {target && <> with take-profit {formatDecimal(target.price)} (one cancels the other)</>}
        <span className="block text-xs text-neutral-400">stop {state(stop)}</span>
        {target && <span className="block text-xs text-neutral-400">take-profit {state(target)}</span>}
      </span>
    )
  }
  const monitoring = p.status === 'OPEN' || p.status === 'MONITORING'
  if (mode === 'TESTNET' || mode === 'LIVE') {
    if (!monitoring) return <span className="text-neutral-400">No stop resting</span>
    const refused = refusedStopReason(orders)
    if (refused) return <span className="text-red-400">Not protected on the exchange: the exchange refused the stop ({refused})</span>
    return <span className="text-red-400">Not protected on the exchange yet: the worker is placing the stop</span>
  }
  return <span className="text-neutral-300">{monitoring ? 'Stop watched by the worker' : '—'}</span>
}
