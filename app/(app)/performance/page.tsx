import { PerformanceView } from '@/components/performance/performance-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { decisionPerformance } from '@/lib/server/decisions/decision-performance'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Performance' }

export default async function PerformancePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser()
  const raw = (await searchParams).traderId
  const traders = await db().trader.findMany({ where: { userId: user.id }, select: { id: true, name: true }, orderBy: { createdAt: 'asc' } })
  const traderId = typeof raw === 'string' && traders.some((t) => t.id === raw) ? raw : undefined
  const data = await decisionPerformance({ db: db(), userId: user.id, traderId })
  return <PerformanceView initial={data} initialTraderId={traderId} traders={traders} />
}
