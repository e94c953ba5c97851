import { describe, expect, test } from 'vitest'
import { dec, sumDec } from '@/lib/domain/decimal'
import {
  averageEntryOfClosed,
  derivePosition,
  entrySideFor,
  exitSideFor,
  pnlPercent,
  unrealizedPnl,
  type LedgerFill,
  type OrderSide,
  type PositionLedger,
  type PositionSide,
} from '@/lib/domain/positions/fill-ledger'

const f = (side: OrderSide, qty: string, price: string, fee = '0'): LedgerFill => ({
  side,
  qty: dec(qty),
  price: dec(price),
  fee: dec(fee),
})

type Expected = Record<keyof PositionLedger, string>

function ledgerOf(side: PositionSide, fills: LedgerFill[]): PositionLedger {
  const result = derivePosition(side, fills)
  if (!result.ok) throw result.error
  return result.value
}

const asStrings = (l: PositionLedger): Expected =>
  Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.toString()])) as Expected

describe('entrySideFor / exitSideFor', () => {
  test.each([
    { side: 'LONG', entry: 'BUY', exit: 'SELL' },
    { side: 'SHORT', entry: 'SELL', exit: 'BUY' },
  ] as const)('$side enters with $entry and exits with $exit', ({ side, entry, exit }) => {
    expect(entrySideFor(side)).toBe(entry)
    expect(exitSideFor(side)).toBe(exit)
  })
})

