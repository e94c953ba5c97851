import { dec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { known, unavailable, type Metric } from './metric'
import { mean, sampleStdDev } from './statistics'

/** One closed trade as the statistics see it, in the account's quote currency. */
export interface ClosedTradeResult {
  /** Realized PnL net of every fee (entry and exit), from the fill ledger. */
  pnl: Decimal
  /** Fees paid on the trade's fills. */
  fees: Decimal
}

export interface TradeStats {
  closedTrades: number
  /** PnL > 0. */
  wins: number
  /** PnL < 0. */
  losses: number
  /** Exactly zero: closed, but neither a win nor a loss. */
  breakeven: number
  /** Sum of every trade's PnL. */
  totalPnl: Decimal
  /** Sum of the winning trades' PnL (≥ 0). */
  grossProfit: Decimal
  /** Sum of the losing trades' PnL (≤ 0). */
  grossLoss: Decimal
  feesPaid: Decimal
  /** wins / closed trades, 0..1. */
  winRate: Metric
  /** grossProfit / |grossLoss|. */
  profitFactor: Metric
  /**
   * win rate × average win − loss rate × |average loss|, which is the mean PnL per closed trade
   * (computed as totalPnl / closed trades, so it is the exact quotient).
   */
  expectancy: Metric
  /** Mean PnL of the winning trades. */
  avgWin: Metric
  /** Mean PnL of the losing trades (negative). */
  avgLoss: Metric
  largestWin: Metric
  /** The most negative PnL. */
  largestLoss: Metric
  /** System quality number: √N × mean(PnL) / sample std(PnL). */
  sqn: Metric
  /** Longest run of wins, and of losses, in the order given (a zero-PnL trade breaks both). */
  maxConsecutiveWins: number
  maxConsecutiveLosses: number
}

const NO_TRADES = 'no closed trades'

/** Statistics over closed trades, given in the order they closed. */
export function tradeStats(trades: readonly ClosedTradeResult[]): TradeStats {
  let grossProfit = ZERO
  let grossLoss = ZERO
  let feesPaid = ZERO
  let largestWin: Decimal | null = null
  let largestLoss: Decimal | null = null
  let wins = 0
  let losses = 0
  let runWins = 0
  let runLosses = 0
  let maxConsecutiveWins = 0
  let maxConsecutiveLosses = 0
  for (const t of trades) {
    feesPaid = feesPaid.plus(t.fees)
    if (t.pnl.gt(0)) {
      wins++
      grossProfit = grossProfit.plus(t.pnl)
      if (largestWin === null || t.pnl.gt(largestWin)) largestWin = t.pnl
      runWins++
      runLosses = 0
    } else if (t.pnl.lt(0)) {
      losses++
      grossLoss = grossLoss.plus(t.pnl)
      if (largestLoss === null || t.pnl.lt(largestLoss)) largestLoss = t.pnl
      runLosses++
      runWins = 0
    } else {
      runWins = 0
      runLosses = 0
    }
    maxConsecutiveWins = Math.max(maxConsecutiveWins, runWins)
    maxConsecutiveLosses = Math.max(maxConsecutiveLosses, runLosses)
  }
  const n = trades.length
  const totalPnl = grossProfit.plus(grossLoss)
  return {
    closedTrades: n,
    wins,
    losses,
    breakeven: n - wins - losses,
    totalPnl,
    grossProfit,
    grossLoss,
    feesPaid,
    winRate: n === 0 ? unavailable(NO_TRADES) : known(dec(wins).div(n)),
    profitFactor: profitFactor(n, wins, losses, grossProfit, grossLoss),
    expectancy: n === 0 ? unavailable(NO_TRADES) : known(totalPnl.div(n)),
    avgWin: wins === 0 ? unavailable(n === 0 ? NO_TRADES : 'no winning trades') : known(grossProfit.div(wins)),
    avgLoss: losses === 0 ? unavailable(n === 0 ? NO_TRADES : 'no losing trades') : known(grossLoss.div(losses)),
    largestWin: largestWin === null ? unavailable(n === 0 ? NO_TRADES : 'no winning trades') : known(largestWin),
    largestLoss: largestLoss === null ? unavailable(n === 0 ? NO_TRADES : 'no losing trades') : known(largestLoss),
    sqn: sqn(trades.map((t) => t.pnl)),
    maxConsecutiveWins,
    maxConsecutiveLosses,
  }
}

/**
 * Gross profit over gross loss. Without a losing trade the quotient has no finite value: it is
 * reported as unavailable with that reason, never as a made-up large number.
 */
function profitFactor(n: number, wins: number, losses: number, grossProfit: Decimal, grossLoss: Decimal): Metric {
  if (n === 0) return unavailable(NO_TRADES)
  if (losses === 0) return unavailable(wins === 0 ? 'no winning or losing trades' : 'no losing trades (no loss to divide by)')
  return known(grossProfit.div(grossLoss.abs()))
}

/** Van Tharp's system quality number: √N × mean / sample standard deviation of trade PnL. */
export function sqn(pnls: readonly Decimal[]): Metric {
  if (pnls.length < 2) return unavailable('needs at least 2 closed trades')
  const sd = sampleStdDev(pnls)!
  if (sd.isZero()) return unavailable('every trade had the same PnL')
  return known(mean(pnls)!.div(sd).mul(dec(pnls.length).sqrt()))
}
