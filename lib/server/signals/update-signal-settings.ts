import type { Db, DbTx } from '@/lib/db/client'
import { parseSettingsPatch } from '@/lib/server/traders/update-trader-settings'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { notFound, validationError } from '@/lib/server/errors/app-error'
import { webhookPath } from './webhook-secret'
import { readSignalSettings, storedSignalSettings, ZSignalSettings, type StoredSignalSettings } from './signal-settings'

/** What the Signals page and GET …/signal-settings show: the settings, and the secret only as set or not with its hint. */
export interface SignalSettingsView {
  traderId: string
  settings: StoredSignalSettings
  webhookPath: string
  secret: { set: boolean; hint: string | null; createdAt: string | null }
}

export async function loadSignalSettingsView(db: DbTx, o: { userId: string; traderId: string }): Promise<SignalSettingsView> {
  const t = await db.trader.findFirst({ where: { id: o.traderId, userId: o.userId }, select: { id: true, signalSettings: true, webhookSecretEnc: true, webhookSecretHint: true, webhookSecretAt: true } })
  if (!t) throw notFound('trader')
  return {
    traderId: t.id,
    settings: storedSignalSettings(readSignalSettings(t.signalSettings)),
    webhookPath: webhookPath(t.id),
    secret: { set: !!t.webhookSecretEnc, hint: t.webhookSecretEnc ? t.webhookSecretHint : null, createdAt: t.webhookSecretAt?.toISOString() ?? null },
  }
}

/** PATCH of the signal settings: the given fields over the current ones, each checked, unknown ones refused by name. */
export async function updateSignalSettings(o: { db: Db; userId: string; traderId: string; input: Record<string, unknown> }): Promise<SignalSettingsView> {
  await o.db.$transaction(async (tx) => {
    // The lock orders concurrent edits: each merges over what the previous one committed.
    await tx.$queryRaw`SELECT id FROM "Trader" WHERE id = ${o.traderId} AND "userId" = ${o.userId} FOR UPDATE`
    const t = await tx.trader.findFirst({ where: { id: o.traderId, userId: o.userId }, select: { id: true, name: true, signalSettings: true } })
    if (!t) throw notFound('trader')
    const r = parseSettingsPatch({ prefix: 'signals', schema: ZSignalSettings, current: readSignalSettings(t.signalSettings), patch: o.input })
    if (!r.ok) throw validationError(r.errors)
    const stored = storedSignalSettings(r.value)
    await tx.trader.update({ where: { id: t.id }, data: { signalSettings: stored } })
    await recordActivity(tx, { userId: o.userId, traderId: t.id, type: 'TRADER_SETTINGS_CHANGED', message: `${t.name}: signal settings changed (max lag ${stored.maxLagSeconds} s, max price deviation ${stored.maxPriceDeviationPct}%)` })
  })
  return loadSignalSettingsView(o.db, o)
}