describe('derivePosition', () => {
  test.each<{ label: string; side: PositionSide; fills: LedgerFill[]; expected: Expected }>([
    {
      label: 'no fills: everything zero',
      side: 'LONG',
      fills: [],
      expected: {
        openQty: '0', entryQty: '0', exitQty: '0', avgEntryPrice: '0', avgExitPrice: '0',
        grossRealizedPnl: '0', fees: '0', realizedPnl: '0',
      },
    },
    {
      // open only: the entry fee is already a realized cost
      label: 'LONG entry only',
      side: 'LONG',
      fills: [f('BUY', '0.5', '60000', '30')],
      expected: {
        openQty: '0.5', entryQty: '0.5', exitQty: '0', avgEntryPrice: '60000', avgExitPrice: '0',
        grossRealizedPnl: '0', fees: '30', realizedPnl: '-30',
      },
    },
    {
      // gross (110 − 100) × 2 = 20; fees 0.2 + 0.22 = 0.42; net 19.58
      label: 'LONG round trip with fees',
      side: 'LONG',
      fills: [f('BUY', '2', '100', '0.2'), f('SELL', '2', '110', '0.22')],
      expected: {
        openQty: '0', entryQty: '2', exitQty: '2', avgEntryPrice: '100', avgExitPrice: '110',
        grossRealizedPnl: '20', fees: '0.42', realizedPnl: '19.58',
      },
    },
    {
      // gross (50 − 45) × 3 = 15; fees 0.15 + 0.135 = 0.285; net 14.715
      label: 'SHORT round trip with fees',
      side: 'SHORT',
      fills: [f('SELL', '3', '50', '0.15'), f('BUY', '3', '45', '0.135')],
      expected: {
        openQty: '0', entryQty: '3', exitQty: '3', avgEntryPrice: '50', avgExitPrice: '45',
        grossRealizedPnl: '15', fees: '0.285', realizedPnl: '14.715',
      },
    },
    {
      // avg (1×100 + 3×120) / 4 = 115; sell 2 @ 130: (130 − 115) × 2 = 30;
      // fees 0.1 + 0.36 + 0.26 = 0.72; net 29.28; 2 still open at 115
      label: 'LONG two entries then partial close',
      side: 'LONG',
      fills: [f('BUY', '1', '100', '0.1'), f('BUY', '3', '120', '0.36'), f('SELL', '2', '130', '0.26')],
      expected: {
        openQty: '2', entryQty: '4', exitQty: '2', avgEntryPrice: '115', avgExitPrice: '130',
        grossRealizedPnl: '30', fees: '0.72', realizedPnl: '29.28',
      },
    },
    {
      // short 4 @ 200, buy back 1 @ 210: (200 − 210) × 1 = −10; fees 0.8 + 0.21 = 1.01; net −11.01
      label: 'SHORT partial close at a loss',
      side: 'SHORT',
      fills: [f('SELL', '4', '200', '0.8'), f('BUY', '1', '210', '0.21')],
      expected: {
        openQty: '3', entryQty: '4', exitQty: '1', avgEntryPrice: '200', avgExitPrice: '210',
        grossRealizedPnl: '-10', fees: '1.01', realizedPnl: '-11.01',
      },
    },
    {
      // buy 2 @ 100; sell 1 @ 110: +10, 1 left at 100;
      // buy 1 @ 130 re-weights only the open unit: (1×100 + 1×130) / 2 = 115
      // (the plain average of all buys would be 110 — the average-cost method must not use it)
      label: 'LONG add after a partial close re-weights only the open quantity',
      side: 'LONG',
      fills: [f('BUY', '2', '100', '0.2'), f('SELL', '1', '110', '0.11'), f('BUY', '1', '130', '0.13')],
      expected: {
        openQty: '2', entryQty: '3', exitQty: '1', avgEntryPrice: '115', avgExitPrice: '110',
        grossRealizedPnl: '10', fees: '0.44', realizedPnl: '9.56',
      },
    },
    {
      // ...then sell 2 @ 120: (120 − 115) × 2 = +10 → gross 20; fees 0.44 + 0.24 = 0.68; net 19.32
      // avg exit (110 + 240) / 3 = 116.666…7; cash: −200 +110 −130 +240 −0.68 = 19.32
      label: 'LONG add after partial close, then fully closed',
      side: 'LONG',
      fills: [
        f('BUY', '2', '100', '0.2'), f('SELL', '1', '110', '0.11'),
        f('BUY', '1', '130', '0.13'), f('SELL', '2', '120', '0.24'),
      ],
      expected: {
        openQty: '0', entryQty: '3', exitQty: '3', avgEntryPrice: '115', avgExitPrice: '116.' + '6'.repeat(36) + '7',
        grossRealizedPnl: '20', fees: '0.68', realizedPnl: '19.32',
      },
    },
    {
      // short 2 @ 300; cover 1 @ 280: +20, 1 left at 300; short 1 more @ 320: avg (300 + 320) / 2 = 310;
      // cover 2 @ 305: (310 − 305) × 2 = +10 → gross 30; fees 0.6+0.28+0.32+0.61 = 1.81; net 28.19
      label: 'SHORT add after partial close, then fully closed',
      side: 'SHORT',
      fills: [
        f('SELL', '2', '300', '0.6'), f('BUY', '1', '280', '0.28'),
        f('SELL', '1', '320', '0.32'), f('BUY', '2', '305', '0.61'),
      ],
      expected: {
        openQty: '0', entryQty: '3', exitQty: '3', avgEntryPrice: '310', avgExitPrice: '296.' + '6'.repeat(36) + '7',
        grossRealizedPnl: '30', fees: '1.81', realizedPnl: '28.19',
      },
    },
    {
      // avg (100 + 202) / 3 = 100.666… (repeating); gross must still be exactly
      // (102 + 2×99) − (100 + 2×101) = 300 − 302 = −2; releasing avg × 2 on the last exit
      // instead of the remaining cost would leave −2.000…001
      label: 'LONG with a repeating average closes to an exact result',
      side: 'LONG',
      fills: [f('BUY', '1', '100'), f('BUY', '2', '101'), f('SELL', '1', '102'), f('SELL', '2', '99')],
      expected: {
        openQty: '0', entryQty: '3', exitQty: '3', avgEntryPrice: '100.' + '6'.repeat(36) + '7', avgExitPrice: '100',
        grossRealizedPnl: '-2', fees: '0', realizedPnl: '-2',
      },
    },
    {
      // flat, then a new entry starts a fresh average: 1 @ 50 → +10 closed, then 1 @ 70
      label: 'LONG reopened after being flat averages from scratch',
      side: 'LONG',
      fills: [f('BUY', '1', '50'), f('SELL', '1', '60'), f('BUY', '1', '70')],
      expected: {
        openQty: '1', entryQty: '2', exitQty: '1', avgEntryPrice: '70', avgExitPrice: '60',
        grossRealizedPnl: '10', fees: '0', realizedPnl: '10',
      },
    },
  ])('$label', ({ side, fills, expected }) => {
    expect(asStrings(ledgerOf(side, fills))).toEqual(expected)
  })

  // Closed positions: net realized PnL must equal the quote cash that actually moved.
  test.each<{ label: string; side: PositionSide; fills: LedgerFill[] }>([
    {
      label: 'LONG scaled in and out with odd quantities',
      side: 'LONG',
      fills: [
        f('BUY', '0.0137', '61234.56', '0.0838913472'), f('BUY', '0.0021', '60999.99', '0.012809997'),
        f('SELL', '0.005', '62000.01', '0.31000005'), f('BUY', '0.0003', '61500', '0.01845'),
        f('SELL', '0.0111', '61800.5', '0.6859855'),
      ],
    },
    {
      label: 'SHORT with a maker rebate (negative fee)',
      side: 'SHORT',
      fills: [f('SELL', '7', '0.33333', '-0.0005'), f('BUY', '3', '0.3', '0.0009'), f('BUY', '4', '0.35', '0.0014')],
    },
    {
      label: 'LONG with repeating averages',
      side: 'LONG',
      fills: [f('BUY', '1', '1'), f('BUY', '1', '2'), f('BUY', '1', '2'), f('SELL', '1', '3'), f('SELL', '2', '1', '0.01')],
    },
  ])('closed position: realized PnL = cash delta ($label)', ({ side, fills }) => {
    const ledger = ledgerOf(side, fills)
    expect(ledger.openQty.isZero()).toBe(true)
    const cash = sumDec(fills.map((x) => (x.side === 'SELL' ? x.qty.mul(x.price) : x.qty.mul(x.price).neg())))
    const fees = sumDec(fills.map((x) => x.fee))
    expect(ledger.realizedPnl.toString()).toBe(cash.minus(fees).toString())
  })

  test.each<{ label: string; side: PositionSide; fills: LedgerFill[]; index: number; open: string }>([
    { label: 'LONG sells more than it holds', side: 'LONG', fills: [f('BUY', '1', '100'), f('SELL', '1.5', '110')], index: 1, open: '1' },
    { label: 'SHORT exit before any entry', side: 'SHORT', fills: [f('BUY', '1', '100')], index: 0, open: '0' },
    {
      label: 'LONG second exit over the remainder',
      side: 'LONG',
      fills: [f('BUY', '1', '100'), f('SELL', '0.6', '101'), f('SELL', '0.40000001', '102')],
      index: 2,
      open: '0.4',
    },
  ])('OVERFILL: $label', ({ side, fills, index, open }) => {
    const result = derivePosition(side, fills)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('OVERFILL')
    expect(result.error.details).toMatchObject({ index, openQty: open })
    expect(result.error.message).toContain(open)
  })

  test.each([
    { label: 'zero quantity', fill: f('BUY', '0', '100') },
    { label: 'negative quantity', fill: f('BUY', '-1', '100') },
    { label: 'zero price', fill: f('BUY', '1', '0') },
  ])('INVALID_FILL: $label', ({ fill }) => {
    const result = derivePosition('LONG', [fill])
    expect(result.ok ? null : result.error.code).toBe('INVALID_FILL')
  })
})

