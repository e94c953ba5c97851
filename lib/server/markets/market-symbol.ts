import { z } from 'zod'
import { APP_ERROR_STATUS, AppError } from '@/lib/server/errors/app-error'

const PATH_FORM = 'BASE-QUOTE, e.g. BTC-USDT'

/**
 * A market in a URL path: `BTC-USDT` for the unified symbol `BTC/USDT`. A dash instead of the
 * slash: an encoded slash (%2F) reaches the handler decoded, and every path parameter must be
 * letters, digits, - or _ (apiRoute answers anything else as not found). Letters are upper-cased.
 */
export const ZMarketPathSymbol = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/, `must be ${PATH_FORM} (a dash instead of the slash)`)
  .transform((s) => s.replace('-', '/'))

/** The path parameters of /api/v1/markets/{symbol}/…; errors name the `symbol` field. */
export const ZMarketPathParams = z.object({ symbol: ZMarketPathSymbol })

/** apiRoute's 404 for a market path parameter that is not even id-shaped (BTC/USDT, its slash encoded). */
export function malformedMarketPath(value: string): AppError {
  return new AppError('NOT_FOUND', `no market ${JSON.stringify(value.slice(0, 64))}: a market in a path is written ${PATH_FORM}`, APP_ERROR_STATUS.NOT_FOUND)
}
