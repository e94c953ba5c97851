import { entrySideFor, type OrderSide, type PositionSide } from '@/lib/domain/positions/fill-ledger'

export type OrderPurpose = 'ENTRY' | 'STOP_LOSS' | 'TAKE_PROFIT' | 'MANUAL_EXIT'
export type AdoptableType = 'MARKET' | 'LIMIT' | 'STOP_MARKET'

/**
 * Our client order ids are `tl-<kind>-…` (lib/server/orders/client-order-id.ts); the kind says
 * what the order was for. Anything else was placed by someone else and is never touched.
 */
const OURS = /^tl-([a-z]+)-/

const PURPOSE_OF_KIND: Record<string, OrderPurpose> = {
  e: 'ENTRY',
  sp: 'STOP_LOSS', // resting stop
  sl: 'STOP_LOSS', // stop-loss exit at market
  tp: 'TAKE_PROFIT',
  tt: 'TAKE_PROFIT', // take-profit leg resting beside a stop
  x: 'MANUAL_EXIT',
}

export function isOurClientOrderId(clientOrderId: string): boolean {
  return OURS.test(clientOrderId)
}

/**
 * What an order of ours that our database lacks was for, and whether it belongs to `position`
 * (the one live position of its account and symbol, if there is exactly one). The kind in its
 * client order id decides; failing that its shape does (spot: a buy opens, a resting stop sell
 * protects, a limit sell takes profit). It belongs to the position only if it trades on the side
 * its purpose implies: an entry on the entry side, anything else on the exit side.
 */
export function adoptedOrderPurpose(
  order: { clientOrderId: string; side: OrderSide; type: AdoptableType },
  position: { side: PositionSide } | null,
): { purpose: OrderPurpose; belongs: boolean } {
  const entrySide = entrySideFor(position?.side ?? 'LONG')
  const opens = order.side === entrySide
  const byShape: OrderPurpose = opens ? 'ENTRY' : order.type === 'STOP_MARKET' ? 'STOP_LOSS' : order.type === 'LIMIT' ? 'TAKE_PROFIT' : 'MANUAL_EXIT'
  const kind = OURS.exec(order.clientOrderId)?.[1]
  const purpose = (kind !== undefined ? PURPOSE_OF_KIND[kind] : undefined) ?? byShape
  return { purpose, belongs: position !== null && (purpose === 'ENTRY') === opens }
}
