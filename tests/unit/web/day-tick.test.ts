import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dayTick } from '@/lib/ui/chart/day-tick'

describe('dayTick', () => {
  // A zone far from UTC (+14 h), so a label taken in the machine's zone would name another day.
  const zone = process.env.TZ
  beforeAll(() => {
    process.env.TZ = 'Pacific/Kiritimati'
  })
  afterAll(() => {
    if (zone === undefined) delete process.env.TZ
    else process.env.TZ = zone
  })

  test.each([
    ['2026-12-03T00:00:00Z', '3 Dec'],
    ['2026-01-31T00:15:00Z', '31 Jan'],
    ['2024-02-28T23:45:00Z', '28 Feb'],
    ['2024-02-29T00:00:00Z', '29 Feb'],
  ])('%s → %s', (iso, label) => {
    expect(dayTick(Date.parse(iso) / 1000)).toBe(label)
  })
})
