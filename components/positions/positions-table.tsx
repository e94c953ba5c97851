'use client'

import Link from 'next/link'
import { useQuote } from '@/components/live/quote-store'
import { ModeBadge } from '@/components/ui/mode-badge'
import { StatusBadge } from '@/components/ui/status-badge'
import { LAPTOP_ONLY, PhoneRow } from '@/components/ui/phone-row'
import type { AccountMode } from '@/lib/generated/prisma/enums'
import type { PositionView } from '@/lib/server/positions/position-views'
import { formatDecimal, formatPercent, formatPnl, pnlTone } from '@/lib/ui/decimal-format'
import { livePnl } from '@/lib/ui/live-pnl'

export const th = 'px-2 py-1.5 text-left text-[11px] font-medium uppercase tracking-wider text-neutral-500'
export const td = 'px-2 py-1.5 align-top whitespace-nowrap'
export const num = 'px-2 py-1.5 align-top whitespace-nowrap text-right font-mono tabular-nums'

/** A position's average entry price, or a dash while nothing of it has filled. */
export const avgEntryText = (p: Pick<PositionView, 'entryQty' | 'avgEntryPrice'>) => (p.entryQty === '0' ? '—' : formatDecimal(p.avgEntryPrice))
/** A position's average exit price, or a dash while nothing of it has been sold back. */
export const avgExitText = (p: Pick<PositionView, 'avgExitPrice'>) => (p.avgExitPrice === '0' ? '—' : formatDecimal(p.avgExitPrice))

/** Live mark and unrealized PnL: from the streamed quote when there is one, else the server's. */
export function useLivePnl(p: PositionView) {
  const quote = useQuote(p.symbol)
  const live = livePnl(p, quote)
  return live
    ? { mark: live.mark, pnl: live.pnl, pct: live.pct }
    : { mark: p.markPrice, pnl: p.unrealizedPnl, pct: p.unrealizedPnlPct }
}

/** The levels not canceled, filled ones struck through: one under another, or (inline, a phone's row) on one line. */
export function TakeProfitList({ tps, inline = false }: { tps: PositionView['takeProfits']; inline?: boolean }) {
  const shown = tps.filter((t) => t.status !== 'CANCELED')
  if (shown.length === 0) return <span className="text-neutral-600">—</span>
  return (
    <span className={inline ? '' : 'flex flex-col gap-0.5'}>
      {shown.map((t, i) => (
        <span key={t.id} className={t.status === 'FILLED' ? 'text-emerald-400 line-through decoration-emerald-700' : ''} title={t.status}>
          {inline && i > 0 ? ', ' : ''}
          {formatDecimal(t.price)} <span className="text-neutral-500">({formatDecimal(t.sharePct)}%)</span>
        </span>
      ))}
    </span>
  )
}

/** Each trader's account mode, by trader id: positions are badged with their trader's. */
export type TraderModes = Record<string, AccountMode>

/** The trader's name under a position's symbol, with its account's mode. */
export function TraderLine({ name, mode }: { name: string; mode?: AccountMode }) {
  return (
    <div className="flex items-center gap-1.5 text-[11px] text-neutral-500">
      {name}
      {mode ? <ModeBadge mode={mode} /> : null}
    </div>
  )
}

function PositionRow({ p, mode }: { p: PositionView; mode?: AccountMode }) {
  const live = useLivePnl(p)
  return (
    <>
      <tr className="border-t border-neutral-800 hover:bg-neutral-900/60" data-position-id={p.id}>
        <td className={td}>
          <Link href={`/positions/${p.id}`} className="font-medium text-emerald-300 hover:underline">
            {p.symbol}
          </Link>
          <TraderLine name={p.traderName} mode={mode} />
          {/* Below a laptop's width the PnL columns are hidden: the figure that matters most is here, the levels in the row under it. */}
          <div className={`font-mono text-xs tabular-nums xl:hidden ${pnlTone(live.pnl)}`} data-testid="unrealized-pnl-compact">
            {formatPnl(live.pnl)} ({formatPercent(live.pct)})
          </div>
        </td>
        <td className={td}>
          <StatusBadge value={p.side} />
        </td>
        <td className={td}>
          <StatusBadge value={p.status} title={p.statusReason ?? undefined} />
          {p.entryType === 'LIMIT' && p.openQty === '0' ? (
            <div className="text-[11px] text-neutral-500">limit {formatDecimal(p.limitPrice)}</div>
          ) : null}
        </td>
        <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(p.openQty)}</td>
        <td className={`${num} ${LAPTOP_ONLY}`}>{avgEntryText(p)}</td>
        <td className={`${num} ${LAPTOP_ONLY}`} data-testid="mark">
          {formatDecimal(live.mark)}
        </td>
        <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(live.pnl)}`} data-testid="unrealized-pnl">
          {formatPnl(live.pnl)}
        </td>
        <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(live.pct)}`} data-testid="unrealized-pnl-pct">
          {formatPercent(live.pct)}
        </td>
        <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(p.stopLoss)}</td>
        <td className={`${num} ${LAPTOP_ONLY} text-xs`}>
          <TakeProfitList tps={p.takeProfits} />
        </td>
      </tr>
      <PhoneRow until="xl" className="space-y-0.5 font-mono text-xs tabular-nums text-neutral-300" data-levels-of={p.id}>
        <div>
          {formatDecimal(p.openQty)} @ {avgEntryText(p)} <span className="text-neutral-500">· mark</span> {formatDecimal(live.mark)}
        </div>
        <div>
          <span className="text-neutral-500">SL</span> {formatDecimal(p.stopLoss)} <span className="text-neutral-500">· TP</span> <TakeProfitList tps={p.takeProfits} inline />
        </div>
      </PhoneRow>
    </>
  )
}

export function OpenPositionsTable({ positions, modes = {} }: { positions: PositionView[]; modes?: TraderModes }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label="Open positions">
        <thead>
          <tr>
            <th className={th}>Symbol</th>
            <th className={th}>Side</th>
            <th className={th}>Status</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Qty</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Avg entry</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Mark</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Unrealized PnL</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>PnL %</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>SL</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>TPs</th>
          </tr>
        </thead>
        <tbody>
          {positions.map((p) => (
            <PositionRow key={p.id} p={p} mode={modes[p.traderId]} />
          ))}
        </tbody>
      </table>
    </div>
  )
}
