'use server'

import { db } from '@/lib/db/client'
import { setMarketDataSetting, type MarketDataSetting } from '@/lib/server/settings/market-data-setting'
import { updateUserRiskSettings, type UserRiskSettingsView } from '@/lib/server/settings/user-risk-settings'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'

export async function saveMarketDataSettingAction(input: unknown): Promise<ActionResult<MarketDataSetting>> {
  return runAction('save market data setting', (user) => setMarketDataSetting({ db: db(), user, input }))
}

export async function saveRiskSettingsAction(input: unknown): Promise<ActionResult<UserRiskSettingsView>> {
  return runAction('save risk settings', (user) => updateUserRiskSettings({ db: db(), userId: user.id, input }))
}
