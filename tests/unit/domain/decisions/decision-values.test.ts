import { describe, expect, test } from 'vitest'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { DEFAULT_DECISION_SETTINGS, minTargetDistancePct } from '@/lib/domain/decisions/decision-settings'
import { SHARE_PCT, distancePct, formatPct, readInInterval, readPositive } from '@/lib/domain/decisions/decision-values'
import { mergeResults, resultFromChecks, type Check } from '@/lib/domain/decisions/validation-result'

describe('formatPct', () => {
  test.each([
    { label: 'two decimals', value: '7.8125', limit: undefined, out: '7.81%' },
    { label: 'no trailing zeros', value: '7.5', limit: undefined, out: '7.5%' },
    { label: 'exactly the limit', value: '5', limit: '5', out: '5%' },
    { label: 'just over the limit shows the digits that differ', value: '5.000015625', limit: '5', out: '5.00002%' },
    { label: 'just under a minimum shows the digits that differ', value: '0.3999', limit: '0.4', out: '0.3999%' },
    { label: 'far from the limit keeps two decimals', value: '89.99843725', limit: '2', out: '90%' },
  ])('$label: $value → $out', ({ value, limit, out }) => {
    expect(formatPct(dec(value), limit === undefined ? undefined : dec(limit))).toBe(out)
  })
})

describe('distancePct', () => {
  test.each([
    { label: 'below the reference', price: '60800', ref: '64000', out: '5' },
    { label: 'above the reference', price: '67200', ref: '64000', out: '5' },
    { label: 'at the reference', price: '64000', ref: '64000', out: '0' },
  ])('$label', ({ price, ref, out }) => {
    expect(distancePct(dec(price), dec(ref)).eq(dec(out))).toBe(true)
  })
})

describe('readInInterval', () => {
  const nan = dec('NaN')
  test.each<{ label: string; value: unknown; ok: boolean; message: string; currentValue: string }>([
    { label: 'share of 100 % (upper bound included)', value: dec('100'), ok: true, message: 'take profit 1 share 100% must be greater than 0% and at most 100%', currentValue: '100%' },
    { label: 'share of 100.01 %', value: dec('100.01'), ok: false, message: 'take profit 1 share 100.01% must be greater than 0% and at most 100%', currentValue: '100.01%' },
    { label: 'share of 0 % (lower bound excluded)', value: dec('0'), ok: false, message: 'take profit 1 share 0% must be greater than 0% and at most 100%', currentValue: '0%' },
    { label: 'NaN', value: nan, ok: false, message: 'take profit 1 share NaN must be greater than 0% and at most 100%', currentValue: 'NaN' },
    { label: 'missing', value: undefined, ok: false, message: 'take profit 1 share is required', currentValue: 'missing' },
    { label: 'a plain number instead of a Decimal', value: 50, ok: false, message: 'take profit 1 share 50 is not a decimal number', currentValue: '50' },
  ])('$label', ({ value, ok, message, currentValue }) => {
    const { check, value: read } = readInInterval('take profit share', 'take profit 1 share', value, SHARE_PCT)
    expect(check).toEqual({ name: 'take profit share', satisfied: ok, currentValue, requiredValue: 'in (0%, 100%]', message })
    expect(read === null).toBe(!ok)
  })

  test.each([
    { label: 'a positive price', value: '0.01', ok: true },
    { label: 'zero', value: '0', ok: false },
    { label: 'infinity', value: 'Infinity', ok: false },
  ])('readPositive: $label', ({ value, ok }) => {
    const { check } = readPositive('stop loss value', 'stop loss', dec(value))
    expect(check.satisfied).toBe(ok)
    expect(check.requiredValue).toBe('> 0')
  })
})

describe('decision settings', () => {
  test.each<{ label: string; fee: string; multiple: string; out: string }>([
    { label: 'defaults: 2 × 0.1 % × 2', fee: '0.001', multiple: '2', out: '0.4' },
    { label: 'maker-ish fees, cover once', fee: '0.0002', multiple: '1', out: '0.04' },
    { label: 'no fee', fee: '0', multiple: '2', out: '0' },
  ])('min target distance, $label = $out %', ({ fee, multiple, out }) => {
    expect(minTargetDistancePct({ takerFeeRate: dec(fee), minTpFeeMultiple: dec(multiple) }).eq(dec(out))).toBe(true)
  })

  test('defaults are Decimals and conservative', () => {
    const d = DEFAULT_DECISION_SETTINGS
    const decimals: Decimal[] = [d.minConfidence, d.maxStopDistancePct, d.maxEntryDeviationPct, d.maxTargetDistancePct, d.takerFeeRate, d.minTpFeeMultiple]
    expect(decimals.map((v) => v.toFixed())).toEqual(['0.6', '10', '2', '50', '0.001', '2'])
    expect(d.maxModificationsPerHour).toBe(6)
    expect(d.canShort).toBe(false)
    expect(Object.isFrozen(d)).toBe(true)
  })
})

describe('resultFromChecks and mergeResults', () => {
  const check = (name: string, satisfied: boolean): Check => ({ name, satisfied, currentValue: 'x', requiredValue: 'y', message: `${name} message` })

  test.each([
    { label: 'all satisfied', checks: [check('a', true), check('b', true)], valid: true, errors: [] },
    { label: 'one failed: its own sentence', checks: [check('a', true), check('b', false)], valid: false, errors: ['b message'] },
    { label: 'nothing checked', checks: [], valid: true, errors: [] },
  ])('$label', ({ checks, valid, errors }) => {
    const result = resultFromChecks(checks, ['w'])
    expect(result).toEqual({
      isValid: valid,
      errors,
      warnings: ['w'],
      constraints: checks.map(({ name, satisfied }) => ({ name, satisfied, currentValue: 'x', requiredValue: 'y' })),
    })
  })

  test.each([
    { label: 'valid + valid', a: true, b: true, valid: true },
    { label: 'valid + invalid', a: true, b: false, valid: false },
    { label: 'invalid + valid', a: false, b: true, valid: false },
  ])('merge: $label', ({ a, b, valid }) => {
    const merged = mergeResults(resultFromChecks([check('a', a)], ['wa']), resultFromChecks([check('b', b)], ['wb']))
    expect(merged.isValid).toBe(valid)
    expect(merged.warnings).toEqual(['wa', 'wb'])
    expect(merged.constraints.map((c) => c.name)).toEqual(['a', 'b'])
  })
})
