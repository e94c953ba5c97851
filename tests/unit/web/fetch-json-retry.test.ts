import { describe, expect, test } from 'vitest'
import { FetchError, retryUnlessRefused } from '@/components/live/fetch-json'

describe("the browser's queries retry what may pass, not a refusal", () => {
  test.each([
    ['a 409 (a chart of a simulated market)', new FetchError('the market data source is simulated', 409), false],
    ['a 404', new FetchError('no such position', 404), false],
    ['a 503 (the database restarting)', new FetchError('the database cannot be reached right now', 503), true],
    ['a 500', new FetchError('internal server error', 500), true],
    ['no answer at all (fetch failed)', new TypeError('Failed to fetch'), true],
  ])('%s: first failure → retried %s', (_what, err, retried) => {
    expect(retryUnlessRefused(0, err)).toBe(retried)
  })

  test('once at most', () => {
    expect(retryUnlessRefused(1, new FetchError('internal server error', 500))).toBe(false)
  })
})
