import { z } from 'zod'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { textField } from '@/lib/server/validation/text-field'

const ZSymbol = textField({ max: 40 }).toUpperCase().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'each symbol must look like BTC/USDT')

/** Accepts a list, or one comma/space-separated string as a form sends it. */
const ZWatchlist = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : v).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(ZSymbol).min(1, 'add at least one symbol').max(50, 'at most 50 symbols'))
  .transform((l) => [...new Set(l)])

export const ZCreateTraderRequest = z
  .object({
    name: textField({ max: 60 }).min(1, 'is required'),
    exchange: z.literal('PAPER', { message: 'only paper accounts are available in this version' }).default('PAPER'),
    quoteCurrency: textField({ max: 10 }).toUpperCase().regex(/^[A-Z0-9]{2,10}$/, 'must be a currency code such as USDT'),
    startingBalance: ZPositiveDecimal,
    watchlist: ZWatchlist,
    /** Let the trader's provider (the built-in rules by default) decide and trade on its own. */
    autoTrade: ZFormBoolean.default(true),
  })
  .superRefine((v, ctx) => {
    v.watchlist.forEach((s, i) => {
      if (!s.endsWith(`/${v.quoteCurrency}`)) ctx.addIssue({ code: 'custom', path: ['watchlist', i], message: `${s} is not quoted in ${v.quoteCurrency}` })
    })
  })

export const ZUpdateTraderRequest = z.object({
  name: textField({ max: 60 }).min(1, 'is required').optional(),
  watchlist: ZWatchlist.optional(),
})
