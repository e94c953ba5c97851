import { describe, expect, it } from 'vitest'
import { applyTick } from '@/lib/ui/chart/apply-tick'
import { barAt, barOpenTime, toChartCandles, type ChartCandle } from '@/lib/ui/chart/chart-candle'
import { placeMarkers, type MarkerPoint } from '@/lib/ui/chart/chart-markers'
import { chartTimeframe } from '@/lib/ui/chart/chart-timeframe'
import { chartSymbols, dashboardOverlay, type DashboardPosition } from '@/lib/ui/chart/dashboard-overlay'
import { positionOverlay, type PositionOverlayInput } from '@/lib/ui/chart/position-overlay'
import { stepSeries } from '@/lib/ui/chart/step-series'

const M = 60_000
const T0 = Date.UTC(2025, 0, 1, 12, 0) // a bar boundary for every timeframe up to 1h
const iso = (ms: number) => new Date(ms).toISOString()
const bar = (time: number, open: number, high: number, low: number, close: number): ChartCandle => ({ time, open, high, low, close })

describe('bars', () => {
  it.each([
    ['the start of a bar is its own bar', T0, M, T0],
    ['inside a bar', T0 + 59_999, M, T0],
    ['the next bar', T0 + M, M, T0 + M],
    ['5-minute bars', T0 + 7 * M, 5 * M, T0 + 5 * M],
  ])('barOpenTime: %s', (_l, at, tf, want) => {
    expect(barOpenTime(at, tf)).toBe(want)
  })

  const times = [T0, T0 + M, T0 + 3 * M] // a gap at T0+2M, as an exchange may have
  it.each([
    ['before the first bar', T0 - 1, null],
    ['in the first bar', T0 + 30_000, T0],
    ['in a missing bar: the bar before it', T0 + 2 * M + 5, T0 + M],
    ['in the last bar', T0 + 3 * M + 59_999, T0 + 3 * M],
    ['after the last bar ends', T0 + 4 * M, null],
  ])('barAt: %s', (_l, at, want) => {
    expect(barAt(times, at, M)).toBe(want)
  })

  it('reads the API\'s decimal strings as plotted numbers', () => {
    expect(toChartCandles([{ openTime: T0, open: '60000.01', high: '60010', low: '59990.5', close: '60005' }])).toEqual([bar(T0, 60000.01, 60010, 59990.5, 60005)])
  })
})

describe('applyTick: the live price on the last bar', () => {
  const bars = [bar(T0, 100, 105, 95, 101), bar(T0 + M, 101, 103, 100, 102)]
  it.each([
    ['inside the last bar: moves the close', 102.5, T0 + M + 10_000, [bars[0], bar(T0 + M, 101, 103, 100, 102.5)]],
    ['a new high stretches the bar', 104, T0 + M + 10_000, [bars[0], bar(T0 + M, 101, 104, 100, 104)]],
    ['a new low stretches the bar', 99, T0 + M + 10_000, [bars[0], bar(T0 + M, 101, 103, 99, 99)]],
    ['past the last bar: a new bar opens at the price', 106, T0 + 2 * M + 1, [...bars, bar(T0 + 2 * M, 106, 106, 106, 106)]],
    ['a gap of several bars: one new bar at the tick\'s own time', 90, T0 + 5 * M, [...bars, bar(T0 + 5 * M, 90, 90, 90, 90)]],
  ])('%s', (_l, price, at, want) => {
    expect(applyTick(bars, M, price, at)).toEqual(want)
  })

  it.each([
    ['a tick older than the last bar', 50, T0 + 30_000],
    ['the same price again', 102, T0 + M + 5],
    ['a price that is not a number', Number.NaN, T0 + M + 5],
    ['a zero price', 0, T0 + M + 5],
  ])('changes nothing for %s (same array)', (_l, price, at) => {
    expect(applyTick(bars, M, price, at)).toBe(bars)
  })

  it('starts the series from nothing', () => {
    expect(applyTick([], M, 10, T0 + 5)).toEqual([bar(T0, 10, 10, 10, 10)])
  })
})

describe('chartTimeframe: the whole position fits', () => {
  it.each([
    ['a position opened a minute ago', 0, 1 * M, '1m'],
    ['two hours: 120 bars of 1m', 0, 120 * M, '1m'],
    ['a little over two hours', 0, 121 * M, '5m'],
    ['a day', 0, 24 * 60 * M, '15m'],
    ['five days: 120 bars of 1h', 0, 5 * 24 * 60 * M, '1h'],
    ['a week', 0, 7 * 24 * 60 * M, '4h'],
    ['a month', 0, 30 * 24 * 60 * M, '1d'],
    ['a year', 0, 365 * 24 * 60 * M, '1d'],
  ])('%s', (_l, from, to, want) => {
    expect(chartTimeframe(from, to)).toBe(want)
  })
})

