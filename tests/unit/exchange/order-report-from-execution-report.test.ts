import ccxt from 'ccxt'
import { describe, expect, test } from 'vitest'
import { orderReportFromExecutionReport, type BinanceExecutionReport } from '@/lib/exchange/ccxt/order-report-from-execution-report'
import { rewriteHosts, rewriteWebsocketHosts, websocketBaseFor } from '@/lib/exchange/ccxt/rest-base-url'

/** An executionReport as Binance's user data stream sends it (fields we do not read left out). */
const ev = (o: Partial<BinanceExecutionReport>): BinanceExecutionReport => ({
  e: 'executionReport', c: 'tl-stop-1', C: '', x: 'NEW', X: 'NEW', r: 'NONE', i: 4293153, l: '0.00000000', L: '0.00000000', z: '0.00000000',
  n: '0', N: null, T: 1499405658657, t: -1, m: false, ...o,
})

const flat = (e: BinanceExecutionReport) => {
  const r = orderReportFromExecutionReport(e)
  return {
    id: r.clientOrderId,
    exchangeId: r.exchangeOrderId,
    status: r.status,
    filled: r.filledQty.toFixed(),
    fills: r.fills.map((f) => `${f.exchangeFillId} ${f.qty.toFixed()}@${f.price.toFixed()} fee ${f.fee.toFixed()} ${f.feeAsset} ${f.liquidity} ${f.at.getTime()}`),
    reason: r.rejectReason,
  }
}

describe('orderReportFromExecutionReport', () => {
  test.each<{ label: string; e: BinanceExecutionReport; want: ReturnType<typeof flat> }>([
    {
      label: 'accepted: no fill, nothing executed',
      e: ev({}),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'SUBMITTED', filled: '0', fills: [], reason: undefined },
    },
    {
      label: 'a stop that triggered (NEW again, now working): still submitted',
      e: ev({ x: 'NEW', X: 'NEW' }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'SUBMITTED', filled: '0', fills: [], reason: undefined },
    },
    {
      label: 'a partial maker fill: this trade only, running total from z',
      e: ev({ x: 'TRADE', X: 'PARTIALLY_FILLED', t: 5001, l: '0.00400000', L: '59000.00000000', z: '0.00600000', n: '0.23600000', N: 'USDT', m: true, T: 1700000000123 }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'PARTIALLY_FILLED', filled: '0.006', fills: ['5001 0.004@59000 fee 0.236 USDT MAKER 1700000000123'], reason: undefined },
    },
    {
      label: 'the last taker fill',
      e: ev({ x: 'TRADE', X: 'FILLED', t: '5002', l: '0.00399000', L: '58999.99000000', z: '0.00999000', n: '0.00000399', N: 'BTC', m: false, T: 1700000000456 }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'FILLED', filled: '0.00999', fills: ['5002 0.00399@58999.99 fee 0.00000399 BTC TAKER 1700000000456'], reason: undefined },
    },
    {
      label: 'a cancel: the order is C, c names the cancel request',
      e: ev({ x: 'CANCELED', X: 'CANCELED', c: 'web_8f2c1a', C: 'tl-stop-1', z: '0.00200000' }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'CANCELED', filled: '0.002', fills: [], reason: undefined },
    },
    {
      label: 'an OCO leg expired by its sibling (C empty)',
      e: ev({ x: 'EXPIRED', X: 'EXPIRED', C: '' }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'EXPIRED', filled: '0', fills: [], reason: undefined },
    },
    {
      label: 'C null (as ccxt documents it) reads as absent',
      e: ev({ C: null }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'SUBMITTED', filled: '0', fills: [], reason: undefined },
    },
    {
      label: 'the new order of a cancel-replace, rejected',
      e: ev({ x: 'REJECTED', X: 'REJECTED', r: 'INSUFFICIENT_BALANCES' }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'REJECTED', filled: '0', fills: [], reason: 'Binance: INSUFFICIENT_BALANCES' },
    },
    {
      label: 'a TRADE without a trade id carries no fill',
      e: ev({ x: 'TRADE', X: 'PARTIALLY_FILLED', t: -1, z: '0.00100000' }),
      want: { id: 'tl-stop-1', exchangeId: '4293153', status: 'PARTIALLY_FILLED', filled: '0.001', fills: [], reason: undefined },
    },
  ])('$label', ({ e, want }) => {
    expect(flat(e)).toEqual(want)
  })

  test('an order status Binance has not defined is not guessed at', () => {
    expect(() => orderReportFromExecutionReport(ev({ X: 'PENDING_SOMETHING' }))).toThrow(/unknown Binance order status/)
  })
})

describe('the websocket host of an account with a REST base URL', () => {
  test.each([
    ['http://127.0.0.1:8080', 'ws://127.0.0.1:8080'],
    ['https://gateway.example.com', 'wss://gateway.example.com'],
    ['https://gateway.example.com/binance', 'wss://gateway.example.com/binance'],
  ])('%s → %s', (rest, ws) => {
    expect(websocketBaseFor(rest)).toBe(ws)
  })

  test("ccxt pro's Binance WebSocket API URLs (live and testnet) move to that host with their paths; REST ones to the REST base", () => {
    const live = new ccxt.pro.binance()
    expect(live.urls['api']['ws']['ws-api']['spot']).toBe('wss://ws-api.binance.com:443/ws-api/v3')
    const testnet = new ccxt.pro.binance()
    testnet.setSandboxMode(true)
    const api = testnet.urls['api'] as Record<string, unknown> & { ws: { 'ws-api': { spot: string }; spot: string } }
    expect(api.ws['ws-api'].spot).toBe('wss://ws-api.testnet.binance.vision/ws-api/v3')
    const moved = rewriteWebsocketHosts(rewriteHosts(api, 'http://127.0.0.1:8080'), websocketBaseFor('http://127.0.0.1:8080'))
    expect(moved.ws['ws-api'].spot).toBe('ws://127.0.0.1:8080/ws-api/v3')
    expect(moved.ws.spot).toBe('ws://127.0.0.1:8080/ws')
    const hosts = new Set(JSON.stringify(moved).match(/[a-z]+:\/\/[^/"]+/g))
    expect([...hosts].sort()).toEqual(['http://127.0.0.1:8080', 'ws://127.0.0.1:8080'])
  })
})
