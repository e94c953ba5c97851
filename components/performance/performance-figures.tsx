import type { EquityView, FigureView, TradeFiguresView } from '@/lib/server/performance/performance-report'
import { formatDecimal, formatPnl, formatQuoteAmount, pnlTone } from '@/lib/ui/decimal-format'

/** One figure: its name, its value (or a dash and why there is none) and a one-line definition. */
export function FigureCard({ id, label, value, tone, definition, note }: { id: string; label: string; value: string; tone?: string; definition: string; note?: string | null }) {
  return (
    <div className="min-w-0 rounded border border-neutral-800 bg-neutral-950/40 px-3 py-2" data-figure={id}>
      <dt className="text-[11px] font-medium uppercase tracking-wider text-neutral-500">{label}</dt>
      <dd className={`mt-0.5 truncate font-mono text-base tabular-nums ${tone ?? 'text-neutral-100'}`} title={value}>
        {value}
      </dd>
      {note ? <dd className="text-xs text-amber-300/80">{note}</dd> : null}
      <dd className="mt-0.5 text-xs leading-snug text-neutral-500">{definition}</dd>
    </div>
  )
}

export const shown = (f: FigureView, format: (v: string) => string) => (f.value === null ? '—' : format(f.value))
export const pct = (v: string) => `${formatDecimal(v, { dp: 2 })}%`
const signedPct = (v: string) => `${formatDecimal(v, { dp: 2, sign: true })}%`
export const ratio = (v: string) => formatDecimal(v, { dp: 2 })
/** A breakdown row's win rate (already a percentage to 2 places), or a dash when nothing closed. */
export const winRateText = (v: string | null) => (v === null ? '—' : `${v}%`)
const money = (currency: string | null) => (v: string) => `${formatPnl(v)}${currency ? ` ${currency}` : ''}`

/** '4 d 3 h', '5 h 10 min', '42 s'. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 24) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`
  const d = Math.floor(h / 24)
  return `${d} d${h % 24 ? ` ${h % 24} h` : ''}`
}

export function TradeFigures({ t, currency }: { t: TradeFiguresView; currency: string | null }) {
  const m = money(currency)
  return (
    <dl className="grid grid-cols-2 gap-2 md:grid-cols-3 xl:grid-cols-4" aria-label="Trade figures">
      <FigureCard id="totalPnl" label="Total PnL" value={m(t.totalPnl)} tone={pnlTone(t.totalPnl)} definition="Sum of the closed trades' realized PnL, net of fees." />
      <FigureCard id="closedTrades" label="Closed trades" value={`${t.closedTrades} (${t.wins} W / ${t.losses} L)`} definition="Closed positions; the legs of a position group are one trade. A trade closed at exactly 0 is neither." />
      <FigureCard id="winRate" label="Win rate" value={shown(t.winRatePct, pct)} note={t.winRatePct.reason} definition="Winning trades / closed trades." />
      <FigureCard id="profitFactor" label="Profit factor" value={shown(t.profitFactor, ratio)} note={t.profitFactor.reason} definition="Gross profit / |gross loss|." />
      <FigureCard id="expectancy" label="Expectancy" value={shown(t.expectancy, m)} tone={pnlTone(t.expectancy.value)} note={t.expectancy.reason} definition="Win rate × average win − loss rate × |average loss|: the mean PnL per trade." />
      <FigureCard id="avgWin" label="Average win" value={shown(t.avgWin, m)} tone={pnlTone(t.avgWin.value)} note={t.avgWin.reason} definition="Mean PnL of the winning trades." />
      <FigureCard id="avgLoss" label="Average loss" value={shown(t.avgLoss, m)} tone={pnlTone(t.avgLoss.value)} note={t.avgLoss.reason} definition="Mean PnL of the losing trades." />
      <FigureCard id="largestWin" label="Largest win" value={shown(t.largestWin, m)} tone={pnlTone(t.largestWin.value)} note={t.largestWin.reason} definition="The best single trade." />
      <FigureCard id="largestLoss" label="Largest loss" value={shown(t.largestLoss, m)} tone={pnlTone(t.largestLoss.value)} note={t.largestLoss.reason} definition="The worst single trade." />
      <FigureCard id="sqn" label="SQN" value={shown(t.sqn, ratio)} note={t.sqn.reason} definition="System quality number: √trades × mean PnL / standard deviation of PnL." />
      <FigureCard
        id="exposure"
        label="Exposure"
        value={shown(t.exposure.pct, pct)}
        note={t.exposure.pct.reason ?? (t.exposure.periodMs ? `${formatDuration(t.exposure.inMarketMs)} of ${formatDuration(t.exposure.periodMs)}` : null)}
        definition="Share of the period with at least one of these trades open."
      />
      <FigureCard id="fees" label="Fees paid" value={`${formatQuoteAmount(t.feesPaid)}${currency ? ` ${currency}` : ''}`} definition="Every fee on these trades' fills, in the quote currency." />
    </dl>
  )
}

export function EquityFigures({ e }: { e: EquityView }) {
  const ddNote =
    e.maxDrawdownPct.reason ??
    (e.maxDrawdownDurationMs === null ? 'no fall from a high' : `${formatDuration(e.maxDrawdownDurationMs)}${e.maxDrawdownRecovered ? ', recovered' : ', not recovered yet'}`)
  return (
    <dl className="grid grid-cols-2 gap-2 md:grid-cols-3" aria-label="Equity figures">
      <FigureCard id="totalReturn" label="Total return" value={shown(e.totalReturnPct, signedPct)} tone={pnlTone(e.totalReturnPct.value)} note={e.totalReturnPct.reason} definition="Change of account equity over the period, time-weighted: funding a new trader is not a gain." />
      <FigureCard id="annualizedReturn" label="Annualized return" value={shown(e.annualizedReturnPct, signedPct)} tone={pnlTone(e.annualizedReturnPct.value)} note={e.annualizedReturnPct.reason} definition="Total return compounded to a year: (1 + r)^(365 / days) − 1." />
      <FigureCard id="maxDrawdown" label="Max drawdown" value={shown(e.maxDrawdownPct, (v) => (/^0(\.0+)?$/.test(v) ? '0.00%' : `-${formatDecimal(v, { dp: 2 })}%`))} note={ddNote} definition="Deepest fall of equity from a previous high, and how long until it was back." />
      <FigureCard id="sharpe" label="Sharpe" value={shown(e.sharpe, ratio)} note={e.sharpe.reason} definition="Mean daily return / its standard deviation × √365." />
      <FigureCard id="sortino" label="Sortino" value={shown(e.sortino, ratio)} note={e.sortino.reason} definition="Mean daily return / downside deviation (losing days) × √365." />
      <FigureCard id="calmar" label="Calmar" value={shown(e.calmar, ratio)} note={e.calmar.reason} definition="Annualized return / max drawdown." />
    </dl>
  )
}
