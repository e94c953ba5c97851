import type { Db } from '@/lib/db/client'
import { isOurClientOrderId } from '@/lib/domain/orders/adopted-order'
import type { ExchangeOrderFacts, ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { adoptOrder, symbolsToWatch, type AdoptedOrder } from './adopt-open-orders'

/** How far back the account's trades are read: one Binance request's window. */
export const RECENT_FILLS_WINDOW_MS = 24 * 60 * 60 * 1000

export interface AdoptRecentFillsOptions {
  db: Db
  account: { id: string; userId: string }
  exchange: ExchangePort
  actor: ActorRef
  maxSymbols?: number
  now?: Date
  /**
   * Exchange order ids already found not to be ours, kept by the caller from pass to pass: an
   * order's client id never changes, so a foreign order is looked up once, not every pass.
   */
  foreign?: Set<string>
}

export interface RecentFillsAdoption {
  symbols: string[]
  adopted: AdoptedOrder[]
  /** Orders with trades in the window that are not ours (client id without our prefix). */
  foreign: number
  /** Ours, missing here, but of a type we never place: left alone for a person to look at. */
  unrecordable: ExchangeOrderFacts[]
}

/**
 * Records the orders of ours that traded in the last 24 hours but that our database lacks: an
 * entry or exit that ended while a restored backup or a lost write kept it from us is in no list
 * of open orders, only in the account's trades. Each trade whose exchange order id no Order row of
 * the account holds is looked up (once per order); one with our client id becomes an Order row
 * with its real status, its fills booked through applyOrderReport in the same transaction, attached
 * to the account's one live position on its symbol when it fits it, else to none, with an
 * ORDER_ADOPTED error saying the account's holdings may differ from our books. Others' trades are
 * ignored. Only adds, and inserts on the unique client order id or not at all, as adoptOpenOrders.
 */
export async function adoptRecentFills(o: AdoptRecentFillsOptions): Promise<RecentFillsAdoption | null> {
  if (!o.exchange.fetchRecentFills || !o.exchange.fetchOrderByExchangeId) return null
  const symbols = await symbolsToWatch(o.db, o.account.id, o.maxSymbols ?? 100)
  const result: RecentFillsAdoption = { symbols, adopted: [], foreign: 0, unrecordable: [] }
  if (symbols.length === 0) return result
  const since = new Date((o.now ?? new Date()).getTime() - RECENT_FILLS_WINDOW_MS)
  const fills = await o.exchange.fetchRecentFills(symbols, since)
  const orders = new Map<string, { symbol: string; clientOrderId: string | null }>()
  for (const f of fills) if (!orders.has(f.exchangeOrderId)) orders.set(f.exchangeOrderId, { symbol: f.symbol, clientOrderId: f.clientOrderId })
  const known = await o.db.order.findMany({ where: { accountId: o.account.id, exchangeOrderId: { in: [...orders.keys()] } }, select: { exchangeOrderId: true } })
  for (const k of known) orders.delete(k.exchangeOrderId!)
  const foreign = o.foreign ?? new Set<string>()
  for (const [exchangeOrderId, seen] of orders) {
    if (foreign.has(exchangeOrderId) || (seen.clientOrderId !== null && !isOurClientOrderId(seen.clientOrderId))) {
      foreign.add(exchangeOrderId)
      result.foreign++
      continue
    }
    const found = await o.exchange.fetchOrderByExchangeId(exchangeOrderId, { symbol: seen.symbol })
    if (!found) continue // the exchange no longer tells: nothing to record (and nothing concluded)
    const { order, report } = found
    if (!isOurClientOrderId(order.clientOrderId)) {
      foreign.add(exchangeOrderId)
      result.foreign++
      continue
    }
    // A row under its client id (NEW, its answer not stored yet) is its sender's and reconciliation's.
    if (await o.db.order.findUnique({ where: { clientOrderId: order.clientOrderId }, select: { id: true } })) continue
    if (order.type === null) {
      result.unrecordable.push(order)
      continue
    }
    const adopted = await adoptOrder(o, {
      facts: order,
      type: order.type,
      found: `among the account's trades of the last 24 hours (${report.status.toLowerCase().replace('_', ' ')} there)`,
      report,
      note: `; its fills are booked with it: the account's holdings may differ from our books`,
    })
    if (adopted) result.adopted.push(adopted)
  }
  return result
}
