import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { aggregateExecution, isExchangeMode, orderOutcome, orderQuality, percentile, slippageBps, type ExecutionOrder, type OrderStatus } from '@/lib/domain/execution/execution-quality'

describe('slippageBps: positive is worse for us', () => {
  test.each([
    ['a buy above the expected price', 'BUY', '100', '100.5', '50'],
    ['a buy below it (price improvement)', 'BUY', '100', '99.8', '-20'],
    ['a sell below the expected price', 'SELL', '200', '199', '50'],
    ['a sell above it', 'SELL', '200', '201', '-50'],
    ['exactly as expected', 'BUY', '30000', '30000', '0'],
    ['a small price: 0.0001 under 0.5', 'SELL', '0.5', '0.4999', '2'],
  ] as const)('%s', (_label, side, expected, price, bps) => {
    expect(slippageBps(side, dec(expected), dec(price)).toFixed()).toBe(bps)
  })
})

describe('orderOutcome', () => {
  test.each([
    ['filled', 'FILLED', '1', null, 'FILLED'],
    ['canceled after a partial fill counts as filled', 'CANCELED', '0.4', null, 'FILLED'],
    ['declared lost, then a late fill booked', 'REJECTED', '1', 'lost: unknown to the exchange', 'FILLED'],
    ['declared lost', 'REJECTED', '0', 'lost: unknown to the exchange 3 times', 'LOST'],
    ['refused by the exchange', 'REJECTED', '0', 'insufficient balance', 'REJECTED'],
    ['refused with no reason', 'REJECTED', '0', null, 'REJECTED'],
    ['a stop canceled unfilled', 'CANCELED', '0', null, 'OTHER'],
    ['expired unfilled', 'EXPIRED', '0', null, 'OTHER'],
    ['still being sent', 'NEW', '0', null, 'OTHER'],
  ] as const)('%s', (_label, status, filledQty, rejectReason, outcome) => {
    expect(orderOutcome({ status: status as OrderStatus, filledQty: dec(filledQty), rejectReason })).toBe(outcome)
  })
})

describe('percentile (nearest rank)', () => {
  test.each([
    ['median of five, unsorted', [5, 1, 4, 2, 3], 0.5, 3],
    ['p95 of five is the largest', [5, 1, 4, 2, 3], 0.95, 5],
    ['p95 of 1..20 is the 19th', Array.from({ length: 20 }, (_, i) => i + 1), 0.95, 19],
    ['median of two is the lower', [20, 10], 0.5, 10],
    ['one value', [7], 0.95, 7],
  ])('%s', (_label, values, p, expected) => {
    expect(percentile(values, p)).toBe(expected)
  })
  test('none', () => expect(percentile([], 0.5)).toBeNull())
  test('decimals compare as numbers, not strings', () => expect(percentile([dec('9'), dec('10'), dec('-2')], 0.95)!.toFixed()).toBe('10'))
})

const order = (o: Partial<ExecutionOrder> & Pick<ExecutionOrder, 'side' | 'status'>): ExecutionOrder => ({
  filledQty: o.fills ? o.fills.reduce((s, f) => s.plus(f.qty), dec(0)) : dec(0),
  rejectReason: null,
  expectedPrice: null,
  createdAt: 0,
  decidedAt: null,
  fills: [],
  ...o,
})

describe('orderQuality', () => {
  test('slippage of the quantity-weighted average fill, decision→order and order→first fill', () => {
    // avg = (1×100 + 3×101) / 4 = 100.75 → 0.75 over 100 = 75 bps
    const q = orderQuality(order({ side: 'BUY', status: 'FILLED', expectedPrice: dec('100'), createdAt: 1000, decidedAt: 400, fills: [{ price: dec('100'), qty: dec('1'), at: 1300 }, { price: dec('101'), qty: dec('3'), at: 1250 }] }))
    expect(q.slippageBps!.toFixed()).toBe('75')
    expect(q.decisionToOrderMs).toBe(600)
    expect(q.orderToFillMs).toBe(250)
    expect(q.outcome).toBe('FILLED')
  })
  test('no expected price, no decision, no fill: nothing measured', () => {
    const q = orderQuality(order({ side: 'SELL', status: 'SUBMITTED', createdAt: 5 }))
    expect(q).toEqual({ outcome: 'OTHER', slippageBps: null, decisionToOrderMs: null, orderToFillMs: null })
  })
})

describe('aggregateExecution', () => {
  const orders = [
    // +100 bps, weight 1×100; decided 300 ms before the order, filled 200 ms after it
    order({ side: 'BUY', status: 'FILLED', expectedPrice: dec('100'), decidedAt: -300, fills: [{ price: dec('101'), qty: dec('1'), at: 200 }] }),
    // (50 − 49.9) / 50 = 20 bps, weight 2×50; filled after 100 ms
    order({ side: 'SELL', status: 'FILLED', expectedPrice: dec('50'), fills: [{ price: dec('49.9'), qty: dec('2'), at: 100 }] }),
    // filled after 1000 ms, no expected price: no slippage
    order({ side: 'BUY', status: 'FILLED', fills: [{ price: dec('7'), qty: dec('1'), at: 1000 }] }),
    order({ side: 'BUY', status: 'REJECTED', rejectReason: 'insufficient balance' }),
    order({ side: 'SELL', status: 'REJECTED', rejectReason: 'lost: unknown to the exchange' }),
    order({ side: 'SELL', status: 'CANCELED' }),
  ]
  const a = aggregateExecution(orders, { exchange: true })
  test('counts', () => expect([a.orders, a.filled, a.rejected, a.lost, a.measured]).toEqual([6, 3, 1, 1, 2]))
  test('slippage: p50 20, p95 100, notional-weighted average (100×100 + 20×100) / 200 = 60', () => {
    expect([a.slippageP50Bps.value?.toFixed(), a.slippageP95Bps.value?.toFixed(), a.slippageAvgBps.value?.toFixed()]).toEqual(['20', '100', '60'])
  })
  test('latencies: order→fill of [200, 100, 1000] is p50 200 and p95 1000; decision→order only where a decision is', () => {
    expect([a.orderToFillP50Ms, a.orderToFillP95Ms, a.decisionToOrderP50Ms, a.decisionToOrderP95Ms]).toEqual([200, 1000, 300, 300])
  })
  test('success 3 / (3 + 1 + 1) = 0.6; errors 2 of 6 orders', () => {
    expect(a.successRate.value?.toFixed()).toBe('0.6')
    expect(a.errorRate.value?.toFixed(4)).toBe('0.3333')
  })
  test('paper orders have no exchange error rate (their refusals are the paper engine\'s); the other figures are the same', () => {
    const paper = aggregateExecution(orders, { exchange: false })
    expect(paper.errorRate).toEqual({ value: null, reason: expect.stringMatching(/not sent to an exchange/) })
    expect({ ...paper, errorRate: null }).toEqual({ ...a, errorRate: null })
  })
  test.each([
    ['PAPER', false],
    ['TESTNET', true],
    ['LIVE', true],
  ])('mode %s is an exchange mode: %s', (mode, exchange) => expect(isExchangeMode(mode)).toBe(exchange))
  test('nothing to aggregate says why', () => {
    const none = aggregateExecution([], { exchange: true })
    expect(none.slippageP50Bps.reason).toMatch(/no filled order/)
    expect(none.successRate.value).toBeNull()
    expect(none.errorRate.value).toBeNull()
    expect(none.orderToFillP50Ms).toBeNull()
  })
})