describe('placeMarkers: fills on the bars drawn', () => {
  const times = [T0, T0 + M, T0 + 2 * M]
  const point = (id: string, at: number, price = '100'): MarkerPoint => ({ id, at: iso(at), price, direction: 'up', text: id })
  it('places each on its bar, in time order, and counts those outside the bars', () => {
    const got = placeMarkers([point('late', T0 + 2 * M + 5), point('early', T0 + 10), point('before', T0 - M), point('after', T0 + 3 * M), point('same-bar', T0 + 20_000, '101.5')], times, M)
    expect(got.outside).toBe(2)
    expect(got.markers).toEqual([
      { id: 'early', time: T0, price: 100, direction: 'up', text: 'early' },
      { id: 'same-bar', time: T0, price: 101.5, direction: 'up', text: 'same-bar' },
      { id: 'late', time: T0 + 2 * M, price: 100, direction: 'up', text: 'late' },
    ])
  })
})

describe('stepSeries: level segments as step lines over the bars', () => {
  const times = [0, 1, 2, 3, 4, 5].map((i) => T0 + i * M)
  const seg = (kind: 'stop' | 'target', slot: number, price: string, from: number, to: number) => ({ kind, slot, price, fromMs: T0 + from, toMs: T0 + to })

  it('a stop moved twice: one series stepping at each move\'s bar, the later level winning a shared bar', () => {
    const got = stepSeries([seg('stop', 0, '90', 0, 2 * M + 10), seg('stop', 0, '95', 2 * M + 10, 4 * M), seg('stop', 0, '97', 4 * M, 5 * M + 1)], times, M)
    expect(got).toEqual([
      {
        key: 'stop',
        kind: 'stop',
        slot: 0,
        points: [
          { time: T0, value: 90 },
          { time: T0 + M, value: 90 },
          { time: T0 + 2 * M, value: 95 },
          { time: T0 + 3 * M, value: 95 },
          { time: T0 + 4 * M, value: 97 },
          { time: T0 + 5 * M, value: 97 },
        ],
      },
    ])
  })

  it('one series per target slot, with a gap where the slot had no level, trimmed to where it existed', () => {
    const got = stepSeries([seg('target', 0, '110', M, 2 * M), seg('target', 0, '112', 4 * M, 5 * M), seg('target', 1, '120', M, 3 * M)], times, M)
    expect(got.map((s) => s.key)).toEqual(['target-0', 'target-1'])
    expect(got[0]!.points).toEqual([{ time: T0 + M, value: 110 }, { time: T0 + 2 * M, value: 110 }, { time: T0 + 3 * M }, { time: T0 + 4 * M, value: 112 }, { time: T0 + 5 * M, value: 112 }])
    expect(got[1]!.points).toEqual([{ time: T0 + M, value: 120 }, { time: T0 + 2 * M, value: 120 }, { time: T0 + 3 * M, value: 120 }])
  })

  it('levels entirely outside the bars give no series; stops come before targets', () => {
    const got = stepSeries([seg('target', 0, '110', M, 2 * M), seg('stop', 0, '90', -10 * M, -5 * M), seg('stop', 0, '91', 0, M)], times, M)
    expect(got.map((s) => s.key)).toEqual(['stop', 'target-0'])
    expect(got[0]!.points).toEqual([{ time: T0, value: 91 }, { time: T0 + M, value: 91 }])
  })
})

