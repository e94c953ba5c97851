import { PerformanceView } from '@/components/performance/performance-view'
import { UnknownTimeZoneNotice } from '@/components/settings/unknown-time-zone-notice'
import { db } from '@/lib/db/client'
import { isValidTimeZone } from '@/lib/domain/risk/trading-day'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { ZPerformanceQuery } from '@/lib/server/performance/performance-query'
import { performanceReport } from '@/lib/server/performance/performance-report'
import { apiQuery, filtersFromSearchParams } from '@/lib/ui/performance-filters'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Performance' }

export default async function PerformancePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser()
  const [traders, settings] = await Promise.all([
    db().trader.findMany({ where: { userId: user.id }, select: { id: true, name: true, account: { select: { mode: true } } }, orderBy: { createdAt: 'asc' } }),
    db().user.findUniqueOrThrow({ where: { id: user.id }, select: { timeZone: true } }),
  ])
  // Its days count in the user's zone; a lost one is said here rather than failing the page.
  if (!isValidTimeZone(settings.timeZone)) {
    return (
      <div className="space-y-4">
        <h1 className="text-lg font-semibold">Performance</h1>
        <UnknownTimeZoneNotice timeZone={settings.timeZone} linkToSettings />
      </div>
    )
  }
  let filters = filtersFromSearchParams(await searchParams)
  let query = apiQuery(filters, settings.timeZone, Date.now())
  let parsed = ZPerformanceQuery.safeParse(Object.fromEntries(new URLSearchParams(query)))
  // A hand-edited URL the API would refuse (a symbol that is not one, from after to): start over.
  if (!parsed.success) {
    filters = filtersFromSearchParams({})
    query = apiQuery(filters, settings.timeZone, Date.now())
    parsed = ZPerformanceQuery.safeParse(Object.fromEntries(new URLSearchParams(query)))
  }
  const report = await performanceReport({ db: db(), userId: user.id, query: parsed.data! })
  return (
    <PerformanceView
      initial={report}
      initialFilters={filters}
      initialQuery={query}
      traders={traders.map((t) => ({ id: t.id, name: t.name, mode: t.account.mode }))}
    />
  )
}
