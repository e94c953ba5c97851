import type { Decimal } from '@/lib/domain/decimal'
import type { OrderSide } from '@/lib/domain/positions/fill-ledger'

export type TriggerKind = 'STOP_LOSS' | 'TAKE_PROFIT'

export interface Trigger {
  readonly id: string
  readonly positionId: string
  readonly symbol: string
  readonly kind: TriggerKind
  /** Side of the order that closes the position: SELL closes a LONG, BUY closes a SHORT. */
  readonly exitSide: OrderSide
  readonly price: Decimal
}

export interface Quote {
  bid: Decimal
  ask: Decimal
}

/**
 * A SELL exit can only be executed at the bid and a BUY exit at the ask, so each side is
 * checked against that price. Named by where the market must go for the trigger to fire.
 */
type Book = 'sellBelow' | 'sellAbove' | 'buyAbove' | 'buyBelow'

function bookFor(t: Pick<Trigger, 'exitSide' | 'kind'>): Book {
  if (t.exitSide === 'SELL') return t.kind === 'STOP_LOSS' ? 'sellBelow' : 'sellAbove'
  return t.kind === 'STOP_LOSS' ? 'buyAbove' : 'buyBelow'
}

type SymbolBooks = Record<Book, Trigger[]>

/** Orders by price, then id, so equal prices have one deterministic position. */
function compare(a: Trigger, b: Trigger): number {
  const byPrice = a.price.cmp(b.price)
  if (byPrice !== 0) return byPrice
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** First index whose element is not before `t` (insertion point / exact match). */
function lowerBoundTrigger(arr: readonly Trigger[], t: Trigger): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(arr[mid], t) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose price is >= `price` (or > `price` when `strict`). */
function firstPriceAtLeast(arr: readonly Trigger[], price: Decimal, strict: boolean): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = arr[mid].price.cmp(price)
    if (c < 0 || (strict && c === 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * The stop-loss / take-profit triggers the monitor checks on every price tick. Each symbol keeps
 * four price-sorted arrays, so `fired` costs two binary searches per side plus the triggers
 * returned, however many positions are open. `fired` does not remove anything: the caller
 * removes a trigger once its exit has actually been placed.
 */
export class TriggerIndex {
  private readonly byId = new Map<string, Trigger>()
  private readonly idsByPosition = new Map<string, Set<string>>()
  private readonly bySymbol = new Map<string, SymbolBooks>()

  /** Adds the trigger, or replaces the one with the same id (e.g. a moved stop). */
  upsert(trigger: Trigger): void {
    this.remove(trigger.id)
    const t: Trigger = Object.freeze({ ...trigger })
    this.byId.set(t.id, t)

    let ids = this.idsByPosition.get(t.positionId)
    if (!ids) this.idsByPosition.set(t.positionId, (ids = new Set()))
    ids.add(t.id)

    let books = this.bySymbol.get(t.symbol)
    if (!books) {
      books = { sellBelow: [], sellAbove: [], buyAbove: [], buyBelow: [] }
      this.bySymbol.set(t.symbol, books)
    }
    const arr = books[bookFor(t)]
    arr.splice(lowerBoundTrigger(arr, t), 0, t)
  }

  remove(id: string): void {
    const t = this.byId.get(id)
    if (!t) return
    this.byId.delete(id)

    const ids = this.idsByPosition.get(t.positionId)
    ids?.delete(id)
    if (ids?.size === 0) this.idsByPosition.delete(t.positionId)

    const books = this.bySymbol.get(t.symbol)
    if (!books) return
    const arr = books[bookFor(t)]
    const i = lowerBoundTrigger(arr, t)
    if (arr[i]?.id === id) arr.splice(i, 1)
    if (Object.values(books).every((a) => a.length === 0)) this.bySymbol.delete(t.symbol)
  }

  removePosition(positionId: string): void {
    for (const id of [...(this.idsByPosition.get(positionId) ?? [])]) this.remove(id)
  }

  /**
   * Triggers crossed by this quote; touching the price counts. All stop losses come before all
   * take-profits, so if both of a position's triggers fire the stop wins.
   */
  fired(symbol: string, quote: Quote): Trigger[] {
    const books = this.bySymbol.get(symbol)
    if (!books) return []
    const { bid, ask } = quote
    return [
      // SELL stop: bid <= price, i.e. every price >= bid
      ...books.sellBelow.slice(firstPriceAtLeast(books.sellBelow, bid, false)),
      // BUY stop: ask >= price, i.e. every price <= ask
      ...books.buyAbove.slice(0, firstPriceAtLeast(books.buyAbove, ask, true)),
      // SELL take-profit: bid >= price
      ...books.sellAbove.slice(0, firstPriceAtLeast(books.sellAbove, bid, true)),
      // BUY take-profit: ask <= price
      ...books.buyBelow.slice(firstPriceAtLeast(books.buyBelow, ask, false)),
    ]
  }

  size(): number {
    return this.byId.size
  }

  list(symbol?: string): Trigger[] {
    const all = [...this.byId.values()]
    return symbol === undefined ? all : all.filter((t) => t.symbol === symbol)
  }
}