describe('positionOverlay: what a position puts on its chart', () => {
  const detail = (o: Partial<PositionOverlayInput['position']> = {}, extra: Partial<PositionOverlayInput> = {}): PositionOverlayInput => ({
    position: {
      side: 'LONG',
      status: 'MONITORING',
      entryQty: '0.02',
      avgEntryPrice: '60000.01',
      limitPrice: null,
      stopLoss: '59000',
      takeProfits: [
        { price: '61000', sharePct: '50', status: 'FILLED' },
        { price: '62000', sharePct: '25', status: 'ACTIVE' },
        { price: '63000', sharePct: '25', status: 'ACTIVE' },
      ],
      createdAt: iso(T0),
      closedAt: null,
      ...o,
    },
    fills: [
      { id: 'f1', orderId: 'e', side: 'BUY', qty: '0.02', price: '60000.01', at: iso(T0 + 1000) },
      { id: 'f2', orderId: 't', side: 'SELL', qty: '0.01', price: '61000', at: iso(T0 + 5 * M) },
    ],
    orders: [{ id: 'e', purpose: 'ENTRY' }, { id: 't', purpose: 'TAKE_PROFIT' }],
    events: [{ type: 'CREATED', before: null, after: { stopLoss: '59000', takeProfits: [{ price: '61000', sharePct: '50' }, { price: '62000', sharePct: '25' }, { price: '63000', sharePct: '25' }] }, at: iso(T0) }],
    ...extra,
  })

  it('an open position: entry, stop and each active target as lines; a marker per fill; its history up to now', () => {
    const got = positionOverlay(detail(), T0 + 10 * M)
    expect(got.levels).toEqual([
      { kind: 'entry', price: '60000.01', title: 'Entry' },
      { kind: 'stop', price: '59000', title: 'Stop' },
      { kind: 'target', price: '62000', title: 'TP1 25%' },
      { kind: 'target', price: '63000', title: 'TP2 25%' },
    ])
    expect(got.fills).toEqual([
      { id: 'f1', at: iso(T0 + 1000), price: '60000.01', direction: 'up', text: 'Buy 0.02' },
      { id: 'f2', at: iso(T0 + 5 * M), price: '61000', direction: 'down', text: 'Sell 0.01' },
    ])
    expect(got.fromMs).toBe(T0)
    expect(got.toMs).toBe(T0 + 10 * M)
    // The filled first target ends at its fill; the others and the stop run to now.
    expect(got.segments.map((s) => `${s.kind}${s.slot} ${s.price} ${(s.toMs - T0) / M}`)).toEqual(['stop0 59000 10', 'target0 61000 5', 'target1 62000 10', 'target2 63000 10'])
  })

  it('a closed position: only the entry line; history ends at the close', () => {
    const got = positionOverlay(detail({ status: 'CLOSED', closedAt: iso(T0 + 7 * M) }), T0 + 60 * M)
    expect(got.levels).toEqual([{ kind: 'entry', price: '60000.01', title: 'Entry' }])
    expect(got.toMs).toBe(T0 + 7 * M)
    expect(Math.max(...got.segments.map((s) => s.toMs))).toBe(T0 + 7 * M)
  })

  it('a resting limit entry: the limit instead of an entry line', () => {
    const got = positionOverlay(detail({ status: 'SUBMITTING', entryQty: '0', avgEntryPrice: '0', limitPrice: '58000' }, { fills: [] }), T0 + M)
    expect(got.levels.map((l) => l.kind)).toEqual(['limit', 'stop', 'target', 'target'])
    expect(got.fills).toEqual([])
  })

  it('a position that failed without trading: no lines, no history; it ends with its last event', () => {
    const got = positionOverlay(
      detail({ status: 'FAILED', entryQty: '0', avgEntryPrice: '0', limitPrice: '58000' }, { fills: [], events: [...detail().events, { type: 'STATUS_CHANGED', before: null, after: null, at: iso(T0 + 3 * M) }] }),
      T0 + 60 * M,
    )
    expect(got.levels).toEqual([])
    expect(got.segments).toEqual([])
    expect(got.toMs).toBe(T0 + 3 * M)
  })
})

describe('dashboard chart', () => {
  const pos = (o: Partial<DashboardPosition>): DashboardPosition => ({
    id: 'p', symbol: 'BTC/USDT', side: 'LONG', traderName: 'Alpha', entryQty: '0.01', openQty: '0.01', avgEntryPrice: '60000', stopLoss: '59000', openedAt: iso(T0), ...o,
  })

  it('marks each entry and draws each stop of the symbol\'s positions, and nothing of other symbols', () => {
    const got = dashboardOverlay(
      [pos({ id: 'a' }), pos({ id: 'b', side: 'SHORT', traderName: 'Beta', avgEntryPrice: '61000', stopLoss: '62000', openQty: '0.5' }), pos({ id: 'c', symbol: 'ETH/USDT' }), pos({ id: 'd', entryQty: '0', openedAt: null, stopLoss: '58000' })],
      'BTC/USDT',
    )
    expect(got.levels).toEqual([
      { kind: 'stop', price: '59000', title: 'Stop Alpha LONG' },
      { kind: 'stop', price: '62000', title: 'Stop Beta SHORT' },
      { kind: 'stop', price: '58000', title: 'Stop Alpha LONG' },
    ])
    expect(got.entries).toEqual([
      { id: 'a', at: iso(T0), price: '60000', direction: 'up', text: 'LONG 0.01' },
      { id: 'b', at: iso(T0), price: '61000', direction: 'down', text: 'SHORT 0.5' },
    ])
  })

  it('offers held symbols first, then watched ones, each once', () => {
    expect(chartSymbols([{ symbol: 'SOL/USDT' }, { symbol: 'BTC/USDT' }, { symbol: 'SOL/USDT' }], [['ETH/USDT', 'BTC/USDT'], ['ADA/USDT']])).toEqual(['BTC/USDT', 'SOL/USDT', 'ADA/USDT', 'ETH/USDT'])
  })
})
