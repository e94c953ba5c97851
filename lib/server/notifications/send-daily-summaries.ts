import type { Db, DbTx } from '@/lib/db/client'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import { dailySummary, dailySummaryMessage } from '@/lib/domain/notifications/daily-summary'
import { dueSummary, effectiveZone, localLabel, type DueSummary } from '@/lib/domain/notifications/daily-summary-schedule'
import { recordActivity } from '@/lib/server/activity/record-activity'

/**
 * Sends each user's daily summary once their local time reaches their chosen time, once per local
 * day. The day is claimed by a conditional UPDATE in the same transaction as the activity event:
 * two workers (or a restart mid-pass) cannot both claim it, and a failure before commit leaves it
 * unclaimed for the next pass. Channels pick the event up like any other notifiable one.
 * Returns how many summaries were sent.
 */
export async function sendDailySummaries(opts: { db: Db; now?: Date; onFailure?: (userId: string, e: Error) => void }): Promise<number> {
  const nowMs = (opts.now ?? new Date()).getTime()
  const users = await opts.db.user.findMany({
    where: { dailySummaryAt: { not: null } },
    select: { id: true, timeZone: true, dailySummaryAt: true, dailySummarySentOn: true },
    orderBy: { id: 'asc' },
  })
  let sent = 0
  for (const u of users) {
    // Each user's summary fails alone (a time stored in a shape the API never writes, say): the others still go out.
    const claimed = await sendOne(opts.db, u, nowMs).catch((e: Error) => {
      opts.onFailure?.(u.id, e)
      return false
    })
    if (claimed) sent += 1
  }
  return sent
}

async function sendOne(db: Db, u: { id: string; timeZone: string; dailySummaryAt: string | null; dailySummarySentOn: string | null }, nowMs: number): Promise<boolean> {
  const due = dueSummary({ nowMs, timeZone: u.timeZone, at: u.dailySummaryAt!, sentOn: u.dailySummarySentOn })
  if (!due) return false
  return db.$transaction(async (tx) => {
    const n = await tx.$executeRaw`
      UPDATE "User" SET "dailySummarySentOn" = ${due.day}
      WHERE id = ${u.id} AND "dailySummaryAt" IS NOT NULL
        AND ("dailySummarySentOn" IS NULL OR "dailySummarySentOn" < ${due.day})`
    if (n === 0) return false
    await recordActivity(tx, { userId: u.id, type: 'DAILY_SUMMARY', severity: 'info', message: await summaryMessage(tx, u.id, u.timeZone, due) })
    return true
  })
}

async function summaryMessage(tx: DbTx, userId: string, timeZone: string, due: DueSummary): Promise<string> {
  const account = { select: { mode: true, quoteCurrency: true } }
  const [closed, open] = await Promise.all([
    tx.position.findMany({
      where: { status: 'CLOSED', trader: { userId }, closedAt: { gte: new Date(due.fromMs), lt: new Date(due.toMs) } },
      select: { realizedPnl: true, fees: true, account },
    }),
    tx.position.findMany({
      where: { status: { in: ['SUBMITTING', 'OPEN', 'MONITORING', 'CLOSING'] }, trader: { userId }, openQty: { gt: 0 } },
      select: { side: true, avgEntryPrice: true, openQty: true, stopLoss: true, account },
    }),
  ])
  const groups = dailySummary(
    closed.map((p) => ({ mode: p.account.mode, currency: p.account.quoteCurrency, pnl: fromDb(p.realizedPnl), fees: fromDb(p.fees) })),
    open.map((p) => ({
      mode: p.account.mode,
      currency: p.account.quoteCurrency,
      side: p.side,
      avgEntryPrice: fromDb(p.avgEntryPrice),
      openQty: fromDb(p.openQty),
      stopLoss: fromDbOrNull(p.stopLoss),
    })),
  )
  const zone = effectiveZone(timeZone)
  return dailySummaryMessage(groups, { from: localLabel(due.fromMs, zone), to: localLabel(due.toMs, zone), timeZone: zone })
}
