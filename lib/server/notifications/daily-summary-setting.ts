import { z } from 'zod'
import type { Db, DbTx } from '@/lib/db/client'
import { LOCAL_TIME_PATTERN } from '@/lib/domain/notifications/daily-summary-schedule'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { notFound } from '@/lib/server/errors/app-error'
import { parseRequest } from '@/lib/server/traders/update-trader-settings'

export interface NotificationSettingsView {
  /** Local time "HH:MM" (in timeZone) the daily summary goes out at; null = no summary. */
  dailySummaryAt: string | null
  /** The user's IANA zone (changed with the risk settings). */
  timeZone: string
  /** The local day the last summary was sent for, 'YYYY-MM-DD'. */
  dailySummarySentOn: string | null
}

/** PATCH body of the notification settings: dailySummaryAt "HH:MM" (00:00–23:59), or null to turn it off. */
export const ZUpdateNotificationSettingsRequest = z.strictObject({
  dailySummaryAt: z.string({ error: 'must be a time HH:MM or null' }).regex(LOCAL_TIME_PATTERN, 'must be a time HH:MM from 00:00 to 23:59').nullable(),
})

const select = { dailySummaryAt: true, timeZone: true, dailySummarySentOn: true } as const

export async function getNotificationSettings(db: DbTx, userId: string): Promise<NotificationSettingsView> {
  const u = await db.user.findUnique({ where: { id: userId }, select })
  if (!u) throw notFound('user')
  return u
}

/** Sets or clears the daily summary time. The day already sent stays sent: a new time does not repeat it. */
export async function updateNotificationSettings(opts: { db: Db; userId: string; input: unknown }): Promise<NotificationSettingsView> {
  const input = parseRequest(ZUpdateNotificationSettingsRequest, opts.input)
  return opts.db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: opts.userId }, select: { dailySummaryAt: true } })
    if (!before) throw notFound('user')
    const u = await tx.user.update({ where: { id: opts.userId }, data: { dailySummaryAt: input.dailySummaryAt }, select })
    if (before.dailySummaryAt !== input.dailySummaryAt) {
      const what = input.dailySummaryAt ? `daily summary at ${input.dailySummaryAt} (${u.timeZone})` : 'daily summary off'
      await recordActivity(tx, { userId: opts.userId, type: 'NOTIFICATION_SETTINGS_CHANGED', message: `Notification settings changed: ${what}` })
    }
    return u
  })
}
