import type { Db } from '@/lib/db/client'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'
import { conflict, fromZodError, validationError } from '@/lib/server/errors/app-error'
import { maskSecret, openSecret, sealSecret } from '@/lib/server/secrets/secret-box'
import { checkVenueKeys } from './check-venue-keys'
import { COINBASE_NO_TESTNET, ZUpdateExchangeAccountRequest } from './exchange-account-input'
import { EXCHANGE_ACCOUNT_VIEW_SELECT, toExchangeAccountView, type ExchangeAccountView } from './exchange-account-view'
import { assertNameFree, lockAccountNames, ownExchangeAccount } from './own-exchange-account'
import { verificationFrom, type VerificationState } from './verification-state'
import { CANNOT_TRADE } from './venue-terms'

/**
 * Renames an exchange account, replaces its keys (together), changes its base URL or its mode.
 * Whatever changes where or with what the keys are sent (keys, base URL, mode) is tested again
 * as on creation: a key that cannot trade is refused and nothing changes; a failed test saves
 * the change as not verified. The mode cannot change while positions are open on the account:
 * they live on the exchange (or testnet) they were opened on.
 */
export async function updateExchangeAccount(opts: { db: Db; userId: string; accountId: string; input: unknown; now?: Date }): Promise<ExchangeAccountView> {
  const parsed = ZUpdateExchangeAccountRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const v = parsed.data
  const current = await ownExchangeAccount(opts.db, opts.userId, opts.accountId)
  if (v.name !== undefined && v.name !== current.name) await assertNameFree(opts.db, opts.userId, v.name, current.id)

  const mode = v.mode ?? current.mode
  if (current.venue === 'coinbase' && mode === 'TESTNET') throw validationError([{ field: 'mode', message: COINBASE_NO_TESTNET }])
  if (mode !== current.mode) {
    const open = await opts.db.position.count({ where: { accountId: current.id, status: { in: [...ACTIVE_POSITION_STATUSES] } } })
    if (open > 0) throw conflict(`the mode cannot change while ${open} position${open === 1 ? ' is' : 's are'} open on this account: close ${open === 1 ? 'it' : 'them'} first`)
  }
  const baseUrl = v.baseUrl === undefined ? current.baseUrl : v.baseUrl
  const keysReplaced = v.apiKey !== undefined && v.secret !== undefined
  const retest = keysReplaced || mode !== current.mode || baseUrl !== current.baseUrl

  let verification: VerificationState | undefined
  if (retest) {
    const apiKey = v.apiKey ?? openSecret(requireSealed(current.apiKeyEnc))
    const secret = v.secret ?? openSecret(requireSealed(current.secretEnc))
    const result = await checkVenueKeys({ venue: current.venue, mode, apiKey, secret, baseUrl }, current.id)
    if (result.ok && !result.check.canTrade) throw validationError([{ field: keysReplaced ? 'apiKey' : 'mode', message: CANNOT_TRADE }])
    verification = verificationFrom(result, opts.now ?? new Date())
  }

  return opts.db.$transaction(async (tx) => {
    if (v.name !== undefined && v.name !== current.name) {
      await lockAccountNames(tx, opts.userId)
      await assertNameFree(tx, opts.userId, v.name, current.id)
    }
    const row = await tx.exchangeAccount.update({
      where: { id: current.id },
      data: {
        name: v.name,
        mode,
        baseUrl,
        ...(keysReplaced ? { apiKeyEnc: sealSecret(v.apiKey!), secretEnc: sealSecret(v.secret!), keyHint: maskSecret(v.apiKey!) } : {}),
        ...(verification ?? {}),
      },
      select: EXCHANGE_ACCOUNT_VIEW_SELECT,
    })
    return toExchangeAccountView(row)
  })
}

function requireSealed(sealed: string | null): string {
  if (!sealed) throw new Error('exchange account has no stored keys')
  return sealed
}
