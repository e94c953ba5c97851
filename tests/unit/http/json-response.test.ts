import { describe, expect, test } from 'vitest'
import { jsonResponse } from '@/lib/server/http/json-response'

// Next's compression skips a response whose Cache-Control says no-transform: small API answers
// go out as they are, larger ones are compressed.
describe('jsonResponse', () => {
  test('a small answer: JSON, marked no-transform', async () => {
    const res = jsonResponse({ position: { id: 'p1' } }, 201)
    expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([201, 'application/json', 'no-transform'])
    expect(await res.json()).toEqual({ position: { id: 'p1' } })
  })
  test("a route's own Cache-Control is kept", () => {
    expect(jsonResponse({ ok: true }, 200, { 'Cache-Control': 'no-store' }).headers.get('cache-control')).toBe('no-store, no-transform')
  })
  test('an answer of 8 KB or more may be compressed', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ id: `row-${i}`, message: 'x'.repeat(10) }))
    const res = jsonResponse({ rows }, 200, { 'Cache-Control': 'no-store' })
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect((await res.json()).rows).toHaveLength(400)
  })
})
