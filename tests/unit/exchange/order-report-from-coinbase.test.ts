import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import {
  fillsFromCoinbase,
  orderReportFromCoinbase,
  orderStatusFromCoinbase,
  type CoinbaseRawFill,
  type CoinbaseRawOrder,
} from '@/lib/exchange/ccxt/order-report-from-coinbase'

describe('orderStatusFromCoinbase', () => {
  test.each<{ label: string; status: string; filled: string; ours: OrderStatus }>([
    { label: 'accepted, not yet on the book', status: 'PENDING', filled: '0', ours: 'SUBMITTED' },
    { label: 'queued', status: 'QUEUED', filled: '0', ours: 'SUBMITTED' },
    { label: 'resting, nothing filled', status: 'OPEN', filled: '0', ours: 'SUBMITTED' },
    { label: 'resting, partly filled', status: 'OPEN', filled: '0.003', ours: 'PARTIALLY_FILLED' },
    { label: 'cancel accepted but not processed: still working', status: 'CANCEL_QUEUED', filled: '0', ours: 'SUBMITTED' },
    { label: 'cancel queued after a partial fill', status: 'CANCEL_QUEUED', filled: '0.1', ours: 'PARTIALLY_FILLED' },
    { label: 'edit queued: still working', status: 'EDIT_QUEUED', filled: '0', ours: 'SUBMITTED' },
    { label: 'filled', status: 'FILLED', filled: '0.5', ours: 'FILLED' },
    { label: 'canceled', status: 'CANCELLED', filled: '0', ours: 'CANCELED' },
    { label: 'IOC rest canceled after a partial fill', status: 'CANCELLED', filled: '0.004', ours: 'CANCELED' },
    { label: 'expired', status: 'EXPIRED', filled: '0', ours: 'EXPIRED' },
    { label: 'failed', status: 'FAILED', filled: '0', ours: 'REJECTED' },
  ])('$label: $status → $ours', ({ status, filled, ours }) => {
    expect(orderStatusFromCoinbase(status, dec(filled))).toBe(ours)
  })

  test.each(['UNKNOWN_ORDER_STATUS', 'open', ''])('"%s" is not guessed at', (status) => {
    expect(() => orderStatusFromCoinbase(status, dec(0))).toThrow(/unknown Coinbase order status/)
  })
})

const order = (o: Partial<CoinbaseRawOrder>): CoinbaseRawOrder => ({
  order_id: 'oid-1', client_order_id: 'cid-1', product_id: 'BTC-USD', side: 'BUY', status: 'FILLED', filled_size: '0.01', ...o,
})
const fill = (f: Partial<CoinbaseRawFill>): CoinbaseRawFill => ({
  trade_id: 't-1', order_id: 'oid-1', trade_time: '2024-01-15T10:30:00.123456Z', price: '60000.01', size: '0.01', commission: '3.6000006',
  liquidity_indicator: 'TAKER', size_in_quote: false, ...f,
})

describe('fillsFromCoinbase', () => {
  test('exact decimals, trade id, quote fee asset, liquidity and microsecond time', () => {
    const [f] = fillsFromCoinbase([fill({ liquidity_indicator: 'MAKER' })], 'USD')
    expect({ id: f!.exchangeFillId, qty: f!.qty.toFixed(), price: f!.price.toFixed(), fee: f!.fee.toFixed(), asset: f!.feeAsset, liq: f!.liquidity, at: f!.at.toISOString() })
      .toEqual({ id: 't-1', qty: '0.01', price: '60000.01', fee: '3.6000006', asset: 'USD', liq: 'MAKER', at: '2024-01-15T10:30:00.123Z' })
  })

  test.each([
    { label: 'a quote-sized fill', f: { size_in_quote: true }, error: /sized in quote/ },
    { label: 'an unknown liquidity indicator', f: { liquidity_indicator: 'UNKNOWN_LIQUIDITY_INDICATOR' }, error: /liquidity indicator/ },
    { label: 'an unreadable time', f: { trade_time: 'yesterday' }, error: /trade_time/ },
  ])('refuses $label', ({ f, error }) => {
    expect(() => fillsFromCoinbase([fill(f)], 'USD')).toThrow(error)
  })
})

describe('orderReportFromCoinbase', () => {
  test('a filled order with all its fills', () => {
    const fills = fillsFromCoinbase([fill({ trade_id: 't-1', size: '0.004' }), fill({ trade_id: 't-2', size: '0.006' })], 'USD')
    const r = orderReportFromCoinbase(order({}), fills)
    expect([r.status, r.filledQty.toFixed(), r.exchangeOrderId, r.clientOrderId, r.fills.length]).toEqual(['FILLED', '0.01', 'oid-1', 'cid-1', 2])
  })

  test.each<{ label: string; status: string; listed: string[]; ours: OrderStatus; filled: string }>([
    { label: 'filled, no fill listed yet', status: 'FILLED', listed: [], ours: 'SUBMITTED', filled: '0' },
    { label: 'filled, one of two fills listed', status: 'FILLED', listed: ['0.004'], ours: 'PARTIALLY_FILLED', filled: '0.004' },
    { label: 'canceled after a partial fill not listed yet', status: 'CANCELLED', listed: [], ours: 'SUBMITTED', filled: '0' },
  ])('fills lagging the order ($label): reported as still working, with what the fills prove', ({ status, listed, ours, filled }) => {
    const fills = fillsFromCoinbase(listed.map((size, i) => fill({ trade_id: `t-${i}`, size })), 'USD')
    const r = orderReportFromCoinbase(order({ status, filled_size: '0.01' }), fills)
    expect([r.status, r.filledQty.toFixed()]).toEqual([ours, filled])
  })

  test('a FAILED order is REJECTED with Coinbase’s reason', () => {
    const r = orderReportFromCoinbase(order({ status: 'FAILED', filled_size: '0', reject_reason: 'HOLD_FAILURE', reject_message: 'insufficient funds' }), [])
    expect([r.status, r.rejectReason]).toEqual(['REJECTED', 'HOLD_FAILURE: insufficient funds'])
  })
})
