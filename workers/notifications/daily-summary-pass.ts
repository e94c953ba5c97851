import type { Db } from '@/lib/db/client'
import { sendDailySummaries } from '@/lib/server/notifications/send-daily-summaries'
import { PeriodicPass } from '@/workers/periodic-pass'

/** Sends the users' daily summaries that are due; a pass every minute (the setting's resolution). */
export function dailySummaryPass(db: Db, log: (m: string) => void, opts: { intervalMs?: number } = {}): PeriodicPass {
  return new PeriodicPass(
    async () => {
      const n = await sendDailySummaries({ db, onFailure: (userId, e) => log(`daily summaries: user ${userId}'s failed: ${e.message}`) })
      if (n) log(`daily summaries: ${n} sent`)
    },
    { intervalMs: opts.intervalMs ?? 60_000, onError: (e) => log(`daily summaries: pass failed: ${e.message}`) },
  )
}
