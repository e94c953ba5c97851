import { afterEach, describe, expect, test, vi } from 'vitest'
import { Decimal, dec } from '@/lib/domain/decimal'
import type { OrderSide } from '@/lib/domain/positions/fill-ledger'
import { TriggerIndex, type Trigger, type TriggerKind } from '@/lib/domain/triggers/trigger-index'

const trig = (id: string, exitSide: OrderSide, kind: TriggerKind, price: string, positionId = `p-${id}`, symbol = 'BTC/USDT'): Trigger => ({
  id,
  positionId,
  symbol,
  kind,
  exitSide,
  price: dec(price),
})

const quote = (bid: string, ask: string) => ({ bid: dec(bid), ask: dec(ask) })
const ids = (ts: Trigger[]) => ts.map((t) => t.id)

describe('TriggerIndex.fired: one trigger at 100 in each direction', () => {
  test.each([
    // SELL exits (closing a LONG) look at the bid
    { label: 'LONG stop, bid below', side: 'SELL', kind: 'STOP_LOSS', bid: '99', ask: '99.1', fires: true },
    { label: 'LONG stop, bid touches', side: 'SELL', kind: 'STOP_LOSS', bid: '100', ask: '100.1', fires: true },
    { label: 'LONG stop, bid just above', side: 'SELL', kind: 'STOP_LOSS', bid: '100.01', ask: '100.1', fires: false },
    { label: 'LONG stop, only the bid straddles', side: 'SELL', kind: 'STOP_LOSS', bid: '99.9', ask: '100.1', fires: true },
    { label: 'LONG target, bid above', side: 'SELL', kind: 'TAKE_PROFIT', bid: '101', ask: '101.1', fires: true },
    { label: 'LONG target, bid touches', side: 'SELL', kind: 'TAKE_PROFIT', bid: '100', ask: '100.1', fires: true },
    { label: 'LONG target, ask above but bid below', side: 'SELL', kind: 'TAKE_PROFIT', bid: '99.99', ask: '100.05', fires: false },
    // BUY exits (closing a SHORT) look at the ask
    { label: 'SHORT stop, ask above', side: 'BUY', kind: 'STOP_LOSS', bid: '100.9', ask: '101', fires: true },
    { label: 'SHORT stop, ask touches', side: 'BUY', kind: 'STOP_LOSS', bid: '99.9', ask: '100', fires: true },
    { label: 'SHORT stop, ask just below', side: 'BUY', kind: 'STOP_LOSS', bid: '99.9', ask: '99.99', fires: false },
    { label: 'SHORT target, ask below', side: 'BUY', kind: 'TAKE_PROFIT', bid: '98.9', ask: '99', fires: true },
    { label: 'SHORT target, ask touches', side: 'BUY', kind: 'TAKE_PROFIT', bid: '99.9', ask: '100', fires: true },
    { label: 'SHORT target, bid below but ask above', side: 'BUY', kind: 'TAKE_PROFIT', bid: '99.95', ask: '100.01', fires: false },
  ] as const)('$label → fires=$fires', ({ side, kind, bid, ask, fires }) => {
    const index = new TriggerIndex()
    index.upsert(trig('t', side, kind, '100'))
    expect(ids(index.fired('BTC/USDT', quote(bid, ask)))).toEqual(fires ? ['t'] : [])
  })
})

describe('TriggerIndex with many positions', () => {
  // Market around 2500. 1000 LONGs: stops at 1..1000, targets at 3001..4000.
  // 1000 SHORTs: targets at 1001..2000, stops at 4001..5000.
  function crowded(): TriggerIndex {
    const index = new TriggerIndex()
    for (let i = 1; i <= 1000; i++) {
      index.upsert(trig(`long-sl-${i}`, 'SELL', 'STOP_LOSS', String(i), `long-${i}`))
      index.upsert(trig(`long-tp-${i}`, 'SELL', 'TAKE_PROFIT', String(3000 + i), `long-${i}`))
      index.upsert(trig(`short-tp-${i}`, 'BUY', 'TAKE_PROFIT', String(1000 + i), `short-${i}`))
      index.upsert(trig(`short-sl-${i}`, 'BUY', 'STOP_LOSS', String(4000 + i), `short-${i}`))
    }
    return index
  }
  const every = (prefix: string) => Array.from({ length: 1000 }, (_, i) => `${prefix}-${i + 1}`)

  test.each([
    { label: 'quiet market: nothing crossed', bid: '2500', ask: '2500.5', fired: [] },
    // ask 1999 ≤ targets 1999 (touch) and 2000
    { label: 'dip: the highest SHORT targets fire', bid: '1998.5', ask: '1999', fired: ['short-tp-999', 'short-tp-1000'] },
    // bid 3002 ≥ targets 3001 and 3002 (touch)
    { label: 'rise: the lowest LONG targets fire', bid: '3002', ask: '3002.5', fired: ['long-tp-1', 'long-tp-2'] },
    // bid 999 ≤ stops 999, 1000; ask 999.5 ≤ every SHORT target
    { label: 'crash: LONG stops first, then every SHORT target', bid: '999', ask: '999.5', fired: ['long-sl-999', 'long-sl-1000', ...every('short-tp')] },
    // ask 4002 ≥ stops 4001, 4002; bid 4001.5 ≥ every LONG target
    { label: 'spike: SHORT stops first, then every LONG target', bid: '4001.5', ask: '4002', fired: ['short-sl-1', 'short-sl-2', ...every('long-tp')] },
  ])('$label', ({ bid, ask, fired }) => {
    expect(ids(crowded().fired('BTC/USDT', quote(bid, ask)))).toEqual(fired)
  })

  describe('cost per tick', () => {
    afterEach(() => vi.restoreAllMocks())

    test.each([{ n: 100 }, { n: 10_000 }])('$n positions: a quiet tick costs O(log n) comparisons', ({ n }) => {
      const index = new TriggerIndex()
      for (let i = 1; i <= n; i++) {
        index.upsert(trig(`sl-${i}`, 'SELL', 'STOP_LOSS', String(i)))
        index.upsert(trig(`tp-${i}`, 'SELL', 'TAKE_PROFIT', String(2 * n + i)))
      }
      const cmp = vi.spyOn(Decimal.prototype, 'cmp')
      expect(index.fired('BTC/USDT', quote(String(1.5 * n), String(1.5 * n + 1)))).toEqual([])
      // two binary searches over n entries each (the BUY books are empty)
      expect(cmp.mock.calls.length).toBeLessThanOrEqual(2 * (Math.ceil(Math.log2(n)) + 1))
    })
  })
})

