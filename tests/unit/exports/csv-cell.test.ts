import { describe, expect, it } from 'vitest'
import { csvCell } from '@/lib/server/exports/csv-cell'

describe('csvCell: text a spreadsheet would run as a formula is neutralised (OWASP CSV injection)', () => {
  it.each([
    ['a formula', '=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
    ['a plus sign', '+1+cmd|/C calc!A0', `'+1+cmd|/C calc!A0`],
    ['a minus sign before text', '-2+3 stop moved', `'-2+3 stop moved`],
    ['an at sign', '@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['a leading tab', '\t=1+1', `'\t=1+1`],
    ['a leading carriage return', '\r=1+1', `'\r=1+1`],
    ['a minus that is not a plain number', '-1e5', `'-1e5`],
    ['a lone minus', '-', `'-`],
    ['ordinary text', 'Stop moved to 59000', 'Stop moved to 59000'],
    ['a formula sign later in the text', 'a=b, c+d, e@f', 'a=b, c+d, e@f'],
    ['a negative decimal (our exact numbers stay numbers)', '-12.5', '-12.5'],
    ['a negative whole number', '-3', '-3'],
    ['a positive decimal', '0.00000001', '0.00000001'],
    ['an ISO time', '2025-03-01T12:00:00.000Z', '2025-03-01T12:00:00.000Z'],
    ['an empty string', '', ''],
  ])('%s', (_label, input, expected) => {
    expect(csvCell(input)).toBe(expected)
  })

  it.each([
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['a number', -7, '-7'],
    ['true', true, 'true'],
    ['false', false, 'false'],
  ])('writes %s as text', (_label, input, expected) => {
    expect(csvCell(input)).toBe(expected)
  })
})
