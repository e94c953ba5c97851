import { describe, expect, test } from 'vitest'
import { firstOpenable, stoppedNote, traderOptionLabel, type TraderSwitches } from '@/lib/ui/trader-switches'

const t = (traderName: string, status: TraderSwitches['status'], accountHalted = false): TraderSwitches => ({ traderName, quoteCurrency: 'USDT', status, accountHalted })

describe('the open form and a stopped trader', () => {
  test.each([
    { trader: t('Alpha', 'ACTIVE'), label: 'Alpha (USDT)', note: null },
    { trader: t('Alpha', 'PAUSED'), label: 'Alpha (USDT) — paused', note: 'Alpha is paused: an order is refused until a person resumes it on its page.' },
    { trader: t('Alpha', 'HALTED'), label: 'Alpha (USDT) — halted', note: 'Alpha is halted: an order is refused until a person resumes it on its page.' },
    {
      trader: t('Alpha', 'ACTIVE', true),
      label: 'Alpha (USDT) — its account is halted',
      note: "Trading is halted on Alpha's account: an order is refused until a person re-enables trading.",
    },
  ])('$label', ({ trader, label, note }) => {
    expect(traderOptionLabel(trader)).toBe(label)
    expect(stoppedNote(trader)).toBe(note)
  })

  test('starts with the first trader that may open, else the first', () => {
    expect(firstOpenable([t('A', 'PAUSED'), t('B', 'ACTIVE', true), t('C', 'ACTIVE'), t('D', 'ACTIVE')])?.traderName).toBe('C')
    expect(firstOpenable([t('A', 'PAUSED'), t('B', 'HALTED')])?.traderName).toBe('A')
    expect(firstOpenable([])).toBeUndefined()
  })
})
