import { describe, expect, it } from 'vitest'
import { isStale, quoteAgeMs } from '@/lib/market-data/quote-store'

describe('the staleness rule', () => {
  it('trades on a price exactly as old as the limit and refuses one a millisecond older', () => {
    expect(isStale(10_000, 10_000)).toBe(false)
    expect(isStale(10_001, 10_000)).toBe(true)
  })

  it('measures age from when the price was received', () => {
    const receivedAt = new Date('2026-12-06T00:00:00.000Z')
    expect(quoteAgeMs({ receivedAt }, receivedAt.getTime() + 2_500)).toBe(2_500)
  })
})
