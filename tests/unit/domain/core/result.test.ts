import { describe, expect, test } from 'vitest'
import { DomainError } from '@/lib/domain/errors'
import { err, ok, type Result } from '@/lib/domain/result'

describe('DomainError and Result', () => {
  test('DomainError carries a code, a message and details, and is an Error', () => {
    const e = new DomainError('OVERFILL', 'too much', { qty: '2' })
    expect(e).toBeInstanceOf(Error)
    expect(e).toMatchObject({ name: 'DomainError', code: 'OVERFILL', message: 'too much', details: { qty: '2' } })
  })

  test.each([
    { label: 'ok', result: ok(42) as Result<number>, expected: { ok: true, value: 42 } },
    {
      label: 'err',
      result: err(new DomainError('X', 'failed')) as Result<number>,
      expected: { ok: false, error: expect.objectContaining({ code: 'X', message: 'failed' }) },
    },
  ])('$label builds the tagged union', ({ result, expected }) => {
    expect(result).toEqual(expected)
  })
})
