import type { Db } from '@/lib/db/client'
import { fromZodError, validationError } from '@/lib/server/errors/app-error'
import { maskSecret, sealSecret } from '@/lib/server/secrets/secret-box'
import { checkVenueKeys } from './check-venue-keys'
import { ZCreateExchangeAccountRequest } from './exchange-account-input'
import { EXCHANGE_ACCOUNT_VIEW_SELECT, toExchangeAccountView, type ExchangeAccountView } from './exchange-account-view'
import { assertNameFree, lockAccountNames } from './own-exchange-account'
import { verificationFrom } from './verification-state'
import { CANNOT_TRADE, VENUE_DEFAULT_QUOTE, VENUE_FEES } from './venue-terms'

/**
 * Adds an exchange account. The keys are tested first (balances and permissions): a key that
 * works but cannot trade is refused; one the exchange refuses or that cannot be tested now is
 * saved as not verified, with the exchange's message. Keys are stored sealed, never returned.
 */
export async function createExchangeAccount(opts: { db: Db; userId: string; input: unknown; now?: Date }): Promise<ExchangeAccountView> {
  const parsed = ZCreateExchangeAccountRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const v = parsed.data
  // Before the test, so a duplicate name does not cost a round trip to the exchange.
  await assertNameFree(opts.db, opts.userId, v.name)
  const baseUrl = v.baseUrl ?? null
  const result = await checkVenueKeys({ venue: v.exchange, mode: v.mode, apiKey: v.apiKey, secret: v.secret, baseUrl })
  if (result.ok && !result.check.canTrade) throw validationError([{ field: 'apiKey', message: CANNOT_TRADE }])
  const fees = VENUE_FEES[v.exchange]
  return opts.db.$transaction(async (tx) => {
    await lockAccountNames(tx, opts.userId)
    await assertNameFree(tx, opts.userId, v.name)
    const row = await tx.exchangeAccount.create({
      data: {
        userId: opts.userId,
        name: v.name,
        kind: 'CCXT',
        venue: v.exchange,
        mode: v.mode,
        quoteCurrency: v.quoteCurrency ?? VENUE_DEFAULT_QUOTE[v.exchange],
        makerFeeRate: fees.maker,
        takerFeeRate: fees.taker,
        apiKeyEnc: sealSecret(v.apiKey),
        secretEnc: sealSecret(v.secret),
        keyHint: maskSecret(v.apiKey),
        baseUrl,
        ...verificationFrom(result, opts.now ?? new Date()),
      },
      select: EXCHANGE_ACCOUNT_VIEW_SELECT,
    })
    return toExchangeAccountView(row)
  })
}
