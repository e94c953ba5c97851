import { describe, expect, it } from 'vitest'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { decimalField, ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { ZIdField } from '@/lib/server/validation/id-field'
import { findUnstorableText, storableText } from '@/lib/domain/json-text'
import { textField } from '@/lib/server/validation/text-field'

const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) => (r.success ? [] : r.error!.issues.map((i) => i.message))

describe('textField', () => {
  const name = textField({ max: 10 })
  const note = textField({ max: 10, multiline: true })
  it.each([
    ['a plain value, trimmed', name, '  Alice ', [], 'Alice'],
    ['a NUL', name, 'a\u0000b', ['must not contain control characters or line breaks']],
    ['a bell character', name, 'a\u0007b', ['must not contain control characters or line breaks']],
    ['a line break in a single-line field', name, 'a\nb', ['must not contain control characters or line breaks']],
    ['a line break in a note', note, 'a\nb', [], 'a\nb'],
    ['a NUL in a note', note, 'a\u0000b', ['must not contain control characters']],
    ['DEL in a note', note, 'a\u007Fb', ['must not contain control characters']],
    ['one character too many', name, 'x'.repeat(11), ['at most 10 characters']],
    ['a number', name, 5, ['must be a string']],
    ['nothing', name, undefined, ['is required']],
  ] as const)('%s', (_label, schema, input, expected, value?: string) => {
    const r = schema.safeParse(input)
    expect(messages(r)).toEqual(expected)
    if (value !== undefined) expect(r.data).toBe(value)
  })

  it('finds a NUL or a lone surrogate in nested values and keys, and names where', () => {
    const NUL = 'must not contain a NUL character (\\u0000)'
    const LONE = 'must not contain a lone surrogate (\\ud800–\\udfff without its pair)'
    expect(findUnstorableText({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toEqual({ field: 'a.1.c', message: NUL })
    expect(findUnstorableText({ risk: { 'k\u0000': 1 } })).toEqual({ field: 'risk.k\\u0000', message: NUL })
    expect(findUnstorableText('\u0000')).toEqual({ field: '', message: NUL })
    expect(findUnstorableText({ comment: 'a\ud800b' })).toEqual({ field: 'comment', message: LONE })
    expect(findUnstorableText({ x: ['\udc00'] })).toEqual({ field: 'x.0', message: LONE })
    expect(findUnstorableText({ ['\ud83d']: 1 })).toEqual({ field: '\\ud83d', message: LONE })
    // A pair is one character (an emoji), and stores fine.
    expect(findUnstorableText({ a: 'line\nbreak 😀', b: [1, true, null], ['\ud83d\ude00']: '\ud83d\ude00' })).toBeNull()
  })

  it('makes text storable by putting U+FFFD for a NUL or half a pair, and leaves whole pairs alone', () => {
    expect(storableText('a\u0000b\ud800c\udc00d 😀')).toBe('a\uFFFDb\uFFFDc\uFFFDd 😀')
    expect(findUnstorableText(storableText('\u0000\ud83d'))).toBeNull()
  })
})

describe('decimalField (Decimal(36, 18) columns)', () => {
  it.each([
    ['a string', '60010.5', [], '60010.5'],
    ['a JSON number', 0.1, [], '0.1'],
    ['a small JSON number read in plain notation', 1e-7, [], '0.0000001'],
    ['the largest value with 18 integer digits', '999999999999999999.999999999999999999', [], '999999999999999999.999999999999999999'],
    ['1e18', '1000000000000000000', ['must be less than 1e18']],
    ['1e30 as a number', 1e30, ['must be less than 1e18']],
    ['1e20 as a number (plain notation in JS)', 1e20, ['must be less than 1e18']],
    ['19 decimal places', '0.0000000000000000001', ['must have at most 18 decimal places']],
    ['trailing zeros beyond 18 places', '1.5000000000000000000000', [], '1.5'],
    ['Infinity (1e400 in JSON)', Infinity, ['must be a decimal number such as 123.45']],
    ['exponent notation in a string', '1e3', ['must be a decimal number such as 123.45']],
    ['a negative number', -1, ['must not be negative']],
    ['a negative decimal in a string', '-0.5', ['must not be negative']],
    ['a minus sign alone', '-', ['must be a decimal number such as 123.45']],
    ['a NUL', '1\u00002', ['must be a decimal number such as 123.45']],
    ['a boolean', true, ['must be a decimal number such as 123.45']],
    ['null', null, ['must be a decimal number such as 123.45']],
    ['missing', undefined, ['is required']],
    ['zero where a positive value is required', '0', ['must be greater than 0']],
  ] as const)('%s', (_label, input, expected, value?: string) => {
    const r = ZPositiveDecimal.safeParse(input)
    expect(messages(r)).toEqual(expected)
    if (value !== undefined) expect(r.data?.toFixed()).toBe(value)
  })

  it('names the limit of a smaller column', () => {
    expect(messages(decimalField({ integerDigits: 5, fractionDigits: 4 }).safeParse('123456'))).toEqual(['must be less than 1e5'])
    expect(messages(decimalField({ integerDigits: 5, fractionDigits: 4 }).safeParse('1.23456'))).toEqual(['must have at most 4 decimal places'])
  })
})

describe('ZIdField', () => {
  it.each([
    ['a cuid', 'cmx3eml95000g1m7d853q5g3l', []],
    ['a feed id', '12345', []],
    ['a NUL', 'abc\u0000', ['must be an id (letters, digits, - or _, at most 64 characters)']],
    ['65 characters', 'a'.repeat(65), ['must be an id (letters, digits, - or _, at most 64 characters)']],
    ['a path', '../x', ['must be an id (letters, digits, - or _, at most 64 characters)']],
    ['empty', '', ['must not be empty']],
  ] as const)('%s', (_label, input, expected) => {
    expect(messages(ZIdField.safeParse(input))).toEqual(expected)
  })
})

describe('ZFormBoolean', () => {
  it.each([
    [true, true],
    ['on', true],
    ['true', true],
    ['1', true],
    [false, false],
    ['off', false],
    ['', false],
  ] as const)('%j reads as %j', (input, expected) => {
    expect(ZFormBoolean.parse(input)).toBe(expected)
  })
  it.each([['yes'], [1], ['not the right type'], [{}]])('refuses %j', (input) => {
    expect(messages(ZFormBoolean.safeParse(input))).toEqual(['must be true or false'])
  })
})
