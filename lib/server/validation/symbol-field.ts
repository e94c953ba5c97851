import { z } from 'zod'
import { textField } from './text-field'

/** A market symbol given as a filter (`btc/usdt` → `BTC/USDT`). */
export const ZSymbolField = textField({ max: 40 })
  .toUpperCase()
  .regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'must look like BTC/USDT')

/**
 * A list of symbols, as a list or as one comma/space-separated string (as a form sends it),
 * upper-cased, duplicates dropped.
 */
export const symbolList = (o: { min: number; max: number; minMessage?: string }) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : v).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(ZSymbolField).min(o.min, o.minMessage).max(o.max, `at most ${o.max} symbols`))
    .transform((l) => [...new Set(l)])