describe('averageEntryOfClosed: the average over every entry fill, once closed', () => {
  test.each([
    // all entries before the exits: the same as avgEntryPrice. (1 × 100 + 1 × 104) / 2 = 102
    { label: 'LONG, entries then exits', side: 'LONG', fills: [f('BUY', '1', '100', '0.1'), f('BUY', '1', '104', '0.1'), f('SELL', '2', '110', '0.2')], avg: '102', last: '102' },
    // an entry fill after a partial exit: (1 × 100 + 1 × 120) / 2 = 110, where avgEntryPrice ends at 113.33…
    { label: 'LONG, a limit entry still filling after a take-profit', side: 'LONG', fills: [f('BUY', '1', '100'), f('SELL', '0.5', '110', '0.05'), f('BUY', '1', '120'), f('SELL', '1.5', '115', '0.1')], avg: '110', last: '113.3333333333' },
    // closed, then reopened by a late entry fill and closed again: (0.4 × 100 + 0.6 × 90) / 1 = 94
    { label: 'LONG, reopened by a late entry fill', side: 'LONG', fills: [f('BUY', '0.4', '100'), f('SELL', '0.4', '110'), f('BUY', '0.6', '90', '0.03'), f('SELL', '0.6', '95')], avg: '94', last: '90' },
    // (1 × 100 + 1 × 80) / 2 = 90
    { label: 'SHORT, an entry fill between exits', side: 'SHORT', fills: [f('SELL', '1', '100', '0.1'), f('BUY', '0.5', '95'), f('SELL', '1', '80'), f('BUY', '1.5', '85', '0.2')], avg: '90', last: '86.6666666667' },
  ] as const)('$label', ({ side, fills, avg, last }) => {
    const l = ledgerOf(side, [...fills])
    expect(l.openQty.isZero()).toBe(true)
    expect(l.avgEntryPrice.toDecimalPlaces(10).toString()).toBe(last)
    expect(averageEntryOfClosed(side, l)?.toString()).toBe(avg)
  })

  test('no exit, no figure', () => {
    expect(averageEntryOfClosed('LONG', ledgerOf('LONG', [f('BUY', '1', '100')]))).toBeNull()
  })
})

