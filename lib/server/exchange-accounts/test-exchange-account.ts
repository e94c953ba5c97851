import type { Db } from '@/lib/db/client'
import type { Balance } from '@/lib/exchange/port'
import { openSecret } from '@/lib/server/secrets/secret-box'
import { checkVenueKeys } from './check-venue-keys'
import { EXCHANGE_ACCOUNT_VIEW_SELECT, toExchangeAccountView, type ExchangeAccountView } from './exchange-account-view'
import { ownExchangeAccount } from './own-exchange-account'
import { verificationFrom } from './verification-state'
import { CAN_WITHDRAW_WARNING } from './venue-terms'

/** A connection test as the user sees it: a failure is an outcome with the exchange's message, not an error. */
export interface ExchangeAccountTest {
  ok: boolean
  /** Why the keys are not verified (the exchange's message, or that the key cannot trade); null when they are. */
  error: string | null
  /** Holdings as the exchange reported them (empty when it did not answer). */
  balances: { asset: string; amount: string }[]
  canTrade: boolean | null
  canWithdraw: boolean | null
  warning: string | null
  account: ExchangeAccountView
}

/** Tests the stored keys again now and records the outcome on the account. */
export async function testExchangeAccount(opts: { db: Db; userId: string; accountId: string; now?: Date }): Promise<ExchangeAccountTest> {
  const a = await ownExchangeAccount(opts.db, opts.userId, opts.accountId)
  if (!a.apiKeyEnc || !a.secretEnc) throw new Error(`exchange account ${a.id} has no stored keys`)
  const result = await checkVenueKeys({ venue: a.venue, mode: a.mode, apiKey: openSecret(a.apiKeyEnc), secret: openSecret(a.secretEnc), baseUrl: a.baseUrl }, a.id)
  const state = verificationFrom(result, opts.now ?? new Date())
  const row = await opts.db.exchangeAccount.update({ where: { id: a.id }, data: state, select: EXCHANGE_ACCOUNT_VIEW_SELECT })
  const balances: Balance[] = result.ok ? result.check.balances : []
  return {
    ok: state.verifyError === null,
    error: state.verifyError,
    balances: balances.map((b) => ({ asset: b.asset, amount: b.amount.toFixed() })),
    canTrade: state.canTrade,
    canWithdraw: state.canWithdraw,
    warning: state.canWithdraw ? CAN_WITHDRAW_WARNING : null,
    account: toExchangeAccountView(row),
  }
}
