import { z } from 'zod'
import { dec } from '@/lib/domain/decimal'

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/

export interface DecimalFieldOptions {
  /** Digits allowed before the point: the column's precision minus its scale. */
  integerDigits: number
  /** Digits allowed after the point: the column's scale. */
  fractionDigits: number
}

/** Prices, quantities and amounts are stored as Decimal(36, 18). */
export const PRICE_COLUMN: DecimalFieldOptions = { integerDigits: 18, fractionDigits: 18 }

/**
 * A non-negative decimal given as a string (or a JSON number), parsed exactly into a Decimal
 * that fits its column: PostgreSQL answers a value with too many integer digits with an
 * overflow error, so it is refused here with the limit named ("must be less than 1e18").
 */
export function decimalField(o: DecimalFieldOptions) {
  return z
    .union([z.string().trim(), z.number()], {
      error: (iss) => (iss.input === undefined ? 'is required' : 'must be a decimal number such as 123.45'),
    })
    // A finite number is read in plain notation (1e30 → "1000…0") so its size can be judged.
    .transform((v) => (typeof v === 'number' ? (Number.isFinite(v) ? dec(v).toFixed() : String(v)) : v))
    .refine((v) => !(v.startsWith('-') && DECIMAL_RE.test(v.slice(1))), { message: 'must not be negative', abort: true })
    .refine((v) => DECIMAL_RE.test(v), { message: 'must be a decimal number such as 123.45', abort: true })
    .refine((v) => DECIMAL_RE.exec(v)![1].replace(/^0+/, '').length <= o.integerDigits, {
      message: `must be less than 1e${o.integerDigits}`,
      abort: true,
    })
    .refine((v) => (DECIMAL_RE.exec(v)![2] ?? '').replace(/0+$/, '').length <= o.fractionDigits, {
      message: `must have at most ${o.fractionDigits} decimal places`,
      abort: true,
    })
    .transform((v) => dec(v))
}

/** A non-negative decimal that fits a Decimal(36, 18) column. */
export const ZDecimal = decimalField(PRICE_COLUMN)

export const ZPositiveDecimal = ZDecimal.refine((d) => d.gt(0), { message: 'must be greater than 0' })