describe('TriggerIndex maintenance', () => {
  test('stop losses are returned before take-profits of the same position, whatever the insert order', () => {
    const index = new TriggerIndex()
    // A LONG whose target (90) is below its stop (100): both are crossed by bid 95.
    index.upsert(trig('tp', 'SELL', 'TAKE_PROFIT', '90', 'pos'))
    index.upsert(trig('sl', 'SELL', 'STOP_LOSS', '100', 'pos'))
    expect(ids(index.fired('BTC/USDT', quote('95', '95.1')))).toEqual(['sl', 'tp'])
  })

  test('upsert replaces the price of an existing id', () => {
    const index = new TriggerIndex()
    index.upsert(trig('sl', 'SELL', 'STOP_LOSS', '100', 'pos'))
    index.upsert(trig('sl', 'SELL', 'STOP_LOSS', '90', 'pos')) // stop moved down
    expect(index.size()).toBe(1)
    expect(index.fired('BTC/USDT', quote('95', '95.1'))).toEqual([])
    expect(ids(index.fired('BTC/USDT', quote('90', '90.1')))).toEqual(['sl'])
    expect(index.list().map((t) => t.price.toString())).toEqual(['90'])
  })

  test('upsert can move a trigger to another symbol and side', () => {
    const index = new TriggerIndex()
    index.upsert(trig('x', 'SELL', 'STOP_LOSS', '100'))
    index.upsert(trig('x', 'BUY', 'STOP_LOSS', '100', 'p-x', 'ETH/USDT'))
    expect(index.fired('BTC/USDT', quote('50', '50.1'))).toEqual([])
    expect(ids(index.fired('ETH/USDT', quote('100', '100')))).toEqual(['x'])
    expect(index.list('BTC/USDT')).toEqual([])
  })

  test('triggers with equal prices are kept and removed individually', () => {
    const index = new TriggerIndex()
    for (const id of ['c', 'a', 'b']) index.upsert(trig(id, 'SELL', 'STOP_LOSS', '100'))
    index.remove('b')
    expect(ids(index.fired('BTC/USDT', quote('100', '100.1')))).toEqual(['a', 'c'])
  })

  test('removePosition drops all of that position’s triggers and nothing else', () => {
    const index = new TriggerIndex()
    index.upsert(trig('a-sl', 'SELL', 'STOP_LOSS', '100', 'a'))
    index.upsert(trig('a-tp', 'SELL', 'TAKE_PROFIT', '120', 'a'))
    index.upsert(trig('b-sl', 'SELL', 'STOP_LOSS', '100', 'b'))
    index.removePosition('a')
    expect(index.size()).toBe(1)
    expect(ids(index.fired('BTC/USDT', quote('99', '99.1')))).toEqual(['b-sl'])
    expect(index.fired('BTC/USDT', quote('121', '121.1'))).toEqual([])
    index.removePosition('unknown')
    index.remove('unknown')
    expect(index.size()).toBe(1)
  })

  test('fired does not remove: the caller does once the exit is placed', () => {
    const index = new TriggerIndex()
    index.upsert(trig('sl', 'SELL', 'STOP_LOSS', '100'))
    expect(ids(index.fired('BTC/USDT', quote('99', '99.1')))).toEqual(['sl'])
    expect(ids(index.fired('BTC/USDT', quote('99', '99.1')))).toEqual(['sl'])
    index.remove('sl')
    expect(index.fired('BTC/USDT', quote('99', '99.1'))).toEqual([])
    expect(index.size()).toBe(0)
  })

  test('symbols are independent; list filters by symbol', () => {
    const index = new TriggerIndex()
    index.upsert(trig('btc', 'SELL', 'STOP_LOSS', '100', 'p1', 'BTC/USDT'))
    index.upsert(trig('eth', 'SELL', 'STOP_LOSS', '100', 'p2', 'ETH/USDT'))
    expect(ids(index.fired('ETH/USDT', quote('99', '99.1')))).toEqual(['eth'])
    expect(index.fired('SOL/USDT', quote('99', '99.1'))).toEqual([])
    expect(ids(index.list('BTC/USDT'))).toEqual(['btc'])
    expect(ids(index.list()).sort()).toEqual(['btc', 'eth'])
  })

  test('changing the caller’s object after upsert does not corrupt the index', () => {
    const index = new TriggerIndex()
    const t = { ...trig('sl', 'SELL', 'STOP_LOSS', '100') }
    index.upsert(t)
    ;(t as { price: Decimal }).price = dec('1')
    expect(ids(index.fired('BTC/USDT', quote('99', '99.1')))).toEqual(['sl'])
  })
})
