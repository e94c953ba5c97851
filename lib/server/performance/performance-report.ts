import type { DbTx } from '@/lib/db/client'
import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { dailyPnl } from '@/lib/domain/performance/daily-pnl'
import { dailyReturns } from '@/lib/domain/performance/daily-returns'
import { drawdownSeries, maxDrawdown } from '@/lib/domain/performance/drawdown'
import { combineAccountCurves } from '@/lib/domain/performance/equity-curve'
import { exposure } from '@/lib/domain/performance/exposure'
import { unavailable, type Metric } from '@/lib/domain/performance/metric'
import { annualizedReturn, totalReturn } from '@/lib/domain/performance/returns'
import { calmarRatio, sharpeRatio, sortinoRatio } from '@/lib/domain/performance/risk-ratios'
import { breakdownBy } from '@/lib/domain/performance/trade-breakdown'
import { TRADE_SOURCE_LABELS, TRADE_SOURCES, type TradeSource } from '@/lib/domain/performance/trade-source'
import { tradeStats, type TradeStats } from '@/lib/domain/performance/trade-stats'
import { tradesOfLegs } from '@/lib/domain/performance/group-trades'
import { assertKnownTimeZone } from '@/lib/domain/risk/trading-day'
import { decisionPerformance, type DecisionPerformanceView } from '@/lib/server/decisions/decision-performance'
import { loadClosedTrades, type ClosedTrade } from './closed-trades'
import { loadEquityHistory, MAX_CURVE_POINTS } from './equity-history'
import type { AccountMode, PerformanceQuery } from './performance-query'

/** A figure that may not exist: its value (a decimal string) or why there is none. */
export interface FigureView {
  value: string | null
  reason: string | null
}

export interface TradeFiguresView {
  closedTrades: number
  wins: number
  losses: number
  breakeven: number
  totalPnl: string
  grossProfit: string
  grossLoss: string
  feesPaid: string
  winRatePct: FigureView
  profitFactor: FigureView
  expectancy: FigureView
  avgWin: FigureView
  avgLoss: FigureView
  largestWin: FigureView
  largestLoss: FigureView
  sqn: FigureView
  maxConsecutiveWins: number
  maxConsecutiveLosses: number
  exposure: { inMarketMs: number; periodMs: number; pct: FigureView; periodStart: string | null; periodEnd: string }
}

export interface EquityView {
  /** Why there is no curve; null when there is one. */
  reason: string | null
  /** What the curve does and does not cover, for the current filters. */
  notes: string[]
  accounts: number
  snapshots: number
  unpricedSkipped: number
  start: { at: string; equity: string } | null
  end: { at: string; equity: string } | null
  totalReturnPct: FigureView
  annualizedReturnPct: FigureView
  maxDrawdownPct: FigureView
  maxDrawdownDurationMs: number | null
  maxDrawdownRecovered: boolean | null
  sharpe: FigureView
  sortino: FigureView
  calmar: FigureView
  /** Days the daily returns cover. */
  days: number
  curve: { at: string; equity: string; drawdownPct: string }[]
}

export interface BreakdownRowView {
  key: string
  label: string
  closedTrades: number
  wins: number
  losses: number
  winRatePct: string | null
  totalPnl: string
  feesPaid: string
  profitFactor: FigureView
}

export interface PerformanceReportView extends DecisionPerformanceView {
  scope: {
    mode: AccountMode
    /** The quote currency every money figure is in; null when no trader trades in this mode. */
    currency: string | null
    /** The quote currencies of the user's traders in this mode (figures never add them up). */
    currencies: string[]
    timeZone: string
    from: string | null
    to: string | null
  }
  trades: TradeFiguresView
  equity: EquityView
  dailyPnl: { day: string; pnl: string; trades: number }[]
  byTrader: BreakdownRowView[]
  bySymbol: BreakdownRowView[]
  bySource: BreakdownRowView[]
  /** Symbols of the user's closed trades in this mode, for the symbol filter. */
  symbols: string[]
}

/** Averages are quotients: shown to 8 places (half up); sums stay exact. */
const AVG_DP = 8
const RATIO_DP = 4

const figure = (m: Metric, show: (v: Decimal) => string): FigureView => (m.value === null ? { value: null, reason: m.reason } : { value: show(m.value), reason: null })
const money = (m: Metric) => figure(m, (v) => v.toFixed())
const avg = (m: Metric) => figure(m, (v) => v.toDecimalPlaces(AVG_DP).toFixed())
const pct = (m: Metric) => figure(m, (v) => v.mul(100).toFixed(2))
const ratio = (m: Metric) => figure(m, (v) => v.toFixed(RATIO_DP))

/**
 * Performance of every closed trade of the user (manual, rules, AI, signals) with the filters,
 * in one account mode and one quote currency: trade statistics, the equity curve with its
 * drawdown and daily-return ratios, daily PnL, breakdowns by trader, symbol and source, and the
 * decisions' breakdown by provider, action and confidence.
 */
