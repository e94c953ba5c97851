import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { tradesOfLegs } from '@/lib/domain/performance/group-trades'

const leg = (name: string, groupId: string | null, pnl: string, fees = '0') => ({ name, groupId, pnl: dec(pnl), fees: dec(fees) })

describe('tradesOfLegs', () => {
  test("a group's legs are one trade at its newest leg's place, PnL and fees summed; other positions stay as they are", () => {
    // Newest first: g's newest leg closed last, after p2.
    const newestFirst = [leg('g-3', 'g', '-5', '1'), leg('p2', null, '7', '0.5'), leg('g-2', 'g', '-3', '1'), leg('h-1', 'h', '4', '0.2'), leg('g-1', 'g', '-2', '1'), leg('p1', null, '-1', '0.1')]
    expect(tradesOfLegs(newestFirst).map((t) => [t.name, t.pnl.toFixed(), t.fees.toFixed()])).toEqual([
      ['g-3', '-10', '3'],
      ['p2', '7', '0.5'],
      ['h-1', '4', '0.2'],
      ['p1', '-1', '0.1'],
    ])
  })

  test('leaves the list given unchanged', () => {
    const legs = [leg('a', 'g', '1'), leg('b', 'g', '2')]
    tradesOfLegs(legs)
    expect(legs.map((l) => l.pnl.toFixed())).toEqual(['1', '2'])
  })
})
