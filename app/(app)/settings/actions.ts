'use server'

import { cookies, headers } from 'next/headers'
import { db } from '@/lib/db/client'
import { createApiToken, listApiTokens, revokeUserApiToken, type ApiTokenView } from '@/lib/server/auth/api-tokens'
import { changePassword } from '@/lib/server/auth/change-password'
import { SECURE_SESSION_COOKIE_NAME, sessionCookieFor } from '@/lib/server/auth/session-cookie'
import { clientAddress } from '@/lib/server/http/client-address'
import { setMarketDataSetting, type MarketDataSetting } from '@/lib/server/settings/market-data-setting'
import { updateNotificationSettings, type NotificationSettingsView } from '@/lib/server/notifications/daily-summary-setting'
import { updateUserRiskSettings, type UserRiskSettingsView } from '@/lib/server/settings/user-risk-settings'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'
import { checkedId } from '@/lib/server/validation/id-field'

export async function saveMarketDataSettingAction(input: unknown): Promise<ActionResult<MarketDataSetting>> {
  return runAction('save market data setting', (user) => setMarketDataSetting({ db: db(), user, input }))
}

export async function saveRiskSettingsAction(input: unknown): Promise<ActionResult<UserRiskSettingsView>> {
  return runAction('save risk settings', (user) => updateUserRiskSettings({ db: db(), userId: user.id, input }))
}

export async function saveNotificationSettingsAction(input: unknown): Promise<ActionResult<NotificationSettingsView>> {
  return runAction('save notification settings', (user) => updateNotificationSettings({ db: db(), userId: user.id, input }))
}

// ---- Your account: API tokens and password ----

/** A token as the Settings list shows it (dates as ISO strings for the client component). */
export interface ApiTokenRow {
  id: string
  name: string
  prefix: string
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  revokedAt: string | null
  status: 'active' | 'expired' | 'revoked'
}

function tokenRow(t: ApiTokenView): ApiTokenRow {
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  return { ...t, createdAt: t.createdAt.toISOString(), lastUsedAt: iso(t.lastUsedAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt) }
}

/** Creates a token; the plaintext is in this answer only and never shown again. */
export async function createApiTokenAction(input: unknown): Promise<ActionResult<{ token: string; row: ApiTokenRow }>> {
  return runAction('create API token', async (user) => {
    const issued = await createApiToken({ db: db(), userId: user.id, input })
    return { token: issued.token, row: tokenRow({ ...issued, lastUsedAt: null, revokedAt: null, status: 'active' }) }
  })
}

export async function listApiTokensAction(): Promise<ActionResult<ApiTokenRow[]>> {
  return runAction('list API tokens', async (user) => (await listApiTokens({ db: db(), userId: user.id })).map(tokenRow))
}

export async function revokeApiTokenAction(tokenId: string): Promise<ActionResult<null>> {
  return runAction('revoke API token', async (user) => {
    await revokeUserApiToken({ db: db(), userId: user.id, tokenId: checkedId(tokenId, 'API token') })
    return null
  })
}

/**
 * Changes the password. Every other session ends and every API token is revoked; this browser
 * gets a new session cookie (under the new session version) so it stays signed in.
 */
export async function changePasswordAction(input: unknown): Promise<ActionResult<{ revokedApiTokens: number }>> {
  return runAction('change password', async (user) => {
    const requestHeaders = await headers()
    const changed = await changePassword({ db: db(), userId: user.id, input, address: clientAddress(requestHeaders) })
    const jar = await cookies()
    const cookie = await sessionCookieFor(changed.user, changed.sessionVersion, jar.has(SECURE_SESSION_COOKIE_NAME))
    jar.set(cookie.name, cookie.value, cookie.options)
    return { revokedApiTokens: changed.revokedApiTokens }
  })
}
