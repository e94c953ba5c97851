import type { Db } from '@/lib/db/client'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { adoptedOrderPurpose, isOurClientOrderId, type AdoptableType } from '@/lib/domain/orders/adopted-order'
import { ACTIVE_POSITION_STATUSES, type PositionStatus } from '@/lib/domain/positions/position-lifecycle'
import type { ExchangeOrderFacts, ExchangePort, OpenOrderReport, OrderReport } from '@/lib/exchange/port'
import { recordActivity } from '@/lib/server/activity/record-activity'
import type { ActorRef } from '@/lib/server/audit/actor'
import { notify } from '@/lib/server/events/notify'
import { lockPosition } from '@/lib/server/positions/lock-position'
import { applyOrderReportIn } from './apply-order-report'

export interface AdoptOpenOrdersOptions {
  db: Db
  account: { id: string; userId: string }
  exchange: ExchangePort
  actor: ActorRef
  /** Markets asked about, at most (the account's positions first, then its traders' watchlists). */
  maxSymbols?: number
}

export interface AdoptedOrder {
  orderId: string
  clientOrderId: string
  positionId: string | null
  message: string
}

export interface AdoptionResult {
  symbols: string[]
  adopted: AdoptedOrder[]
  /** Working orders without our client order id prefix: someone else's, never touched. */
  foreign: number
  /** Ours, missing here, but of a type we never place: left alone for a person to look at. */
  unrecordable: OpenOrderReport[]
}

/** The ActivityEvent type of an adoption (a string column; shown as an error). */
export const ORDER_ADOPTED = 'ORDER_ADOPTED'

const LIVE: PositionStatus[] = [...ACTIVE_POSITION_STATUSES]

/**
 * Records the orders of ours that work on the exchange but that our database lacks (it was
 * restored from a backup, or lost a write): each becomes an Order row with the exchange's facts,
 * attached to its position when exactly one live position of the account on that symbol fits it,
 * so the protection keeper sees an adopted stop as the position's stop instead of placing a second
 * one, and reconciliation keeps it (and books its fills) like any other order. Only adds: an order
 * missing from the list proves nothing. Idempotent and safe to run in several processes at once:
 * the row is inserted on its unique client order id or not at all, and an order whose row exists
 * (even NEW, being sent right now) is never touched.
 */
export async function adoptOpenOrders(o: AdoptOpenOrdersOptions): Promise<AdoptionResult | null> {
  if (!o.exchange.fetchOpenOrders) return null
  const symbols = await symbolsToWatch(o.db, o.account.id, o.maxSymbols ?? 100)
  const result: AdoptionResult = { symbols, adopted: [], foreign: 0, unrecordable: [] }
  if (symbols.length === 0) return result
  const open = await o.exchange.fetchOpenOrders(symbols)
  const ours = open.filter((r) => isOurClientOrderId(r.clientOrderId))
  result.foreign = open.length - ours.length
  const known = new Set(
    (await o.db.order.findMany({ where: { clientOrderId: { in: ours.map((r) => r.clientOrderId) } }, select: { clientOrderId: true } })).map((r) => r.clientOrderId),
  )
  for (const r of ours) {
    if (known.has(r.clientOrderId)) continue
    if (r.type === null) {
      result.unrecordable.push(r)
      continue
    }
    // Fills so far (a partly filled order): booked with the row rather than on reconciliation's next pass.
    const report = r.filledQty.gt(0) ? await o.exchange.fetchOrder(r.clientOrderId, { symbol: r.symbol }) : null
    const adopted = await adoptOrder(o, { facts: r, type: r.type, found: 'resting on the exchange', report: report ?? undefined })
    if (adopted) result.adopted.push(adopted) // else another pass or process recorded it first
  }
  return result
}

/** An order of ours our database lacks, as the exchange describes it, to record. */
export interface Adoptable {
  facts: ExchangeOrderFacts
  type: AdoptableType
  /** Where it was found, for the activity message ("resting on the exchange"). */
  found: string
  /** Its status and fills, booked with the row (through applyOrderReport, so nothing twice). */
  report?: OrderReport
  /** Said at the end of the activity message. */
  note?: string
}

/**
 * Records one order of ours our database lacks, attached (under the position's lock) to the
 * account's one live position on its symbol when it fits it, with an ORDER_ADOPTED error in the
 * activity feed, and books `report` in the same transaction. Inserted on its unique client order
 * id or not at all: null when a row exists (another pass or process recorded it first).
 */
