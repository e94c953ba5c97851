'use client'

import { saveRiskSettingsAction } from '@/app/(app)/settings/actions'
import { riskLimitSpecs } from '@/components/traders/risk-limits-form'
import { SettingsForm, type SettingSpec } from '@/components/traders/settings-form'
import type { UserRiskSettingsView } from '@/lib/server/settings/user-risk-settings'

const TIME_ZONE: SettingSpec = {
  path: 'timeZone',
  label: 'Time zone',
  kind: 'text',
  placeholder: 'UTC',
  hint: 'IANA name such as Europe/Berlin or America/New_York. Daily limits and LLM budgets reset at midnight here.',
}

/** The user's time zone and the limits across their traders, per account mode and quote currency (blank = off). */
export function RiskSettingsForm({ settings, defaults }: { settings: UserRiskSettingsView; defaults: UserRiskSettingsView['limits'] }) {
  return (
    <SettingsForm
      label="User-wide risk settings"
      submitLabel="Save risk settings"
      idPrefix="user"
      specs={[TIME_ZONE, ...riskLimitSpecs('limits', 'quote')]}
      values={settings}
      defaults={{ limits: defaults }}
      save={saveRiskSettingsAction}
    />
  )
}
