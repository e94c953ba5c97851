'use server'

import { db } from '@/lib/db/client'
import { pressPanic, type PanicResult } from '@/lib/server/panic/press-panic'
import { resumeTrading } from '@/lib/server/trading/resume-trading'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'

/** The panic button, after its one confirmation: the same service as the API and the CLI. */
export async function pressPanicAction(input: { traderId?: string }): Promise<ActionResult<PanicResult>> {
  return runAction('panic', (user) => pressPanic({ db: db(), userId: user.id, actor: { kind: 'USER', id: user.id }, input: { confirm: true, ...input } }))
}

/** Re-enabling trading is a person's deliberate act; it never happens by itself. */
export async function resumeTradingAction(input: { traderId?: string }): Promise<ActionResult> {
  return runAction('resume trading', async (user) => {
    await resumeTrading({ db: db(), userId: user.id, actor: { kind: 'USER', id: user.id }, input: { confirm: true, ...input } })
    return null
  })
}
