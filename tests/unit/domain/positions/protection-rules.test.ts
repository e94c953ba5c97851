import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { FieldError } from '@/lib/domain/field-error'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import { validateProtection } from '@/lib/domain/positions/protection-rules'

const tp = (price: string, sharePct: string) => ({ price: dec(price), sharePct: dec(sharePct) })

describe('validateProtection', () => {
  test.each<{
    label: string
    side: PositionSide
    ref?: string
    stop: string | null
    tps?: ReturnType<typeof tp>[]
    errors: FieldError[]
  }>([
    { label: 'valid LONG', side: 'LONG', stop: '59000', tps: [tp('61000', '50'), tp('62000', '50')], errors: [] },
    { label: 'valid SHORT', side: 'SHORT', stop: '61000', tps: [tp('59000', '30'), tp('58000', '70')], errors: [] },
    { label: 'stop only, no targets', side: 'LONG', stop: '59000', errors: [] },
    { label: 'targets under 100 % leave a runner', side: 'LONG', stop: '59000', tps: [tp('61000', '40')], errors: [] },
    {
      label: 'missing stop',
      side: 'LONG',
      stop: null,
      errors: [{ field: 'stopLoss', message: 'a stop loss is required' }],
    },
    {
      label: 'LONG stop above entry',
      side: 'LONG',
      stop: '61000',
      errors: [{ field: 'stopLoss', message: 'stop loss 61000 must be below the ask 60000 for a LONG' }],
    },
    {
      label: 'LONG stop equal to entry',
      side: 'LONG',
      stop: '60000',
      errors: [{ field: 'stopLoss', message: 'stop loss 60000 must be below the ask 60000 for a LONG' }],
    },
    {
      label: 'SHORT stop below entry',
      side: 'SHORT',
      stop: '59999.99',
      errors: [
        { field: 'stopLoss', message: 'stop loss 59999.99 must be above the ask 60000 for a SHORT' },
      ],
    },
    {
      label: 'non-positive stop',
      side: 'LONG',
      stop: '0',
      errors: [{ field: 'stopLoss', message: 'stop loss 0 must be greater than 0' }],
    },
    {
      label: 'LONG target below entry (second level)',
      side: 'LONG',
      stop: '59000',
      tps: [tp('61000', '50'), tp('59500', '50')],
      errors: [
        {
          field: 'takeProfits.1.price',
          message: 'take profit 2 price 59500 must be above the ask 60000 for a LONG',
        },
      ],
    },
    {
      label: 'SHORT target at entry',
      side: 'SHORT',
      stop: '61000',
      tps: [tp('60000', '100')],
      errors: [
        {
          field: 'takeProfits.0.price',
          message: 'take profit 1 price 60000 must be below the ask 60000 for a SHORT',
        },
      ],
    },
    {
      label: 'non-positive target price',
      side: 'SHORT',
      stop: '61000',
      tps: [tp('-5', '100')],
      errors: [{ field: 'takeProfits.0.price', message: 'take profit 1 price -5 must be greater than 0' }],
    },
    {
      label: 'zero and over-100 shares',
      side: 'LONG',
      stop: '59000',
      tps: [tp('61000', '0'), tp('62000', '100.5')],
      errors: [
        { field: 'takeProfits.0.sharePct', message: 'take profit 1 share 0% must be more than 0% and at most 100%' },
        { field: 'takeProfits.1.sharePct', message: 'take profit 2 share 100.5% must be more than 0% and at most 100%' },
        { field: 'takeProfits', message: 'take profit shares add up to 100.5%, which is more than 100% of the position' },
      ],
    },
    {
      label: 'shares over 100 in total',
      side: 'LONG',
      stop: '59000',
      tps: [tp('61000', '60'), tp('62000', '40.01')],
      errors: [
        { field: 'takeProfits', message: 'take profit shares add up to 100.01%, which is more than 100% of the position' },
      ],
    },
    {
      label: 'every problem at once is reported',
      side: 'LONG',
      stop: '60500',
      tps: [tp('59000', '80'), tp('61000', '30')],
      errors: [
        { field: 'stopLoss', message: 'stop loss 60500 must be below the ask 60000 for a LONG' },
        {
          field: 'takeProfits.0.price',
          message: 'take profit 1 price 59000 must be above the ask 60000 for a LONG',
        },
        { field: 'takeProfits', message: 'take profit shares add up to 110%, which is more than 100% of the position' },
      ],
    },
    {
      label: 'no usable reference price',
      side: 'LONG',
      ref: '0',
      stop: '59000',
      errors: [{ field: 'referencePrice', message: 'the ask 0 must be greater than 0' }],
    },
  ])('$label', ({ side, ref, stop, tps, errors }) => {
    const result = validateProtection({
      side,
      referencePrice: dec(ref ?? '60000'),
      referenceName: 'the ask',
      stopLoss: stop === null ? null : dec(stop),
      takeProfits: tps ?? [],
    })
    expect(result).toEqual(errors)
  })
})
