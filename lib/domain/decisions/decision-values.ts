import { Decimal, ZERO, dec } from '@/lib/domain/decimal'
import type { Check } from './validation-result'

/**
 * Reading and showing the numbers in a decision. Model output can carry NaN, Infinity or a missing
 * value where a Decimal is typed; these helpers turn that into a failed check instead of an exception.
 */

export function isFiniteDecimal(v: unknown): v is Decimal {
  return Decimal.isDecimal(v) && v.isFinite()
}

/** A value for a message, whatever it is. */
export function show(v: unknown): string {
  if (Decimal.isDecimal(v)) return v.toFixed()
  if (v === undefined || v === null) return 'missing'
  return typeof v === 'string' ? `"${v}"` : String(v)
}

/**
 * A percentage with two decimals, or more when two would print a value that misses `limit` as the
 * limit itself ("5% (maximum 5%)" would tell the user nothing).
 */
export function formatPct(value: Decimal, limit?: Decimal): string {
  let dp = 2
  while (limit !== undefined && dp < 10 && !value.eq(limit) && value.toDecimalPlaces(dp).eq(limit)) dp++
  return `${value.toDecimalPlaces(dp).toFixed()}%`
}

/** How far `price` is from `reference`, in percent of the reference. */
export function distancePct(price: Decimal, reference: Decimal): Decimal {
  return price.minus(reference).abs().div(reference).mul(100)
}

export interface Interval {
  min: Decimal
  minInclusive: boolean
  /** Absent: no upper bound. */
  max?: Decimal
  maxInclusive?: boolean
  /** Printed after each number, e.g. '%'. */
  unit?: string
}

export const POSITIVE: Interval = { min: ZERO, minInclusive: false }
export const SHARE_PCT: Interval = { min: ZERO, minInclusive: false, max: dec(100), maxInclusive: true, unit: '%' }

function contains(x: Decimal, i: Interval): boolean {
  const aboveMin = i.minInclusive ? x.gte(i.min) : x.gt(i.min)
  const belowMax = i.max === undefined || (i.maxInclusive ? x.lte(i.max) : x.lt(i.max))
  return aboveMin && belowMax
}

function intervalNotation(i: Interval): string {
  const u = i.unit ?? ''
  if (i.max === undefined) return `${i.minInclusive ? '>=' : '>'} ${i.min.toFixed()}${u}`
  return `in ${i.minInclusive ? '[' : '('}${i.min.toFixed()}${u}, ${i.max.toFixed()}${u}${i.maxInclusive ? ']' : ')'}`
}

function intervalWords(i: Interval): string {
  const u = i.unit ?? ''
  const lower = `${i.minInclusive ? 'at least' : 'greater than'} ${i.min.toFixed()}${u}`
  if (i.max === undefined) return lower
  return `${lower} and ${i.maxInclusive ? 'at most' : 'less than'} ${i.max.toFixed()}${u}`
}

export interface Reading {
  check: Check
  /** The value as a domain Decimal, or null when it failed the check. */
  value: Decimal | null
}

/** Reads a number that must be finite and inside `interval`; the check is named `name`, the field `label`. */
export function readInInterval(name: string, label: string, v: unknown, interval: Interval): Reading {
  const ok = isFiniteDecimal(v) && contains(v, interval)
  const missing = v === undefined || v === null
  const shown = missing || !isFiniteDecimal(v) ? show(v) : `${show(v)}${interval.unit ?? ''}`
  const check: Check = {
    name,
    satisfied: ok,
    currentValue: shown,
    requiredValue: intervalNotation(interval),
    message: missing
      ? `${label} is required`
      : Decimal.isDecimal(v)
        ? `${label} ${shown} must be ${intervalWords(interval)}`
        : `${label} ${shown} is not a decimal number`,
  }
  // Re-created so later arithmetic uses the domain's precision even if the value came from another decimal.js copy.
  return { check, value: ok ? dec(v) : null }
}

export function readPositive(name: string, label: string, v: unknown): Reading {
  return readInInterval(name, label, v, POSITIVE)
}
