import { describe, expect, test } from 'vitest'
import { nestsDeeperThan } from '@/lib/domain/json-depth'

describe('nestsDeeperThan', () => {
  test('counts every object and array on the way down, the outermost as 1', () => {
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false)
    expect(nestsDeeperThan({ a: [{ b: [] }] }, 3)).toBe(true)
    expect(nestsDeeperThan([[], [[]]], 2)).toBe(true)
  })

  test('scalars and null nest nothing', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false)
    expect(nestsDeeperThan({ a: null, b: 'c' }, 1)).toBe(false)
  })

  test('walks 100,000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)
    expect(nestsDeeperThan(deep)).toBe(true)
  })
})
