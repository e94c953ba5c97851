import type { DbTx } from '@/lib/db/client'
import { accountSummaries, listPositions, recentActivity } from '@/lib/server/positions/position-views'

/** Everything the dashboard shows except market status: the page's first render and its refetches. */
export async function loadDashboard(db: DbTx, userId: string) {
  const [positions, accounts, activity] = await Promise.all([
    listPositions(db, userId, { state: 'active' }),
    accountSummaries(db, userId),
    recentActivity(db, userId),
  ])
  return { positions, accounts, activity }
}

export type DashboardData = Awaited<ReturnType<typeof loadDashboard>>
