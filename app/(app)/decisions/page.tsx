import { DecisionJournal } from '@/components/decisions/decision-journal'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { decisionFilterOptions, listDecisions, ZListDecisionsQuery, type DecisionFilter } from '@/lib/server/decisions/list-decisions'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Decisions' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>

/** Filters from the URL; one that does not parse is dropped rather than failing the page. */
function readFilter(params: Record<string, string | string[] | undefined>): Partial<DecisionFilter> {
  const out: Partial<Record<'traderId' | 'positionId' | 'symbol' | 'action' | 'outcome', unknown>> = {}
  for (const key of ['traderId', 'positionId', 'symbol', 'action', 'outcome'] as const) {
    const raw = params[key]
    const value = Array.isArray(raw) ? raw[0] : raw
    if (!value) continue
    const parsed = ZListDecisionsQuery.shape[key].safeParse(value)
    if (parsed.success && parsed.data) out[key] = parsed.data
  }
  return out as Partial<DecisionFilter>
}

export default async function DecisionsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePageUser()
  const filter = readFilter(await searchParams)
  const [page, options] = await Promise.all([
    listDecisions({ db: db(), userId: user.id, filter: { ...filter, limit: 50 } }),
    decisionFilterOptions(db(), user.id),
  ])
  return <DecisionJournal initial={page} initialFilter={filter} traders={options.traders} symbols={options.symbols} />
}
