import type { DbTx } from '@/lib/db/client'
import { encodeLogCursor, type LogCursor, type LogFilter, type LogKind, type LogLevel } from './log-filter'
import { logQuery } from './log-sources'

/** One line of the logs viewer as it leaves the server. */
export interface LogEntry {
  /** `<kind>:<id of the source row>`, unique across the log. */
  id: string
  kind: LogKind
  level: LogLevel
  /** The source's own type: the activity or audit event type, the risk limit, the delivery status. */
  type: string
  message: string
  /** Actor and status change (audit), values (risk), attempts and last error (delivery). */
  detail: string | null
  traderId: string | null
  traderName: string | null
  symbol: string | null
  positionId: string | null
  /** ISO 8601, UTC. */
  at: string
}

interface LogRow {
  kind: LogKind
  raw_id: string
  at: Date
  level: LogLevel
  type: string
  message: string | null
  trader_id: string | null
  trader_name: string | null
  symbol: string | null
  position_id: string | null
  detail: string | null
}

function toEntry(r: LogRow): LogEntry {
  return {
    id: `${r.kind}:${r.raw_id}`,
    kind: r.kind,
    level: r.level,
    type: r.type,
    message: r.message ?? '',
    detail: r.detail || null,
    traderId: r.trader_id,
    traderName: r.trader_name,
    symbol: r.symbol,
    positionId: r.position_id,
    at: r.at.toISOString(),
  }
}

async function readPage(db: DbTx, userId: string, filter: LogFilter, cursor: LogCursor | undefined, limit: number) {
  const rows = await db.$queryRaw<LogRow[]>(logQuery({ userId, filter, cursor, take: limit + 1 }))
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  const next = rows.length > limit && last ? { at: last.at, kind: last.kind, id: last.raw_id } : null
  return { entries: page.map(toEntry), next }
}

/**
 * The user's log (activity, audit trail, risk events, notification deliveries), newest first, a
 * page at a time: pass `nextCursor` back as `cursor` for the next, older page. Only the user's
 * own rows are ever read; a filter naming someone else's trader simply matches nothing.
 */
export async function listLogs(opts: {
  db: DbTx
  userId: string
  filter?: LogFilter
  cursor?: LogCursor
  limit?: number
}): Promise<{ logs: LogEntry[]; nextCursor: string | null }> {
  const { entries, next } = await readPage(opts.db, opts.userId, opts.filter ?? {}, opts.cursor, opts.limit ?? 50)
  return { logs: entries, nextCursor: next ? encodeLogCursor(next) : null }
}

/** Every matching line, newest first, read a page at a time (for exports of any size). */
export async function* allLogs(opts: { db: DbTx; userId: string; filter: LogFilter; pageSize?: number }): AsyncGenerator<LogEntry> {
  let cursor: LogCursor | undefined
  for (;;) {
    const { entries, next } = await readPage(opts.db, opts.userId, opts.filter, cursor, opts.pageSize ?? 1000)
    yield* entries
    if (!next) return
    cursor = next
  }
}

/** What the logs page's filters offer: the user's traders and the symbols they trade or watch. */
export async function logFilterOptions(db: DbTx, userId: string): Promise<{ traders: { id: string; name: string }[]; symbols: string[] }> {
  const traders = await db.trader.findMany({ where: { userId }, select: { id: true, name: true, watchlist: true }, orderBy: { createdAt: 'asc' } })
  const traded = await db.position.groupBy({ by: ['symbol'], where: { trader: { userId } } })
  const symbols = [...new Set([...traders.flatMap((t) => t.watchlist), ...traded.map((p) => p.symbol)])].sort()
  return { traders: traders.map((t) => ({ id: t.id, name: t.name })), symbols }
}
