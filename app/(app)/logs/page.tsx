import { LogsViewer, type LogsFilter } from '@/components/logs/logs-viewer'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { listLogs, logFilterOptions } from '@/lib/server/logs/list-logs'
import { ZLogFilterFields, type LogFilter } from '@/lib/server/logs/log-filter'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Logs' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>

/** Filters from the URL; one that does not parse is dropped rather than failing the page. */
function readFilter(params: Record<string, string | string[] | undefined>): LogFilter {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(ZLogFilterFields) as (keyof typeof ZLogFilterFields)[]) {
    const raw = params[key]
    const value = Array.isArray(raw) ? raw[0] : raw
    if (!value) continue
    const parsed = ZLogFilterFields[key].safeParse(value)
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data
  }
  // A range that ends before it starts keeps its start only.
  if (out.from && out.to && (out.from as Date) >= (out.to as Date)) delete out.to
  return out as LogFilter
}

/** The same filter as the URL carries it (times as ISO strings). */
function asStrings(f: LogFilter): LogsFilter {
  return { ...f, from: f.from?.toISOString(), to: f.to?.toISOString() }
}

export default async function LogsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePageUser()
  const filter = readFilter(await searchParams)
  const [page, options] = await Promise.all([listLogs({ db: db(), userId: user.id, filter, limit: 50 }), logFilterOptions(db(), user.id)])
  return <LogsViewer initial={page} initialFilter={asStrings(filter)} traders={options.traders} symbols={options.symbols} />
}