export async function performanceReport(opts: { db: DbTx; userId: string; query: PerformanceQuery; now?: Date }): Promise<PerformanceReportView> {
  const { db, userId, query: q } = opts
  const now = opts.now ?? new Date()
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { timeZone: true } })
  const timeZone = user.timeZone
  // Refused whether or not there are days to count yet, so the report never depends on it.
  assertKnownTimeZone(timeZone)

  // The traders in scope (a traderId that is not the user's matches none: no figures, no error).
  const traders = await db.trader.findMany({
    where: { userId, account: { mode: q.mode }, ...(q.traderId ? { id: q.traderId } : {}) },
    select: { id: true, accountId: true, account: { select: { name: true, kind: true, quoteCurrency: true, _count: { select: { traders: true } } } } },
  })
  const perCurrency = new Map<string, number>()
  for (const t of traders) perCurrency.set(t.account.quoteCurrency, (perCurrency.get(t.account.quoteCurrency) ?? 0) + 1)
  const currencies = [...perCurrency.keys()].sort((a, b) => perCurrency.get(b)! - perCurrency.get(a)! || a.localeCompare(b))
  const symbolQuote = q.symbol?.split('/')[1]
  const currency = q.currency ?? (symbolQuote && perCurrency.has(symbolQuote) ? symbolQuote : (currencies[0] ?? null))
  const scoped = traders.filter((t) => t.account.quoteCurrency === currency)

  const [trades, decisions, symbolRows] = await Promise.all([
    currency ? loadClosedTrades(db, userId, { ...q, currency }) : Promise.resolve([]),
    decisionPerformance({ db, userId, traderId: q.traderId, symbol: q.symbol, source: q.source, from: q.from, to: q.to, mode: q.mode, currency: currency ?? undefined }),
    db.position.groupBy({ by: ['symbol'], where: { status: 'CLOSED', trader: { userId }, account: { mode: q.mode } }, orderBy: { symbol: 'asc' } }),
  ])

  const equity = await equityView(db, {
    accounts: [...new Map(scoped.map((t) => [t.accountId, t.account])).entries()].map(([id, a]) => ({ id, ...a, sharedBy: a._count.traders })),
    fromMs: q.from?.getTime() ?? 0,
    toMs: q.to?.getTime() ?? now.getTime() + 1,
    timeZone,
    traderFilter: !!q.traderId,
    partialFilters: !!(q.symbol || q.source),
    currency,
  })

  // The statistics count a position group's closed legs as one trade (at its last close), as the
  // losing-streak breaker does; exposure and daily PnL follow each position's own times.
  const deals = tradesOfLegs([...trades].reverse()).reverse()
  return {
    scope: { mode: q.mode, currency, currencies, timeZone, from: q.from?.toISOString() ?? null, to: q.to?.toISOString() ?? null },
    trades: tradeFigures(tradeStats(deals), trades, q.from ?? null, q.to ?? now),
    equity,
    dailyPnl: dailyPnl(
      trades.map((t) => ({ closedAt: t.closedAt.getTime(), pnl: t.pnl, trade: t.groupId ?? t.positionId })),
      timeZone,
    ).map((d) => ({ day: d.day, pnl: d.pnl.toFixed(), trades: d.trades })),
    byTrader: breakdownBy(deals, (t) => t.traderId).map((g) => breakdownRow(g.key, deals.find((t) => t.traderId === g.key)!.traderName, g.stats)),
    bySymbol: breakdownBy(deals, (t) => t.symbol)
      .map((g) => breakdownRow(g.key, g.key, g.stats))
      .sort((a, b) => a.key.localeCompare(b.key)),
    bySource: breakdownBy(deals, (t) => t.source)
      .map((g) => breakdownRow(g.key, TRADE_SOURCE_LABELS[g.key as TradeSource], g.stats))
      .sort((a, b) => TRADE_SOURCES.indexOf(a.key as TradeSource) - TRADE_SOURCES.indexOf(b.key as TradeSource)),
    symbols: symbolRows.map((r) => r.symbol),
    ...decisions,
  }
}

function tradeFigures(s: TradeStats, trades: readonly ClosedTrade[], from: Date | null, to: Date): TradeFiguresView {
  // The period: the one asked for, or from the first trade's opening until now.
  const opened = trades.map((t) => t.openedAt?.getTime()).filter((t): t is number => t !== undefined)
  const start = from?.getTime() ?? (opened.length ? Math.min(...opened) : null)
  const e =
    start === null
      ? { inMarketMs: 0, periodMs: 0, share: unavailable('no closed trades') }
      : exposure(
          trades.filter((t) => t.openedAt).map((t) => ({ start: t.openedAt!.getTime(), end: t.closedAt.getTime() })),
          { start, end: to.getTime() },
        )
  return {
    closedTrades: s.closedTrades,
    wins: s.wins,
    losses: s.losses,
    breakeven: s.breakeven,
    totalPnl: s.totalPnl.toFixed(),
    grossProfit: s.grossProfit.toFixed(),
    grossLoss: s.grossLoss.toFixed(),
    feesPaid: s.feesPaid.toFixed(),
    winRatePct: pct(s.winRate),
    profitFactor: ratio(s.profitFactor),
    expectancy: avg(s.expectancy),
    avgWin: avg(s.avgWin),
    avgLoss: avg(s.avgLoss),
    largestWin: money(s.largestWin),
    largestLoss: money(s.largestLoss),
    sqn: ratio(s.sqn),
    maxConsecutiveWins: s.maxConsecutiveWins,
    maxConsecutiveLosses: s.maxConsecutiveLosses,
    exposure: { inMarketMs: e.inMarketMs, periodMs: e.periodMs, pct: pct(e.share), periodStart: start === null ? null : new Date(start).toISOString(), periodEnd: to.toISOString() },
  }
}

