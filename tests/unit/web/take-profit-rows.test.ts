import { describe, expect, test } from 'vitest'
import { remapTakeProfitErrors, sameTakeProfits, takeProfitsFromRows, unplacedErrors } from '@/lib/ui/take-profit-rows'

describe('takeProfitsFromRows', () => {
  test('drops fully blank rows and remembers each sent level’s row', () => {
    const rows = [
      { price: '', sharePct: '' },
      { price: ' 70000 ', sharePct: '50' },
      { price: '', sharePct: '' },
      { price: '75000', sharePct: '' },
    ]
    expect(takeProfitsFromRows(rows)).toEqual({
      takeProfits: [
        { price: '70000', sharePct: '50' },
        { price: '75000', sharePct: '' },
      ],
      indexMap: [1, 3],
    })
  })
})

describe('remapTakeProfitErrors', () => {
  test.each([
    ['level error goes to its form row', { 'takeProfits.1.sharePct': 'must be greater than 0' }, { 'takeProfits.3.sharePct': 'must be greater than 0' }],
    ['list error stays on the list', { takeProfits: 'shares add up to 120%' }, { takeProfits: 'shares add up to 120%' }],
    ['other fields untouched', { stopLoss: 'must be below the entry' }, { stopLoss: 'must be below the entry' }],
    ['unknown index left as is', { 'takeProfits.7.price': 'bad' }, { 'takeProfits.7.price': 'bad' }],
  ])('%s', (_label, errors, expected) => {
    expect(remapTakeProfitErrors(errors, [1, 3])).toEqual(expected)
  })
})

describe('sameTakeProfits', () => {
  test.each([
    ['same', [{ price: '1', sharePct: '50' }], [{ price: '1', sharePct: '50' }], true],
    ['trim-insensitive', [{ price: ' 1', sharePct: '50 ' }], [{ price: '1', sharePct: '50' }], true],
    ['different price', [{ price: '1', sharePct: '50' }], [{ price: '2', sharePct: '50' }], false],
    ['different length', [], [{ price: '1', sharePct: '50' }], false],
  ])('%s', (_label, a, b, expected) => {
    expect(sameTakeProfits(a, b)).toBe(expected)
  })
})

test('unplacedErrors lists only fields the form cannot show', () => {
  expect(unplacedErrors({ size: 'too small', traderId: 'is required', '': 'bad input' }, (f) => f === 'size')).toEqual(['traderId: is required', 'bad input'])
})
