import { poolOf, type Db } from '@/lib/db/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { toDb } from '@/lib/db/decimal-columns'
import { newId } from '@/lib/db/new-id'
import { withSqlTransaction, type SqlTx } from '@/lib/db/sql-tx'
import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { roundQuoteAmount } from '@/lib/domain/quote-amount'
import { loadMarketRules } from '@/lib/market-data/quote-store'
import { isTerminalOrderStatus, transitionOrder, type OrderEvent, type OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { OrderReport } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordPositionEvent, withBatchedAudit } from '@/lib/server/audit/record-position-event'
import type { OrderSide, PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { PositionStatus } from '@/lib/domain/positions/position-lifecycle'
import { ledgerFillsSql, ledgerOf, type StoredLedgerFill } from '@/lib/server/positions/read-ledger'
import { PositionMoves } from '@/lib/server/positions/transition'
import { isRestingProtection, RESTING_STOP_TYPE } from '@/lib/server/protection/resting-stop'

const EVENT_FOR: Record<OrderStatus, OrderEvent | null> = {
  NEW: null,
  SUBMITTED: 'SUBMITTED',
  PARTIALLY_FILLED: 'PARTIAL_FILL',
  FILLED: 'FILL',
  CANCELED: 'CANCEL',
  REJECTED: 'REJECT',
  EXPIRED: 'EXPIRE',
}

export interface ApplyOrderReportOptions {
  /**
   * Apply only if the order is still exactly as the caller last saw it (status and not-found
   * count), checked under the order's lock: reconciliation declaring an order lost must not
   * overwrite a report that arrived meanwhile.
   */
  onlyIf?: { status: OrderStatus; notFoundCount: number }
  /**
   * The order and its position as the caller's transaction holds them: the order created in it
   * (no other transaction can see it yet, so no report of it can race this one) and its position
   * created or locked in it. They are taken as given instead of read and locked again.
   */
  held?: HeldOrder
}

/**
 * Brings our order, its fills and its position in line with what the exchange reported.
 * Idempotent: fills are keyed by the exchange's fill id, so a report applied twice (after
 * a crash, or by both a poll and a push) records nothing twice. Shared by paper and live.
 * Returns whether anything changed.
 */
export async function applyOrderReport(db: Db, orderId: string, report: OrderReport, actor: ActorRef, opts: ApplyOrderReportOptions = {}): Promise<boolean> {
  // In SQL on the pool's connection (see withSqlTransaction): every fill of every order lands here.
  return withSqlTransaction(poolOf(db), (tx) => applyOrderReportIn(tx, orderId, report, actor, opts))
}

export type LockedOrder = {
  id: string
  positionId: string | null
  takeProfitId: string | null
  listClientOrderId: string | null
  clientOrderId: string
  exchangeOrderId: string | null
  side: OrderSide
  type: string
  purpose: string
  status: OrderStatus
  rejectReason: string | null
  notFoundCount: number
  submitted: boolean
}
export type LockedPosition = { id: string; status: PositionStatus; side: PositionSide; symbol: string; userId: string }
/** An order with its position, as lockOrder reads them. */
export type HeldOrder = { order: LockedOrder; position: LockedPosition }

const ORDER_COLUMNS = Prisma.sql`o.id, o."positionId", o."takeProfitId", o."listClientOrderId", o."clientOrderId", o."exchangeOrderId", o.side::text AS side,
  o.type::text AS type, o.purpose::text AS purpose, o.status::text AS status, o."rejectReason", o."notFoundCount", o."submittedAt" IS NOT NULL AS submitted`

/**
 * Locks the order's position, then the order (the same order everywhere), in one statement: an
 * order's position never changes, so it is found and locked with what we need of it at once. An
 * order without a position is locked on its own: two reports at once must not race on its fill ids.
 */
async function lockOrder(tx: SqlTx, orderId: string): Promise<{ order: LockedOrder | undefined; position: LockedPosition | undefined }> {
  const [row] = await tx.$queryRaw<(LockedOrder & { p_status: PositionStatus; p_side: PositionSide; p_symbol: string; p_userId: string })[]>`
    SELECT ${ORDER_COLUMNS}, p.status::text AS p_status, p.side::text AS p_side, p.symbol AS p_symbol, t."userId" AS "p_userId"
    FROM "Position" p JOIN "Order" o ON o."positionId" = p.id JOIN "Trader" t ON t.id = p."traderId"
    WHERE o.id = ${orderId} FOR UPDATE OF p, o`
  if (row) {
    const { p_status, p_side, p_symbol, p_userId, ...order } = row
    return { order, position: { id: order.positionId!, status: p_status, side: p_side, symbol: p_symbol, userId: p_userId } }
  }
  const [order] = await tx.$queryRaw<LockedOrder[]>`SELECT ${ORDER_COLUMNS} FROM "Order" o WHERE o.id = ${orderId} FOR UPDATE`
  return { order, position: undefined }
}

/**
 * applyOrderReport inside the caller's transaction `tx` (for an exchange that places the order
 * in that same transaction: see ExchangePort.placeOrderAndApply).
 */
export async function applyOrderReportIn(tx: SqlTx, orderId: string, report: OrderReport, actor: ActorRef, opts: ApplyOrderReportOptions = {}): Promise<boolean> {
  return withBatchedAudit(tx, async () => {
    const { order, position } = opts.held ?? (await lockOrder(tx, orderId))
    if (!order) throw new Error(`order ${orderId} does not exist`)
    if (opts.onlyIf && !(order.status === opts.onlyIf.status && order.notFoundCount === opts.onlyIf.notFoundCount)) return false

    const status = nextOrderStatus(order.status, report.status, report.fills.length > 0)
    const filledQty = report.fills.reduce((s, f) => s.plus(f.qty), ZERO)
    const notional = report.fills.reduce((s, f) => s.plus(f.qty.mul(f.price)), ZERO)
    // Fills are keyed by (order, exchange fill id): ON CONFLICT DO NOTHING returns just the new
    // ones, so a replayed report records nothing twice without reading what is there first. The
    // order is updated in the same statement when its status moves or a fill is new (its
    // submittedAt stamped once, when it first leaves NEW).
    const fills = report.fills.map((f) => ({
      id: newId(), exchangeFillId: f.exchangeFillId, qty: toDb(f.qty), price: toDb(f.price), fee: toDb(f.fee), feeAsset: f.feeAsset, liquidity: f.liquidity, createdAt: f.at,
    }))
    const now = new Date()
    // The position's fills come back with it, for its ledger: those already there (this
    // statement does not see its own inserts) and the new ones.
    const [{ inserted, ledgerFills }] = await tx.$queryRaw<{ inserted: string[]; ledgerFills: StoredLedgerFill[] | null }[]>`
      WITH ins AS (
        INSERT INTO "Fill" (id, "orderId", "positionId", "exchangeFillId", side, qty, price, fee, "feeAsset", liquidity, "createdAt")
        SELECT v.id, ${orderId}, ${order.positionId}, v."exchangeFillId", ${order.side}::"OrderSide", v.qty::numeric, v.price::numeric, v.fee::numeric,
          v."feeAsset", v.liquidity::"Liquidity", v."createdAt"
        FROM jsonb_to_recordset(${JSON.stringify(fills)}::jsonb)
          AS v(id text, "exchangeFillId" text, qty text, price text, fee text, "feeAsset" text, liquidity text, "createdAt" timestamp(3))
        ON CONFLICT ("orderId", "exchangeFillId") DO NOTHING
        RETURNING *
      ), upd AS (
        UPDATE "Order" SET status = ${status}::"OrderStatus", "exchangeOrderId" = ${report.exchangeOrderId ?? order.exchangeOrderId},
          "filledQty" = ${toDb(filledQty)}::numeric, "avgFillPrice" = ${filledQty.gt(0) ? toDb(notional.div(filledQty)) : null}::numeric,
          "rejectReason" = ${report.rejectReason ?? order.rejectReason},
          "submittedAt" = CASE WHEN ${order.submitted} THEN "submittedAt" ELSE ${status !== 'NEW' ? now : null}::timestamp(3) END,
          "updatedAt" = ${now}::timestamp(3)
        WHERE id = ${orderId} AND (${status !== order.status} OR EXISTS (SELECT 1 FROM ins))
      )
      SELECT (SELECT COALESCE(jsonb_agg("exchangeFillId"), '[]') FROM ins) AS inserted,
        ${position ? ledgerFillsSql(position.id, Prisma.sql`SELECT * FROM ins`) : Prisma.sql`NULL::jsonb`} AS "ledgerFills"`
    const added = new Set(inserted)
    // (delete: a fill listed twice in one report counts once)
    const newFills = report.fills.filter((f) => added.delete(f.exchangeFillId))
    const changed = status !== order.status || newFills.length > 0
    if (!changed) return false
    if (!position) return true
    const userId = position.userId
    const p = { id: position.id, status: position.status, userId }
    const label = `${order.purpose.replace('_', ' ').toLowerCase()} ${order.side} ${order.type.toLowerCase()} order ${order.clientOrderId}`

    for (const f of newFills) {
      await recordPositionEvent(tx, {
        positionId: p.id,
        userId,
        type: 'FILL',
        actor,
        message: `Filled ${f.qty.toFixed()} @ ${f.price.toFixed()} (fee ${roundQuoteAmount(f.fee)} ${f.feeAsset}, ${f.liquidity.toLowerCase()}) on ${label}`,
        after: { orderId, exchangeFillId: f.exchangeFillId, qty: f.qty.toFixed(), price: f.price.toFixed(), fee: f.fee.toFixed() },
      })
    }
    if (status !== order.status) {
      const why = report.rejectReason ? `: ${report.rejectReason}` : ''
      await recordPositionEvent(tx, {
        positionId: p.id,
        userId,
        type: 'ORDER_STATUS',
        actor,
        fromStatus: order.status,
        toStatus: status,
        message: `${capitalise(label)} ${status.toLowerCase().replace('_', ' ')}${why}`,
      })
    }

    const { ledger, columns } = ledgerOf(ledgerFills ?? [], position.side, position.symbol)
    // The status steps below and the ledger's columns go out in one UPDATE (moves.write).
    const moves = new PositionMoves(p, actor)
    const terminal = isTerminalOrderStatus(status)
    if (order.purpose === 'ENTRY') {
      if (ledger.openQty.gt(0)) {
        if (p.status === 'CLOSED') {
          moves.move('ENTRY_FILLED', `Entry filled after the position had closed: ${ledger.openQty.toFixed()} open again @ ${ledger.avgEntryPrice.toFixed()} average entry`, { closedAt: null, statusReason: null })
          moves.move('MONITOR_STARTED', 'Stop loss armed again')
        } else if (p.status === 'SUBMITTING' || p.status === 'FAILED') {
          const late = p.status === 'FAILED' ? ' (after the entry had been given up as lost)' : ''
          moves.move('ENTRY_FILLED', `Entry filled${late}: ${ledger.openQty.toFixed()} @ ${ledger.avgEntryPrice.toFixed()}`, { openedAt: new Date(), statusReason: null })
          moves.move('MONITOR_STARTED', 'Stop loss and take-profits armed')
        } else if (p.status === 'OPEN' || p.status === 'MONITORING') {
          moves.move('ENTRY_FILLED', `Entry filled further: ${ledger.openQty.toFixed()} @ ${ledger.avgEntryPrice.toFixed()}`)
        }
      } else if (terminal && p.status === 'SUBMITTING') {
        const reason = report.rejectReason ?? `entry order ${status.toLowerCase()}`
        moves.move('ENTRY_FAILED', `Entry failed: ${reason}`, { statusReason: reason })
      }
      await moves.write(tx, columns)
      return true
    }

    // An exit order: a TP level it served is done once the order is filled.
    if (order.takeProfitId && status === 'FILLED') {
      await tx.$executeRaw`UPDATE "TakeProfit" SET status = 'FILLED', "filledAt" = ${new Date()}::timestamp(3) WHERE id = ${order.takeProfitId}`
    }
    // Flat, or left with dust below the market's step that no order could sell (a fee taken in the coin).
    const dust = status === 'FILLED' && ledger.openQty.gt(0) && (await isDust(tx, position.symbol, ledger.openQty))
    if ((ledger.openQty.isZero() || dust) && ledger.entryQty.gt(0)) {
      if (p.status !== 'CLOSED') {
        if (p.status === 'OPEN' || p.status === 'MONITORING') {
          // The stop resting on the exchange executed there; or a late fill of an exit we had
          // declared lost, after the position went back to monitoring.
          const how =
            order.type === RESTING_STOP_TYPE
              ? `Stop ${order.clientOrderId} executed on the exchange`
              : isRestingProtection(order)
                ? `Take-profit ${order.clientOrderId} executed on the exchange`
                : `Exit order ${order.clientOrderId} turned up on the exchange after all`
          moves.move('EXIT_REQUESTED', how)
        }
        await tx.$executeRaw`UPDATE "TakeProfit" SET status = 'CANCELED' WHERE "positionId" = ${p.id} AND status = 'ACTIVE'`
        const result = `realized PnL ${roundQuoteAmount(ledger.realizedPnl)} after ${roundQuoteAmount(ledger.fees)} fees${dust ? `; ${ledger.openQty.toFixed()} left as dust below the step` : ''}`
        moves.move('EXIT_COMPLETED', `Position closed by ${order.purpose.replace('_', ' ').toLowerCase()}: ${result}`, {
          closedAt: new Date(),
          statusReason: order.purpose,
        })
      }
    } else if (terminal && p.status === 'CLOSING' && !isRestingProtection(order)) {
      // (A resting stop or paired target ending while an exit is under way is that exit taking it off first.)
      const why = status === 'FILLED' ? `${ledger.openQty.toFixed()} remains open` : `exit ${status.toLowerCase()}${report.rejectReason ? `: ${report.rejectReason}` : ''}`
      moves.move('EXIT_PARTIAL', `Back to monitoring: ${why}`)
    }
    await moves.write(tx, columns)
    return true
  })
}

/**
 * The order status after a report, through the lifecycle's legal path (NEW goes via SUBMITTED;
 * an order we declared lost that the exchange reports ended after fills goes via its fills).
 */
function nextOrderStatus(current: OrderStatus, reported: OrderStatus, hasFills: boolean): OrderStatus {
  if (reported === current) return current
  let status = current
  if (status === 'NEW' && reported !== 'REJECTED' && reported !== 'CANCELED') status = step(status, 'SUBMITTED')
  if (status === 'REJECTED' && (reported === 'CANCELED' || reported === 'EXPIRED')) {
    // Ended on the exchange: with fills it was real and partly filled; without, REJECTED stands.
    if (!hasFills) return status
    status = step(status, 'PARTIAL_FILL')
  }
  const event = EVENT_FOR[reported]
  return event && reported !== status ? step(status, event) : status
}

function step(status: OrderStatus, event: OrderEvent): OrderStatus {
  const r = transitionOrder(status, event)
  if (!r.ok) throw r.error
  return r.value
}

function capitalise(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1)
}


async function isDust(tx: SqlTx, symbol: string, qty: Decimal): Promise<boolean> {
  const rules = await loadMarketRules(tx, symbol)
  return rules !== null && qty.lt(rules.stepSize)
}
