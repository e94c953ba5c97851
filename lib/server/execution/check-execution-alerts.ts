import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { EXCHANGE_MODES, orderOutcome, slippageBps } from '@/lib/domain/execution/execution-quality'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { venueLabel } from './load-execution-orders'
import { stuckOrderWhere } from './stuck-orders'

export interface ExecutionAlertThresholds {
  stuckAfterMs: number
  slippageBps: number
  errorRatePct: number
  errorWindowMin: number
  /** Fewer orders than this in the window raise no error-rate alert (one refusal of one order is not a rate). */
  errorMinOrders: number
}

/** Fills this recent are checked for slippage: a worker down longer than this does not alert on old fills. */
const SLIPPAGE_LOOKBACK_MS = 24 * 3_600_000

/**
 * One pass of the execution alerts, each written to the owner's activity feed (and from there to
 * their notification channels): an order stuck on its way, an order filled with unusual slippage,
 * an exchange account whose orders were refused or lost too often in the last minutes. Said once:
 * an order is named at the start of its alert and never alerted twice; an account's error rate
 * again only once the window since its last alert has passed. The worker runs this alone (it holds
 * the worker lease), so a check-then-write is enough.
 */
export async function checkExecutionAlerts(opts: { db: Db; thresholds: ExecutionAlertThresholds; now?: Date }) {
  const { db, thresholds: t } = opts
  const now = opts.now ?? new Date()
  const said = { stuck: 0, slippage: 0, errorRate: 0 }

  const stuck = await db.order.findMany({
    where: stuckOrderWhere(now, t.stuckAfterMs),
    select: { clientOrderId: true, purpose: true, side: true, symbol: true, status: true, createdAt: true, traderId: true, positionId: true, account: { select: { userId: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  })
  for (const o of stuck) {
    const minutes = Math.floor((now.getTime() - o.createdAt.getTime()) / 60_000)
    const state = o.status === 'NEW' ? 'not confirmed sent' : 'sent but not filled'
    if (await once(db, o, 'ORDER_STUCK', `has been ${state} for ${minutes} min: reconciliation keeps asking the exchange; check the account's connection`)) said.stuck++
  }

  const fills = await db.fill.findMany({
    where: { createdAt: { gte: new Date(now.getTime() - SLIPPAGE_LOOKBACK_MS) }, order: { expectedPrice: { not: null } } },
    select: {
      price: true,
      order: { select: { clientOrderId: true, side: true, symbol: true, purpose: true, expectedPrice: true, traderId: true, positionId: true, account: { select: { userId: true, name: true } } } },
    },
  })
  const limit = dec(t.slippageBps)
  const worst = new Map<string, { bps: ReturnType<typeof dec>; price: string; order: (typeof fills)[number]['order'] }>()
  for (const f of fills) {
    const bps = slippageBps(f.order.side, fromDb(f.order.expectedPrice!), fromDb(f.price))
    const seen = worst.get(f.order.clientOrderId)
    if (bps.gt(limit) && (!seen || bps.gt(seen.bps))) worst.set(f.order.clientOrderId, { bps, price: fromDb(f.price).toFixed(), order: f.order })
  }
  for (const [clientOrderId, w] of worst) {
    const text = `filled at ${w.price}, expected ${fromDb(w.order.expectedPrice!).toFixed()}: ${w.bps.toFixed(1)} bps worse (alert above ${t.slippageBps} bps)`
    if (await once(db, w.order, 'HIGH_SLIPPAGE', text)) said.slippage++
  }

  const windowStart = new Date(now.getTime() - t.errorWindowMin * 60_000)
  // Exchange errors only: a paper account's refusals are the paper engine's.
  const recent = await db.order.findMany({
    where: { createdAt: { gte: windowStart, lte: now }, account: { mode: { in: [...EXCHANGE_MODES] } } },
    select: { accountId: true, status: true, filledQty: true, rejectReason: true, account: { select: { userId: true, name: true, kind: true, venue: true } } },
  })
  const byAccount = new Map<string, typeof recent>()
  for (const o of recent) byAccount.set(o.accountId, [...(byAccount.get(o.accountId) ?? []), o])
  for (const orders of byAccount.values()) {
    const errors = orders.filter((o) => ['REJECTED', 'LOST'].includes(orderOutcome({ status: o.status, filledQty: fromDb(o.filledQty), rejectReason: o.rejectReason }))).length
    if (orders.length < t.errorMinOrders || errors * 100 < t.errorRatePct * orders.length) continue
    const a = orders[0]!.account
    const prefix = `Exchange account "${a.name}" `
    const recentAlert = await db.activityEvent.findFirst({ where: { userId: a.userId, type: 'EXCHANGE_ERRORS', message: { startsWith: prefix }, createdAt: { gt: windowStart } }, select: { id: true } })
    if (recentAlert) continue
    const pct = dec(errors).mul(100).div(orders.length).toFixed(0)
    await db.$transaction((tx) =>
      recordActivity(tx, {
        userId: a.userId,
        type: 'EXCHANGE_ERRORS',
        severity: 'error',
        message: `${prefix}(${venueLabel(a)}): ${errors} of ${orders.length} orders in the last ${t.errorWindowMin} min were refused or lost (${pct}%, alert at ${t.errorRatePct}%)`,
      }),
    )
    said.errorRate++
  }
  return said
}

type AlertedOrder = { clientOrderId: string; purpose: string; side: string; symbol: string; traderId: string | null; positionId: string | null; account: { userId: string; name: string } }

/** A warning about one order, recorded unless one of its type already names the order (its message starts with it). */
async function once(db: Db, o: AlertedOrder, type: 'ORDER_STUCK' | 'HIGH_SLIPPAGE', text: string): Promise<boolean> {
  const key = `Order ${o.clientOrderId} `
  const seen = await db.activityEvent.findFirst({ where: { userId: o.account.userId, type, message: { startsWith: key } }, select: { id: true } })
  if (seen) return false
  const message = `${key}(${o.purpose} ${o.side} ${o.symbol} on "${o.account.name}") ${text}`
  await db.$transaction((tx) => recordActivity(tx, { userId: o.account.userId, type, severity: 'warning', traderId: o.traderId ?? undefined, positionId: o.positionId ?? undefined, symbol: o.symbol, message }))
  return true
}
