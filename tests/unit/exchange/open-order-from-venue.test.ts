import { describe, expect, test } from 'vitest'
import { binanceOrderListId, openOrderFromBinance } from '@/lib/exchange/ccxt/open-order-from-binance'
import { openOrderFromCoinbase } from '@/lib/exchange/ccxt/open-order-from-coinbase'
import type { OpenOrderReport } from '@/lib/exchange/port'

/** The report with its decimals as strings, to compare exactly. */
const plain = (r: OpenOrderReport) => ({
  ...r,
  qty: r.qty.toFixed(),
  filledQty: r.filledQty.toFixed(),
  price: r.price?.toFixed() ?? null,
  triggerPrice: r.triggerPrice?.toFixed() ?? null,
})

describe('openOrderFromBinance (GET /api/v3/openOrders)', () => {
  const raw = (o: Record<string, unknown>) => ({
    symbol: 'BTCUSDT', orderId: 12, orderListId: -1, clientOrderId: 'tl-sp-1-a', price: '58410.00000000', origQty: '0.00999000',
    executedQty: '0.00000000', cummulativeQuoteQty: '0.00000000', status: 'NEW', timeInForce: 'GTC', type: 'STOP_LOSS_LIMIT', side: 'SELL',
    stopPrice: '59000.00000000', icebergQty: '0.00000000', time: 1, updateTime: 1, isWorking: false, ...o,
  })

  test('a resting STOP_LOSS_LIMIT is our STOP_MARKET, with exact sizes and both prices', () => {
    expect(plain(openOrderFromBinance(raw({}), 'BTC/USDT'))).toEqual({
      clientOrderId: 'tl-sp-1-a', exchangeOrderId: '12', symbol: 'BTC/USDT', side: 'SELL', type: 'STOP_MARKET', venueType: 'STOP_LOSS_LIMIT',
      qty: '0.00999', filledQty: '0', price: '58410', triggerPrice: '59000', status: 'SUBMITTED', listClientOrderId: null,
    })
  })

  test('a leg of an order list carries the list client id it was read with; its orderListId is what to read', () => {
    const leg = raw({ orderListId: 7, type: 'LIMIT_MAKER', clientOrderId: 'tl-tt-1-a', price: '61000.00000000', stopPrice: '0.00000000' })
    expect(binanceOrderListId(leg)).toBe(7)
    expect(binanceOrderListId(raw({}))).toBeNull()
    expect(openOrderFromBinance(leg, 'BTC/USDT', 'tl-ol-1-a')).toMatchObject({ type: 'LIMIT', listClientOrderId: 'tl-ol-1-a', triggerPrice: null })
  })

  test.each<{ type: string; ours: OpenOrderReport['type'] }>([
    { type: 'LIMIT', ours: 'LIMIT' },
    { type: 'LIMIT_MAKER', ours: 'LIMIT' },
    { type: 'STOP_LOSS', ours: 'STOP_MARKET' },
    { type: 'MARKET', ours: 'MARKET' },
    { type: 'TAKE_PROFIT_LIMIT', ours: null },
    { type: 'SOMETHING_NEW', ours: null },
  ])('$type → $ours', ({ type, ours }) => {
    expect(openOrderFromBinance(raw({ type }), 'BTC/USDT').type).toBe(ours)
  })

  test('partly filled; no trigger on a plain limit', () => {
    const r = openOrderFromBinance(raw({ type: 'LIMIT', executedQty: '0.00300000', stopPrice: '0.00000000', status: 'PARTIALLY_FILLED' }), 'BTC/USDT')
    expect([r.status, r.filledQty.toFixed(), r.triggerPrice]).toEqual(['PARTIALLY_FILLED', '0.003', null])
  })

  test('a malformed entry is refused, not guessed at', () => {
    expect(() => openOrderFromBinance(raw({ origQty: 1e-7 }), 'BTC/USDT')).toThrow()
  })
})

describe('openOrderFromCoinbase (GET /orders/historical/batch?order_status=OPEN)', () => {
  const raw = (o: Record<string, unknown>) => ({
    order_id: 'oid-1', product_id: 'BTC-USD', client_order_id: 'tl-sp-1-a', side: 'SELL', status: 'OPEN', filled_size: '0',
    order_configuration: { stop_limit_stop_limit_gtc: { base_size: '0.01', limit_price: '58410', stop_price: '59000', stop_direction: 'STOP_DIRECTION_STOP_DOWN' } },
    order_type: 'STOP_LIMIT', ...o,
  })

  test('a stop-limit that sells on the way down is our STOP_MARKET', () => {
    expect(plain(openOrderFromCoinbase(raw({}), 'BTC/USD'))).toEqual({
      clientOrderId: 'tl-sp-1-a', exchangeOrderId: 'oid-1', symbol: 'BTC/USD', side: 'SELL', type: 'STOP_MARKET', venueType: 'stop_limit_stop_limit_gtc',
      qty: '0.01', filledQty: '0', price: '58410', triggerPrice: '59000', status: 'SUBMITTED', listClientOrderId: null,
    })
  })

  test.each<{ label: string; side: string; cfg: Record<string, Record<string, unknown>>; ours: OpenOrderReport['type'] }>([
    { label: 'limit GTC', side: 'BUY', cfg: { limit_limit_gtc: { base_size: '0.01', limit_price: '59000', post_only: false } }, ours: 'LIMIT' },
    { label: 'stop buy on the way up', side: 'BUY', cfg: { stop_limit_stop_limit_gtc: { base_size: '0.01', limit_price: '61000', stop_price: '60500', stop_direction: 'STOP_DIRECTION_STOP_UP' } }, ours: 'STOP_MARKET' },
    { label: 'stop sell on the way up (a target trigger)', side: 'SELL', cfg: { stop_limit_stop_limit_gtc: { base_size: '0.01', limit_price: '61000', stop_price: '60500', stop_direction: 'STOP_DIRECTION_STOP_UP' } }, ours: null },
    { label: 'quote-sized market buy', side: 'BUY', cfg: { market_market_ioc: { quote_size: '100' } }, ours: null },
    { label: 'bracket', side: 'SELL', cfg: { trigger_bracket_gtc: { base_size: '0.01', limit_price: '62000', stop_trigger_price: '58000' } }, ours: null },
  ])('$label → $ours', ({ side, cfg, ours }) => {
    expect(openOrderFromCoinbase(raw({ side, order_configuration: cfg }), 'BTC/USD').type).toBe(ours)
  })

  test('cancel queued after a partial fill: still working, partly filled', () => {
    const r = openOrderFromCoinbase(raw({ status: 'CANCEL_QUEUED', filled_size: '0.004' }), 'BTC/USD')
    expect([r.status, r.filledQty.toFixed()]).toEqual(['PARTIALLY_FILLED', '0.004'])
  })

  test('an order listed as open that has ended is an error, not an open order', () => {
    expect(() => openOrderFromCoinbase(raw({ status: 'FILLED', filled_size: '0.01' }), 'BTC/USD')).toThrow(/listed order oid-1 as open/)
  })
})
