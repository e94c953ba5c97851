import { describe, expect, test } from 'vitest'
import { decideRestart, DEFAULT_RESTART_POLICY } from '@/scripts/start/restart-policy'

const s = (seconds: number) => seconds * 1000

describe('decideRestart (npm start supervision)', () => {
  test.each([
    { label: 'first crash: restart after 0.5 s', previous: [], now: s(100), expected: { action: 'restart', delayMs: 500 } },
    { label: 'second within a minute: 1 s', previous: [s(99)], now: s(100), expected: { action: 'restart', delayMs: 1000 } },
    { label: 'third: 2 s', previous: [s(98), s(99)], now: s(100), expected: { action: 'restart', delayMs: 2000 } },
    { label: 'fourth: 4 s', previous: [s(97), s(98), s(99)], now: s(100), expected: { action: 'restart', delayMs: 4000 } },
    { label: 'fifth within 60 s: left down', previous: [s(41), s(50), s(60), s(70)], now: s(100), expected: { action: 'give-up' } },
    { label: 'crashes older than 60 s are forgotten', previous: [s(10), s(20), s(30), s(39)], now: s(100), expected: { action: 'restart', delayMs: 500 } },
    { label: 'exactly 60 s ago no longer counts', previous: [s(40), s(50), s(60), s(70)], now: s(100), expected: { action: 'restart', delayMs: 4000 } },
  ])('$label', ({ previous, now, expected }) => {
    expect(decideRestart(previous, now)).toMatchObject(expected)
  })

  test('the delay is capped', () => {
    const policy = { ...DEFAULT_RESTART_POLICY, crashLimit: 100 }
    const previous = Array.from({ length: 20 }, (_, i) => s(50 + i))
    expect(decideRestart(previous, s(80), policy)).toMatchObject({ action: 'restart', delayMs: DEFAULT_RESTART_POLICY.maxDelayMs })
  })

  test('returns the crashes to remember: the recent ones and this one', () => {
    expect(decideRestart([s(10), s(90)], s(100)).recentCrashes).toEqual([s(90), s(100)])
  })
})
