'use server'

import type { ConnectionTestResult } from '@/lib/ai/test-connection'
import { db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { createTrader } from '@/lib/server/traders/create-trader'
import { pauseTrader, resumeTrader } from '@/lib/server/traders/pause-trader'
import { requestAnalysis, type AnalysisRequested } from '@/lib/server/traders/request-analysis'
import { testTraderConnection } from '@/lib/server/traders/test-trader-connection'
import type { TraderSettingsView, TraderStateView } from '@/lib/server/traders/trader-settings-view'
import { updateTrader } from '@/lib/server/traders/update-trader'
import { updateTraderSettings } from '@/lib/server/traders/update-trader-settings'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'
import { checkedId } from '@/lib/server/validation/id-field'

/** Changes made in the web app are audited as the signed-in person. */
const person = (user: { id: string }): ActorRef => ({ kind: 'USER', id: user.id })

export async function createTraderAction(input: unknown): Promise<ActionResult<{ traderId: string }>> {
  return runAction('create trader', async (user) => {
    const trader = await createTrader({ db: db(), userId: user.id, input })
    return { traderId: trader.id }
  })
}

export async function updateTraderAction(traderId: string, input: unknown): Promise<ActionResult> {
  return runAction('update trader', async (user) => {
    await updateTrader({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), input })
    return null
  })
}

export async function updateTraderSettingsAction(traderId: string, input: unknown): Promise<ActionResult<TraderSettingsView>> {
  return runAction('update trader settings', (user) => updateTraderSettings({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), input }))
}

export async function testTraderConnectionAction(traderId: string, input: unknown): Promise<ActionResult<ConnectionTestResult>> {
  return runAction('test trader connection', (user) => testTraderConnection({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), input }))
}

export async function requestAnalysisAction(traderId: string): Promise<ActionResult<AnalysisRequested>> {
  return runAction('request analysis', (user) => requestAnalysis({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader') }))
}

export async function pauseTraderAction(traderId: string, input: unknown): Promise<ActionResult<TraderStateView>> {
  return runAction('pause trader', (user) => pauseTrader({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), actor: person(user), input }))
}

export async function resumeTraderAction(traderId: string): Promise<ActionResult<TraderStateView>> {
  return runAction('resume trader', (user) => resumeTrader({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), actor: person(user) }))
}
