import { describe, expect, test } from 'vitest'
import { newId } from '@/lib/db/new-id'

describe('newId', () => {
  // More ids than one block of random bytes holds, so the pool is drawn again on the way.
  const ids = Array.from({ length: 5000 }, () => newId())

  test('ids are laid out as cuid()s: "c" and 24 base-36 characters', () => {
    for (const id of ids) expect(id).toMatch(/^c[0-9a-z]{24}$/)
  })

  test('every id is new', () => {
    expect(new Set(ids).size).toBe(ids.length)
  })

  test('ids sort in the order they were made (time, then the counter within a millisecond)', () => {
    expect([...ids].sort()).toEqual(ids)
  })

  test('the random part differs from id to id', () => {
    const randomParts = new Set(ids.map((id) => id.slice(-8)))
    expect(randomParts.size).toBe(ids.length)
  })
})
