import { expect, test } from 'vitest'
import { formatAge, formatTimestamp } from '@/lib/ui/time-format'

test.each([
  ['ISO with millis', '2026-01-02T03:04:05.678Z', '2026-01-02 03:04:05'],
  ['missing', null, '—'],
  ['not ISO', 'yesterday', 'yesterday'],
])('formatTimestamp: %s', (_label, iso, expected) => {
  expect(formatTimestamp(iso)).toBe(expected)
})

test.each([
  ['seconds', 4_400, '4 s'],
  ['minutes', 300_000, '5 min'],
  ['hours', 3 * 3_600_000, '3 h'],
  ['negative clock skew', -500, '0 s'],
  ['unknown', null, '—'],
])('formatAge: %s', (_label, ms, expected) => {
  expect(formatAge(ms)).toBe(expected)
})
