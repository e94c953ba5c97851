import { describe, expect, test } from 'vitest'
import { adoptedOrderPurpose, isOurClientOrderId, type AdoptableType, type OrderPurpose } from '@/lib/domain/orders/adopted-order'
import type { OrderSide, PositionSide } from '@/lib/domain/positions/fill-ledger'

describe('isOurClientOrderId', () => {
  test.each<{ label: string; id: string; ours: boolean }>([
    { label: 'a resting stop of ours', id: 'tl-sp-m3k2x1-0a1b2c3d4e5f', ours: true },
    { label: 'an entry of ours', id: 'tl-e-m3k2x1-0a1b2c3d4e5f', ours: true },
    { label: 'placed on the exchange website', id: 'web_5f2c0e', ours: false },
    { label: "ccxt's invented id", id: 'x-R4BD3S82abc', ours: false },
    { label: 'a prefix without a kind', id: 'tl-', ours: false },
    { label: 'our prefix later in the id', id: 'my-tl-sp-1-2', ours: false },
    { label: 'upper case is not ours', id: 'TL-SP-1-2', ours: false },
  ])('$label: $id → $ours', ({ id, ours }) => {
    expect(isOurClientOrderId(id)).toBe(ours)
  })
})

describe('adoptedOrderPurpose', () => {
  test.each<{ label: string; id: string; side: OrderSide; type: AdoptableType; position: PositionSide | null; purpose: OrderPurpose; belongs: boolean }>([
    { label: 'resting stop sell of a LONG', id: 'tl-sp-1-a', side: 'SELL', type: 'STOP_MARKET', position: 'LONG', purpose: 'STOP_LOSS', belongs: true },
    { label: 'resting limit entry of a LONG', id: 'tl-e-1-a', side: 'BUY', type: 'LIMIT', position: 'LONG', purpose: 'ENTRY', belongs: true },
    { label: 'take-profit leg resting beside a stop', id: 'tl-tt-1-a', side: 'SELL', type: 'LIMIT', position: 'LONG', purpose: 'TAKE_PROFIT', belongs: true },
    { label: 'manual exit', id: 'tl-x-1-a', side: 'SELL', type: 'MARKET', position: 'LONG', purpose: 'MANUAL_EXIT', belongs: true },
    { label: 'stop-loss exit at market', id: 'tl-sl-1-a', side: 'SELL', type: 'MARKET', position: 'LONG', purpose: 'STOP_LOSS', belongs: true },
    { label: 'a stop that buys cannot protect a LONG', id: 'tl-sp-1-a', side: 'BUY', type: 'STOP_MARKET', position: 'LONG', purpose: 'STOP_LOSS', belongs: false },
    { label: 'an entry that sells does not open a LONG', id: 'tl-e-1-a', side: 'SELL', type: 'LIMIT', position: 'LONG', purpose: 'ENTRY', belongs: false },
    { label: 'stop buy of a SHORT', id: 'tl-sp-1-a', side: 'BUY', type: 'STOP_MARKET', position: 'SHORT', purpose: 'STOP_LOSS', belongs: true },
    { label: 'no position: still a stop, attached to none', id: 'tl-sp-1-a', side: 'SELL', type: 'STOP_MARKET', position: null, purpose: 'STOP_LOSS', belongs: false },
    { label: 'unknown kind: a stop sell by its shape', id: 'tl-zz-1-a', side: 'SELL', type: 'STOP_MARKET', position: 'LONG', purpose: 'STOP_LOSS', belongs: true },
    { label: 'unknown kind: a limit sell takes profit', id: 'tl-zz-1-a', side: 'SELL', type: 'LIMIT', position: 'LONG', purpose: 'TAKE_PROFIT', belongs: true },
    { label: 'unknown kind: a buy opens (spot, no position)', id: 'tl-zz-1-a', side: 'BUY', type: 'LIMIT', position: null, purpose: 'ENTRY', belongs: false },
  ])('$label', ({ id, side, type, position, purpose, belongs }) => {
    expect(adoptedOrderPurpose({ clientOrderId: id, side, type }, position ? { side: position } : null)).toEqual({ purpose, belongs })
  })
})
