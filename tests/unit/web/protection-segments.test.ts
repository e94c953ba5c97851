import { describe, expect, it } from 'vitest'
import { protectionSegments, type ProtectionHistoryInput } from '@/lib/ui/chart/protection-segments'

const T = (min: number) => new Date(Date.UTC(2025, 0, 1, 12, min)).toISOString()
const ms = (min: number) => Date.parse(T(min))
const tps = (...prices: string[]) => ({ takeProfits: prices.map((price) => ({ price, sharePct: '50' })) })

const created = (min: number, stopLoss: string | null, takeProfits: string[] = []) => ({ type: 'CREATED', before: null, after: { stopLoss, ...tps(...takeProfits) }, at: T(min) })
const slChanged = (min: number, from: string | null, to: string) => ({ type: 'SL_CHANGED', before: { stopLoss: from }, after: { stopLoss: to }, at: T(min) })
const tpChanged = (min: number, from: string[], to: string[]) => ({ type: 'TP_CHANGED', before: tps(...from), after: tps(...to), at: T(min) })
const other = (min: number, type = 'STATUS_CHANGED') => ({ type, before: null, after: null, at: T(min) })

const base = (o: Partial<ProtectionHistoryInput>): ProtectionHistoryInput => ({ side: 'LONG', events: [], fills: [], orders: [], endMs: ms(60), ...o })

describe('protectionSegments: the stop and take-profit history from the audit trail', () => {
  it.each([
    {
      label: 'a stop never moved runs from creation to the end',
      input: base({ events: [created(0, '59000'), other(1)] }),
      want: [{ kind: 'stop', slot: 0, price: '59000', fromMs: ms(0), toMs: ms(60) }],
    },
    {
      label: 'each stop move ends one step and starts the next',
      input: base({ events: [created(0, '59000'), slChanged(10, '59000', '59500'), slChanged(20, '59500', '60000')] }),
      want: [
        { kind: 'stop', slot: 0, price: '59000', fromMs: ms(0), toMs: ms(10) },
        { kind: 'stop', slot: 0, price: '59500', fromMs: ms(10), toMs: ms(20) },
        { kind: 'stop', slot: 0, price: '60000', fromMs: ms(20), toMs: ms(60) },
      ],
    },
    {
      label: 'without a stop in CREATED, the first move\'s "before" stands for it from the first event',
      input: base({ events: [other(0, 'CREATED'), slChanged(5, '58000', '58500')] }),
      want: [
        { kind: 'stop', slot: 0, price: '58000', fromMs: ms(0), toMs: ms(5) },
        { kind: 'stop', slot: 0, price: '58500', fromMs: ms(5), toMs: ms(60) },
      ],
    },
    {
      label: 'LONG take-profits are numbered nearest (lowest) first, whatever order they were given in',
      input: base({ events: [created(0, null, ['62000', '61000'])] }),
      want: [
        { kind: 'target', slot: 0, price: '61000', fromMs: ms(0), toMs: ms(60) },
        { kind: 'target', slot: 1, price: '62000', fromMs: ms(0), toMs: ms(60) },
      ],
    },
    {
      label: 'SHORT take-profits are numbered nearest (highest) first',
      input: base({ side: 'SHORT', events: [created(0, null, ['2800', '2900'])] }),
      want: [
        { kind: 'target', slot: 0, price: '2900', fromMs: ms(0), toMs: ms(60) },
        { kind: 'target', slot: 1, price: '2800', fromMs: ms(0), toMs: ms(60) },
      ],
    },
    {
      label: 'a new plan ends every open level and numbers its own from 0',
      input: base({ events: [created(0, null, ['61000', '62000']), tpChanged(30, ['61000', '62000'], ['61500'])] }),
      want: [
        { kind: 'target', slot: 0, price: '61000', fromMs: ms(0), toMs: ms(30) },
        { kind: 'target', slot: 1, price: '62000', fromMs: ms(0), toMs: ms(30) },
        { kind: 'target', slot: 0, price: '61500', fromMs: ms(30), toMs: ms(60) },
      ],
    },
    {
      label: 'a take-profit order\'s first fill ends the nearest open level (partial fills of it change nothing more)',
      input: base({
        events: [created(0, null, ['61000', '62000'])],
        orders: [{ id: 'entry', purpose: 'ENTRY' }, { id: 'tp1', purpose: 'TAKE_PROFIT' }],
        fills: [{ orderId: 'entry', at: T(0) }, { orderId: 'tp1', at: T(15) }, { orderId: 'tp1', at: T(16) }],
      }),
      want: [
        { kind: 'target', slot: 0, price: '61000', fromMs: ms(0), toMs: ms(15) },
        { kind: 'target', slot: 1, price: '62000', fromMs: ms(0), toMs: ms(60) },
      ],
    },
    {
      label: 'fills of stop and manual exits end no target',
      input: base({
        events: [created(0, '59000', ['61000'])],
        orders: [{ id: 'x', purpose: 'MANUAL_EXIT' }, { id: 'sl', purpose: 'STOP_LOSS' }],
        fills: [{ orderId: 'x', at: T(10) }, { orderId: 'sl', at: T(20) }],
        endMs: ms(20),
      }),
      want: [
        { kind: 'stop', slot: 0, price: '59000', fromMs: ms(0), toMs: ms(20) },
        { kind: 'target', slot: 0, price: '61000', fromMs: ms(0), toMs: ms(20) },
      ],
    },
    {
      label: 'levels set by a plan with no levels end nothing new (an emptied plan leaves no targets)',
      input: base({ events: [created(0, null, ['61000']), tpChanged(5, ['61000'], [])] }),
      want: [{ kind: 'target', slot: 0, price: '61000', fromMs: ms(0), toMs: ms(5) }],
    },
    {
      label: 'no events: nothing',
      input: base({}),
      want: [],
    },
  ])('$label', ({ input, want }) => {
    expect(protectionSegments(input)).toEqual(want)
  })

  it('never ends a level before its last change, even if the end given is earlier', () => {
    const got = protectionSegments(base({ events: [created(0, '59000'), slChanged(70, '59000', '59900')], endMs: ms(60) }))
    expect(got.at(-1)).toEqual({ kind: 'stop', slot: 0, price: '59900', fromMs: ms(70), toMs: ms(70) })
  })
})
