import { collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import type { DbTx } from '@/lib/db/client'
import { aggregateExecution, isExchangeMode, LOST_REASON_PREFIX } from '@/lib/domain/execution/execution-quality'
import { loadExecutionOrders, venueLabel } from '@/lib/server/execution/load-execution-orders'
import { stuckOrderWhere } from '@/lib/server/execution/stuck-orders'

/** Slippage, latency and rates are over orders created in this trailing window. */
export const RECENT_WINDOW_MS = 24 * 3_600_000

type Labels<K extends string> = Record<K, string>

function metricsState() {
  const registry = new Registry()
  // Process metrics (CPU, memory, event loop, handles): cheap, and what operators expect.
  collectDefaultMetrics({ register: registry })
  const gauge = <K extends string>(name: string, help: string, labelNames: readonly K[]) => new Gauge<K>({ name, help, labelNames, registers: [registry] })
  return {
    registry,
    orders: gauge('tradeloop_orders', 'Orders in the database by account mode, venue, purpose and status.', ['mode', 'venue', 'purpose', 'status']),
    errors: gauge('tradeloop_order_errors', 'Orders ended without a fill because the exchange (the paper engine, in mode PAPER) refused them (rejected) or never knew them (lost), all time.', ['mode', 'venue', 'kind']),
    stuck: gauge('tradeloop_orders_stuck', 'Orders still being sent (NEW), or market orders sent and not filled, for longer than ALERT_ORDER_STUCK_MS.', ['mode', 'venue']),
    slippage: gauge('tradeloop_slippage_bps', 'Slippage of filled orders created in the last 24 h, basis points against the expected price; positive = worse for us.', ['mode', 'quantile']),
    measured: gauge('tradeloop_slippage_orders', 'Filled orders with an expected price created in the last 24 h (what tradeloop_slippage_bps is over).', ['mode']),
    toFill: gauge('tradeloop_order_to_fill_ms', 'Time from an order being created to its first fill, orders created in the last 24 h.', ['mode', 'quantile']),
    toOrder: gauge('tradeloop_decision_to_order_ms', 'Time from the decision behind an automated entry to its order, entries created in the last 24 h.', ['mode', 'quantile']),
    success: gauge('tradeloop_order_success_ratio', 'filled / (filled + rejected + lost), orders created in the last 24 h.', ['mode']),
    errorRatio: gauge('tradeloop_order_error_ratio', '(rejected + lost) / orders, orders created in the last 24 h; testnet and live only (paper refusals are not exchange errors).', ['mode']),
  }
}
type MetricsState = ReturnType<typeof metricsState>

// One registry per process (the dev server re-evaluates modules; default metrics register once).
const holder = globalThis as typeof globalThis & { __tradeloopMetrics?: MetricsState; __tradeloopScrape?: Promise<unknown> }

type CountRow = { mode: string; kind: string; venue: string | null; purpose: string; status: string; lost: boolean; n: bigint }

/**
 * The Prometheus text exposition of the execution figures, computed from the database on each
 * scrape (so every web process answers the same), plus this process's own metrics. Labels carry
 * only modes, venues, purposes and statuses: never a user, trader, account or symbol.
 */
export async function renderMetrics(opts: { db: DbTx; stuckAfterMs: number; now?: Date }): Promise<{ body: string; contentType: string }> {
  const state = (holder.__tradeloopMetrics ??= metricsState())
  // Scrapes are serialized, fill to text: each resets and refills the shared gauges.
  const run = (holder.__tradeloopScrape ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      await fill(state, opts)
      return state.registry.metrics()
    })
  holder.__tradeloopScrape = run
  return { body: await run, contentType: state.registry.contentType }
}

async function fill(s: MetricsState, opts: { db: DbTx; stuckAfterMs: number; now?: Date }) {
  const now = opts.now ?? new Date()
  const [counts, errorRows, stuck, recent] = await Promise.all([
    opts.db.$queryRaw<Omit<CountRow, 'lost'>[]>`
      SELECT a.mode::text AS mode, a.kind::text AS kind, a.venue::text AS venue, o.purpose::text AS purpose, o.status::text AS status, count(*) AS n
      FROM "Order" o JOIN "ExchangeAccount" a ON a.id = o."accountId"
      GROUP BY 1, 2, 3, 4, 5`,
    // Errors: refused or lost with nothing filled (a lost order with a late fill did execute).
    opts.db.$queryRaw<Omit<CountRow, 'purpose' | 'status'>[]>`
      SELECT a.mode::text AS mode, a.kind::text AS kind, a.venue::text AS venue, (o."rejectReason" LIKE ${`${LOST_REASON_PREFIX}%`}) IS TRUE AS lost, count(*) AS n
      FROM "Order" o JOIN "ExchangeAccount" a ON a.id = o."accountId"
      WHERE o.status = 'REJECTED' AND o."filledQty" = 0
      GROUP BY 1, 2, 3, 4`,
    opts.db.order.findMany({ where: stuckOrderWhere(now, opts.stuckAfterMs), select: { account: { select: { mode: true, kind: true, venue: true } } } }),
    loadExecutionOrders(opts.db, { createdAt: { gte: new Date(now.getTime() - RECENT_WINDOW_MS), lte: now } }),
  ])
  for (const g of [s.orders, s.errors, s.stuck, s.slippage, s.measured, s.toFill, s.toOrder, s.success, s.errorRatio]) g.reset()

  const add = <K extends string>(g: Gauge<K>, labels: Labels<K>, n: number) => g.inc(labels, n)
  for (const r of counts) {
    const venue = venueLabel(r)
    add(s.orders, { mode: r.mode, venue, purpose: r.purpose, status: r.status }, Number(r.n))
  }
  for (const r of errorRows) add(s.errors, { mode: r.mode, venue: venueLabel(r), kind: r.lost ? 'lost' : 'rejected' }, Number(r.n))
  for (const r of stuck) add(s.stuck, { mode: r.account.mode, venue: venueLabel(r.account) }, 1)

  for (const mode of [...new Set(recent.map((o) => o.mode))].sort()) {
    const a = aggregateExecution(recent.filter((o) => o.mode === mode), { exchange: isExchangeMode(mode) })
    const quantiles = <K extends 'mode' | 'quantile'>(g: Gauge<K>, p50: number | null, p95: number | null) => {
      if (p50 !== null) g.set({ mode, quantile: '0.5' } as Labels<K>, p50)
      if (p95 !== null) g.set({ mode, quantile: '0.95' } as Labels<K>, p95)
    }
    quantiles(s.slippage, a.slippageP50Bps.value?.toNumber() ?? null, a.slippageP95Bps.value?.toNumber() ?? null)
    s.measured.set({ mode }, a.measured)
    quantiles(s.toFill, a.orderToFillP50Ms, a.orderToFillP95Ms)
    quantiles(s.toOrder, a.decisionToOrderP50Ms, a.decisionToOrderP95Ms)
    if (a.successRate.value) s.success.set({ mode }, a.successRate.value.toNumber())
    if (a.errorRate.value) s.errorRatio.set({ mode }, a.errorRate.value.toNumber())
  }
}
