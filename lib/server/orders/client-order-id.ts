import { randomBytes } from 'node:crypto'

/** Client order ids: short, unique, and accepted by Binance (max 36 chars of [A-Za-z0-9_-]). */
// e entry, x manual exit, sl stop-loss exit at market, tp take-profit, sp stop resting on the exchange,
// tt take-profit resting on the exchange (paired with a stop), ol the pair's order list.
export function newClientOrderId(prefix: 'e' | 'x' | 'sl' | 'tp' | 'sp' | 'tt' | 'ol'): string {
  return `tl-${prefix}-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`
}
