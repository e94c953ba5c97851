import type { Db, DbTx } from '@/lib/db/client'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { notFound, validationError } from '@/lib/server/errors/app-error'
import { parseSettingsPatch } from '@/lib/server/traders/update-trader-settings'
import { readGroupSettings, storedGroupSettings, ZGroupSettings, type StoredGroupSettings } from './group-settings'

/** What the Signals page and GET …/group-settings show. */
export interface GroupSettingsView {
  traderId: string
  settings: StoredGroupSettings
}

export async function loadGroupSettingsView(db: DbTx, o: { userId: string; traderId: string }): Promise<GroupSettingsView> {
  const t = await db.trader.findFirst({ where: { id: o.traderId, userId: o.userId }, select: { id: true, groupSettings: true } })
  if (!t) throw notFound('trader')
  return { traderId: t.id, settings: storedGroupSettings(readGroupSettings(t.groupSettings)) }
}

/**
 * PATCH of the group settings: the given fields over the current ones, each checked, unknown ones
 * refused by name. Groups already open keep the settings they were created with.
 */
export async function updateGroupSettings(o: { db: Db; userId: string; traderId: string; input: Record<string, unknown> }): Promise<GroupSettingsView> {
  await o.db.$transaction(async (tx) => {
    // The lock orders concurrent edits: each merges over what the previous one committed.
    const [t] = await tx.$queryRaw<{ id: string; name: string; groupSettings: unknown }[]>`SELECT id, name, "groupSettings" FROM "Trader" WHERE id = ${o.traderId} AND "userId" = ${o.userId} FOR UPDATE`
    if (!t) throw notFound('trader')
    const r = parseSettingsPatch({ prefix: 'groups', schema: ZGroupSettings, current: readGroupSettings(t.groupSettings), patch: o.input })
    if (!r.ok) throw validationError(r.errors)
    const stored = storedGroupSettings(r.value)
    await tx.trader.update({ where: { id: t.id }, data: { groupSettings: stored } })
    const what = stored.enabled
      ? `on: ${stored.legs} legs, ${stored.pyramidCapitalQuote} per pyramid, up to ${stored.maxPyramids} pyramids, ${stored.takeProfitMode.toLowerCase().replace('_', '-')} take-profit`
      : 'off'
    await recordActivity(tx, { userId: o.userId, traderId: t.id, type: 'TRADER_SETTINGS_CHANGED', message: `${t.name}: position groups ${what}` })
  })
  return loadGroupSettingsView(o.db, o)
}