function breakdownRow(key: string, label: string, s: TradeStats): BreakdownRowView {
  return {
    key,
    label,
    closedTrades: s.closedTrades,
    wins: s.wins,
    losses: s.losses,
    winRatePct: s.winRate.value === null ? null : s.winRate.value.mul(100).toFixed(2),
    totalPnl: s.totalPnl.toFixed(),
    feesPaid: s.feesPaid.toFixed(),
    profitFactor: ratio(s.profitFactor),
  }
}

interface ScopeAccount {
  id: string
  name: string
  kind: 'PAPER' | 'CCXT'
  sharedBy: number
}

async function equityView(
  db: DbTx,
  o: { accounts: ScopeAccount[]; fromMs: number; toMs: number; timeZone: string; traderFilter: boolean; partialFilters: boolean; currency: string | null },
): Promise<EquityView> {
  const none = (reason: string, notes: string[] = [], unpricedSkipped = 0): EquityView => ({
    reason,
    notes,
    accounts: o.accounts.length,
    snapshots: 0,
    unpricedSkipped,
    start: null,
    end: null,
    totalReturnPct: { value: null, reason },
    annualizedReturnPct: { value: null, reason },
    maxDrawdownPct: { value: null, reason },
    maxDrawdownDurationMs: null,
    maxDrawdownRecovered: null,
    sharpe: { value: null, reason },
    sortino: { value: null, reason },
    calmar: { value: null, reason },
    days: 0,
    curve: [],
  })
  const notes: string[] = []
  if (o.partialFilters) notes.push('Equity is the whole account: the symbol and source filters apply to the trade figures only.')
  if (o.traderFilter) for (const a of o.accounts) if (a.sharedBy > 1) notes.push(`Account "${a.name}" is shared by ${a.sharedBy} traders: its equity includes the others' trades.`)
  if (o.accounts.some((a) => a.kind === 'CCXT')) notes.push('Deposits and withdrawals on an exchange account are not known here: they show as gains or losses.')
  if (o.accounts.length === 0) return none(o.currency === null ? 'no trader trades in this mode' : 'no trader trades in this currency')

  const h = await loadEquityHistory(db, { accountIds: o.accounts.map((a) => a.id), fromMs: o.fromMs, toMs: o.toMs, timeZone: o.timeZone })
  if (h.unpriced) notes.push(`${h.unpriced} snapshot(s) left out: some asset had no price, so their equity was incomplete.`)
  if (h.snapshots === 0) {
    return none('no equity snapshots in this period yet: the worker records each account\'s equity on a schedule and after every fill', notes, h.unpriced)
  }
  if (h.snapshots > MAX_CURVE_POINTS) notes.push(`The curve and its drawdown use the last of every ${MAX_CURVE_POINTS}th of the period (${h.snapshots} snapshots in all).`)

  const curve = combineAccountCurves(h.curve)
  const index = curve.map((p) => ({ at: p.at, index: p.index }))
  const dd = maxDrawdown(index)
  const total = totalReturn(index)
  const first = curve[0]!
  const last = curve[curve.length - 1]!
  const annualized = annualizedReturn(total, last.at - first.at)
  const daily = dailyReturns(
    combineAccountCurves(h.daily).map((p) => ({ at: p.at, index: p.index })),
    o.timeZone,
  ).map((d) => d.ret)
  const drawdowns = drawdownSeries(index)
  const hasFall = dd.depth.gt(ZERO)
  return {
    reason: null,
    notes,
    accounts: o.accounts.length,
    snapshots: h.snapshots,
    unpricedSkipped: h.unpriced,
    start: { at: new Date(first.at).toISOString(), equity: first.equity.toFixed() },
    end: { at: new Date(last.at).toISOString(), equity: last.equity.toFixed() },
    totalReturnPct: pct(total),
    annualizedReturnPct: pct(annualized),
    maxDrawdownPct: pct({ value: dd.depth, reason: null }),
    maxDrawdownDurationMs: hasFall ? dd.durationMs : null,
    maxDrawdownRecovered: hasFall ? dd.recoveredAt !== null : null,
    sharpe: ratio(sharpeRatio(daily)),
    sortino: ratio(sortinoRatio(daily)),
    calmar: ratio(calmarRatio(annualized, dd.depth)),
    days: daily.length,
    curve: curve.map((p, i) => ({ at: new Date(p.at).toISOString(), equity: p.equity.toFixed(), drawdownPct: drawdowns[i]!.drawdown.mul(100).toFixed(2) })),
  }
}