describe('unrealizedPnl', () => {
  test.each([
    // (110 − 100) × 2
    { label: 'LONG in profit', side: 'LONG', avg: '100', open: '2', mark: '110', pnl: '20' },
    { label: 'LONG in loss', side: 'LONG', avg: '100', open: '2', mark: '95.5', pnl: '-9' },
    // (100 − 110) × 2
    { label: 'SHORT in loss', side: 'SHORT', avg: '100', open: '2', mark: '110', pnl: '-20' },
    // (200 − 190) × 3
    { label: 'SHORT in profit', side: 'SHORT', avg: '200', open: '3', mark: '190', pnl: '30' },
    { label: 'flat position', side: 'LONG', avg: '100', open: '0', mark: '500', pnl: '0' },
  ] as const)('$label', ({ side, avg, open, mark, pnl }) => {
    expect(unrealizedPnl(side, { openQty: dec(open), avgEntryPrice: dec(avg) }, dec(mark)).toString()).toBe(pnl)
  })

  test('works on a derived ledger', () => {
    // short 4 @ 200, 1 covered: 3 open at 200; mark 190 → (200 − 190) × 3 = 30
    const ledger = ledgerOf('SHORT', [f('SELL', '4', '200'), f('BUY', '1', '210')])
    expect(unrealizedPnl('SHORT', ledger, dec('190')).toString()).toBe('30')
  })
})

describe('pnlPercent', () => {
  test.each([
    { label: 'LONG up 5 %', side: 'LONG', avg: '100', mark: '105', pct: '5' },
    { label: 'LONG down 2.5 %', side: 'LONG', avg: '200', mark: '195', pct: '-2.5' },
    { label: 'SHORT price up is a loss', side: 'SHORT', avg: '100', mark: '105', pct: '-5' },
    { label: 'SHORT price down is a gain', side: 'SHORT', avg: '200', mark: '190', pct: '5' },
    { label: 'no entry yet', side: 'LONG', avg: '0', mark: '190', pct: '0' },
  ] as const)('$label', ({ side, avg, mark, pct }) => {
    expect(pnlPercent(side, dec(avg), dec(mark)).toString()).toBe(pct)
  })
})