export async function adoptOrder(o: { db: Db; account: { id: string; userId: string }; actor: ActorRef }, a: Adoptable): Promise<AdoptedOrder | null> {
  const r = a.facts
  const type = a.type
  const candidates = await o.db.position.findMany({ where: { accountId: o.account.id, symbol: r.symbol, status: { in: LIVE } }, select: { id: true }, take: 2 })
  return o.db.$transaction(async (tx) => {
    // Under the position's lock, as the keeper decides: it sees the stop, or it sees none and the
    // stop it then sends is refused for want of balance; never a decision on half of this.
    const locked = candidates.length === 1 ? await lockPosition(tx, candidates[0]!.id) : null
    const position = locked && LIVE.includes(locked.status) ? locked : null
    const { purpose, belongs } = adoptedOrderPurpose({ clientOrderId: r.clientOrderId, side: r.side, type }, position)
    const p = belongs ? position : null
    // The target leg of a pair is the position's take-profit only if exactly one active level is at its price.
    let takeProfitId: string | null = null
    let levelNote = ''
    if (p && purpose === 'TAKE_PROFIT' && r.listClientOrderId !== null && type === 'LIMIT' && r.price) {
      const active = await tx.takeProfit.findMany({ where: { positionId: p.id, status: 'ACTIVE' }, select: { id: true, price: true } })
      const at = active.filter((t) => fromDb(t.price).eq(r.price!))
      if (at.length === 1) takeProfitId = at[0]!.id
      else levelNote = `; linked to no take-profit level (${at.length} active at ${r.price.toFixed()})`
    }
    const { count } = await tx.order.createMany({
      data: [
        {
          accountId: o.account.id,
          traderId: p?.traderId ?? null,
          positionId: p?.id ?? null,
          takeProfitId,
          listClientOrderId: r.listClientOrderId,
          clientOrderId: r.clientOrderId,
          exchangeOrderId: r.exchangeOrderId,
          symbol: r.symbol,
          side: r.side,
          type,
          purpose,
          qty: toDb(r.qty),
          // As our own rows hold them: a stop by its trigger (its limit is the adapter's business).
          price: type === 'LIMIT' && r.price ? toDb(r.price) : null,
          triggerPrice: type === 'STOP_MARKET' && r.triggerPrice ? toDb(r.triggerPrice) : null,
          reduceOnly: purpose !== 'ENTRY',
          // What our books can prove: fills, if any, are booked from the exchange's trades.
          status: 'SUBMITTED',
          submittedAt: new Date(),
          createdBy: 'SYSTEM',
        },
      ],
      skipDuplicates: true,
    })
    if (count === 0) return null
    const order = await tx.order.findUniqueOrThrow({ where: { clientOrderId: r.clientOrderId }, select: { id: true } })
    if (a.report) await applyOrderReportIn(tx, order.id, a.report, o.actor)
    const where = p
      ? `adopted as the ${purpose.replace('_', ' ').toLowerCase()} order of the ${p.side} position on ${r.symbol}`
      : `adopted without a position (${candidates.length === 0 ? `none is open on ${r.symbol}` : candidates.length > 1 ? `several are open on ${r.symbol}` : `the one open on ${r.symbol} does not fit it`})`
    const message = `An order of ours the database did not know was found ${a.found}: ${describe(r)}; ${where}${levelNote}${a.note ?? ''}`
    await recordActivity(tx, { userId: o.account.userId, traderId: p?.traderId, positionId: p?.id, type: ORDER_ADOPTED, severity: 'error', message })
    if (p) await notify(tx, { kind: 'protection', positionId: p.id })
    return { orderId: order.id, clientOrderId: r.clientOrderId, positionId: p?.id ?? null, message }
  })
}

function describe(r: ExchangeOrderFacts): string {
  const prices = [r.price && `limit ${r.price.toFixed()}`, r.triggerPrice && `trigger ${r.triggerPrice.toFixed()}`].filter(Boolean).join(', ')
  const filled = r.filledQty.gt(0) ? `, ${r.filledQty.toFixed()} filled` : ''
  const list = r.listClientOrderId ? `, leg of order list ${r.listClientOrderId}` : ''
  return `${r.side} ${r.venueType} ${r.qty.toFixed()} ${r.symbol}${prices ? ` (${prices})` : ''}${filled}, ${r.clientOrderId}${list}, exchange id ${r.exchangeOrderId}`
}

/**
 * The markets where orders of ours may rest: those of the account's live positions (all of them
 * come first), then its traders' watchlists, at most `max` in all.
 */
export async function symbolsToWatch(db: Db, accountId: string, max: number): Promise<string[]> {
  const [positions, traders] = await Promise.all([
    db.position.findMany({ where: { accountId, status: { in: LIVE } }, distinct: ['symbol'], select: { symbol: true }, orderBy: { symbol: 'asc' } }),
    db.trader.findMany({ where: { accountId }, select: { watchlist: true }, orderBy: { createdAt: 'asc' } }),
  ])
  const all = new Set([...positions.map((p) => p.symbol), ...traders.flatMap((t) => t.watchlist)])
  return [...all].slice(0, max)
}
