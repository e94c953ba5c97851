import { describe, expect, it } from 'vitest'
import { positionReasonText } from '@/lib/ui/position-reason'

describe('positionReasonText', () => {
  it('names the order purpose that closed a position in words', () => {
    expect(positionReasonText('MANUAL_EXIT')).toBe('Manual exit')
    expect(positionReasonText('STOP_LOSS')).toBe('Stop loss')
    expect(positionReasonText('TAKE_PROFIT')).toBe('Take-profit')
  })

  it('shows any other reason (why an entry failed) as written', () => {
    expect(positionReasonText('insufficient balance: the order needs 10.00 USDT')).toBe('insufficient balance: the order needs 10.00 USDT')
    expect(positionReasonText('ENTRY')).toBe('ENTRY')
  })
})
