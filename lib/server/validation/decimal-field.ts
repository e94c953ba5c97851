import { z } from 'zod'
import { dec } from '@/lib/domain/decimal'

const DECIMAL_RE = /^\d+(\.\d+)?$/

/** A non-negative decimal given as a string (or a JSON number), parsed exactly into a Decimal. */
export const ZDecimal = z
  .union([z.string().trim(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v))
  .refine((v) => DECIMAL_RE.test(v), { message: 'must be a decimal number such as 123.45' })
  .transform((v) => dec(v))

export const ZPositiveDecimal = ZDecimal.refine((d) => d.gt(0), { message: 'must be greater than 0' })
