import { z } from 'zod'

/**
 * A market in a URL path: `BTC-USDT` for the unified symbol `BTC/USDT`. A dash instead of the
 * slash: an encoded slash (%2F) reaches the handler decoded, and every path parameter must be
 * letters, digits, - or _ (apiRoute answers anything else as not found). Letters are upper-cased.
 */
export const ZMarketPathSymbol = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/, 'must be BASE-QUOTE, e.g. BTC-USDT (a dash instead of the slash)')
  .transform((s) => s.replace('-', '/'))

/** The path parameters of /api/v1/markets/{symbol}/…; errors name the `symbol` field. */
export const ZMarketPathParams = z.object({ symbol: ZMarketPathSymbol })
