import { describe, expect, test } from 'vitest'
import { refusedStopReason } from '@/lib/ui/refused-stop'

const stop = (status: string, rejectReason: string | null = null) => ({ type: 'STOP_MARKET', purpose: 'STOP_LOSS', status, rejectReason })
const exit = (status: string, rejectReason: string | null = null) => ({ type: 'MARKET', purpose: 'STOP_LOSS', status, rejectReason })

describe('refusedStopReason: why a live position shows no resting stop', () => {
  test.each([
    { name: 'the newest stop refused for want of balance', orders: [stop('CANCELED'), stop('REJECTED', 'Account has insufficient balance for requested action.')], want: 'Account has insufficient balance for requested action.' },
    { name: 'a back-off is no refusal', orders: [stop('REJECTED', 'not sent: Binance asked us to back off (429/418)')], want: null },
    { name: 'an older refusal, then a stop that is being placed', orders: [stop('REJECTED', 'would trigger immediately'), stop('NEW')], want: null },
    { name: 'a refused market exit is not a stop', orders: [stop('CANCELED'), exit('REJECTED', 'insufficient balance')], want: null },
    { name: 'no stop ever', orders: [], want: null },
  ])('$name', ({ orders, want }) => {
    expect(refusedStopReason(orders)).toBe(want)
  })
})
