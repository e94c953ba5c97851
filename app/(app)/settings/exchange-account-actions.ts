'use server'

import { db } from '@/lib/db/client'
import { createExchangeAccount } from '@/lib/server/exchange-accounts/create-exchange-account'
import { deleteExchangeAccount } from '@/lib/server/exchange-accounts/delete-exchange-account'
import type { ExchangeAccountView } from '@/lib/server/exchange-accounts/exchange-account-view'
import { testExchangeAccount, type ExchangeAccountTest } from '@/lib/server/exchange-accounts/test-exchange-account'
import { updateExchangeAccount } from '@/lib/server/exchange-accounts/update-exchange-account'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'
import { checkedId } from '@/lib/server/validation/id-field'

/** Adds an exchange account; its keys are tested first and never come back. */
export async function createExchangeAccountAction(input: unknown): Promise<ActionResult<ExchangeAccountView>> {
  return runAction('create exchange account', (user) => createExchangeAccount({ db: db(), userId: user.id, input }))
}

/** Renames, replaces the keys (tested again), changes the base URL or the mode. */
export async function updateExchangeAccountAction(accountId: string, input: unknown): Promise<ActionResult<ExchangeAccountView>> {
  return runAction('update exchange account', (user) => updateExchangeAccount({ db: db(), userId: user.id, accountId: checkedId(accountId, 'exchange account'), input }))
}

export async function deleteExchangeAccountAction(accountId: string): Promise<ActionResult<null>> {
  return runAction('delete exchange account', async (user) => {
    await deleteExchangeAccount({ db: db(), userId: user.id, accountId: checkedId(accountId, 'exchange account') })
    return null
  })
}

/** Tests the stored keys now; a failed test is a result with the exchange's message, not an error. */
export async function testExchangeAccountAction(accountId: string): Promise<ActionResult<ExchangeAccountTest>> {
  return runAction('test exchange account', (user) => testExchangeAccount({ db: db(), userId: user.id, accountId: checkedId(accountId, 'exchange account') }))
}
