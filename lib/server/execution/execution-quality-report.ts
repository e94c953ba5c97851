import type { DbTx } from '@/lib/db/client'
import { aggregateExecution, isExchangeMode, type ExecutionAggregate } from '@/lib/domain/execution/execution-quality'
import type { Metric } from '@/lib/domain/performance/metric'
import type { FigureView } from '@/lib/server/performance/performance-report'
import type { AccountMode } from '@/lib/server/performance/performance-query'
import type { ExecutionQualityQuery } from './execution-quality-query'
import { loadExecutionOrders, type LoadedOrder } from './load-execution-orders'

export interface ExecutionFiguresView {
  orders: number
  filled: number
  rejected: number
  lost: number
  measured: number
  slippageP50Bps: FigureView
  slippageP95Bps: FigureView
  slippageAvgBps: FigureView
  decisionToOrderP50Ms: number | null
  decisionToOrderP95Ms: number | null
  orderToFillP50Ms: number | null
  orderToFillP95Ms: number | null
  successRatePct: FigureView
  errorRatePct: FigureView
}

export interface ExecutionQualityView {
  scope: { mode: AccountMode; from: string | null; to: string | null }
  all: ExecutionFiguresView
  byPurpose: ({ purpose: LoadedOrder['purpose'] } & ExecutionFiguresView)[]
}

const PURPOSES = ['ENTRY', 'MANUAL_EXIT', 'STOP_LOSS', 'TAKE_PROFIT'] as const

const figure = (m: Metric, dp: number, scale = 1): FigureView => (m.value === null ? { value: null, reason: m.reason } : { value: m.value.mul(scale).toFixed(dp), reason: null })

function figures(a: ExecutionAggregate): ExecutionFiguresView {
  return {
    orders: a.orders,
    filled: a.filled,
    rejected: a.rejected,
    lost: a.lost,
    measured: a.measured,
    slippageP50Bps: figure(a.slippageP50Bps, 2),
    slippageP95Bps: figure(a.slippageP95Bps, 2),
    slippageAvgBps: figure(a.slippageAvgBps, 2),
    decisionToOrderP50Ms: a.decisionToOrderP50Ms,
    decisionToOrderP95Ms: a.decisionToOrderP95Ms,
    orderToFillP50Ms: a.orderToFillP50Ms,
    orderToFillP95Ms: a.orderToFillP95Ms,
    successRatePct: figure(a.successRate, 2, 100),
    errorRatePct: figure(a.errorRate, 2, 100),
  }
}

/**
 * Execution quality of the user's orders in one account mode, with the filters: slippage against
 * the expected price, decision→order and order→fill times, success and error rates; overall and
 * by why the order existed (entries, exits, stops and targets slip differently).
 */
export async function executionQualityReport(opts: { db: DbTx; userId: string; query: ExecutionQualityQuery }): Promise<ExecutionQualityView> {
  const { db, userId, query: q } = opts
  const orders = await loadExecutionOrders(db, {
    account: { userId, mode: q.mode },
    ...(q.traderId ? { traderId: q.traderId } : {}),
    ...(q.symbol ? { symbol: q.symbol } : {}),
    ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
  })
  const venue = { exchange: isExchangeMode(q.mode) }
  return {
    scope: { mode: q.mode, from: q.from?.toISOString() ?? null, to: q.to?.toISOString() ?? null },
    all: figures(aggregateExecution(orders, venue)),
    byPurpose: PURPOSES.map((purpose) => ({ purpose, orders: orders.filter((o) => o.purpose === purpose) }))
      .filter((g) => g.orders.length > 0)
      .map((g) => ({ purpose: g.purpose, ...figures(aggregateExecution(g.orders, venue)) })),
  }
}
