'use server'

import { db } from '@/lib/db/client'
import { createTrader } from '@/lib/server/traders/create-trader'
import { updateTrader } from '@/lib/server/traders/update-trader'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'

export async function createTraderAction(input: unknown): Promise<ActionResult<{ traderId: string }>> {
  return runAction('create trader', async (user) => {
    const trader = await createTrader({ db: db(), userId: user.id, input })
    return { traderId: trader.id }
  })
}

export async function updateTraderAction(traderId: string, input: unknown): Promise<ActionResult> {
  return runAction('update trader', async (user) => {
    await updateTrader({ db: db(), userId: user.id, traderId, input })
    return null
  })
}
