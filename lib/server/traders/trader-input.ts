import { z } from 'zod'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { ZIdField } from '@/lib/server/validation/id-field'
import { symbolList } from '@/lib/server/validation/symbol-field'
import { textField } from '@/lib/server/validation/text-field'
import { ZUniverse } from './trader-settings'

const ZWatchlist = symbolList({ min: 1, max: 50, minMessage: 'add at least one symbol' })

const ZQuoteCurrency = textField({ max: 10 }).toUpperCase().regex(/^[A-Z0-9]{2,10}$/, 'must be a currency code such as USDT')

export const quotedIn = (symbol: string, quote: string) => symbol.endsWith(`/${quote}`)
export const notQuotedIn = (symbol: string, quote: string) => `${symbol} is not quoted in ${quote}`

/**
 * A trader trades either on its own paper account, funded with startingBalance (quoteCurrency
 * required), or on one of the user's exchange accounts (accountId), in that account's currency.
 */
export const ZCreateTraderRequest = z
  .strictObject({
    name: textField({ max: 60 }).min(1, 'is required'),
    /** Required for a paper trader; on an exchange account it must be the account's, if given. */
    quoteCurrency: ZQuoteCurrency.optional(),
    /** A paper trader: its own paper account funded with this. Not with accountId. */
    startingBalance: ZPositiveDecimal.optional(),
    /** A trader on one of your exchange accounts (Settings → Exchange accounts). Not with startingBalance. */
    accountId: ZIdField.optional(),
    /** The symbols to trade; may be left out with a TOP universe (the worker resolves it). */
    watchlist: ZWatchlist.optional(),
    /** How the watchlist is chosen: { kind: 'FIXED' } (default) or { kind: 'TOP', n, … } by 24 h volume. */
    universe: ZUniverse.optional(),
    /** Let the trader's provider (the built-in rules by default) decide and trade on its own. */
    autoTrade: ZFormBoolean.default(true),
  })
  .superRefine((v, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message })
    if (v.startingBalance === undefined && v.accountId === undefined) issue(['startingBalance'], 'give startingBalance (a paper account) or accountId (an exchange account)')
    if (v.startingBalance !== undefined && v.accountId !== undefined) issue(['accountId'], 'give either startingBalance (a paper account) or accountId (an exchange account), not both')
    if (v.startingBalance !== undefined && v.quoteCurrency === undefined) issue(['quoteCurrency'], 'is required for a paper trader')
    if (v.watchlist === undefined && v.universe?.kind !== 'TOP') issue(['watchlist'], 'add at least one symbol, or choose a top-N universe')
    // On an exchange account the service checks against the account's currency instead.
    if (v.quoteCurrency !== undefined && v.accountId === undefined) {
      v.watchlist?.forEach((s, i) => {
        if (!quotedIn(s, v.quoteCurrency!)) issue(['watchlist', i], notQuotedIn(s, v.quoteCurrency!))
      })
    }
  })

export const ZUpdateTraderRequest = z.strictObject({
  name: textField({ max: 60 }).min(1, 'is required').optional(),
  watchlist: ZWatchlist.optional(),
  universe: ZUniverse.optional(),
})
