import { Prisma } from '@/lib/generated/prisma/client'
import { LOG_LEVELS, searchTerms, type LogCursor, type LogFilter, type LogKind, type LogLevel } from './log-filter'

/**
 * One source of log lines as SQL: its rows in the log's order (newest first, then by id), with
 * the user's scope, the filters and the keyset condition applied, at most `take` of them. Every
 * source answers the same columns, so the sources are merged with UNION ALL.
 *
 * Each source orders by its own (time, id) so that a (user or scope, time, id) index can serve it
 * directly; nothing is counted or skipped (no OFFSET), so a deep page costs what the first does.
 */
interface Source {
  kind: LogKind
  /** Order among lines with the same time: higher first. */
  rank: number
  /** `alias."createdAt"` and `alias.id` of the source's own table. */
  at: Prisma.Sql
  id: Prisma.Sql
  /** The id as it is compared in a cursor (feed ids are bigint). */
  cursorId: (id: string) => Prisma.Sql
  /** The id as text that sorts like `id` (zero-padded for bigint ids), for the merge. */
  sortId: Prisma.Sql
  level: Prisma.Sql
  type: Prisma.Sql
  message: Prisma.Sql
  traderId: Prisma.Sql
  symbol: Prisma.Sql
  positionId: Prisma.Sql
  detail: Prisma.Sql
  /** FROM … JOIN … WHERE <the user's rows> (or the rows of one `perScope` row). */
  from: (userId: string) => Prisma.Sql
  /**
   * The user's accounts or channels, read one at a time: each one's lines come from its own
   * (scope, time) index, newest first, and the few short lists are merged. A user has a handful
   * of these, so this needs no index by time across every user's rows.
   */
  perScope?: (userId: string) => Prisma.Sql
  /** With a trader filter, FROM … WHERE <the user's rows> read through a (trader, time) index instead of perScope. */
  fromForTrader?: (userId: string) => Prisma.Sql
  /**
   * With a symbol filter: first the newest RECENT_WALK_ROWS lines of every user in the page's
   * window (`recent`, given those time conditions), which holds a page when the user trades the
   * symbol much; if not, the user's positions of that symbol read one at a time like perScope
   * (`scope`), each one's lines through its own (position, time) index (`from`). So the cost is
   * bounded by the user's own lines of that symbol, never by everyone's lines walked newest first
   * until enough are the user's (the whole table, for a symbol the user hardly trades).
   */
  perSymbol?: {
    recent: (userId: string, window: Prisma.Sql) => Prisma.Sql
    scope: (userId: string, f: { symbol: string; traderId?: string }) => Prisma.Sql
    from: Prisma.Sql
  }
  /**
   * The trader filter when the trader is one of two columns: spelt as column equalities (not
   * COALESCE(…) = …) so PostgreSQL estimates it from the columns' statistics, and keeps walking
   * the time index instead of reading every row to sort them.
   */
  traderFilter?: (traderId: string) => Prisma.Sql
  /**
   * The symbol filter when it is not the shown `symbol = …` (a value with a fallback, or worked
   * out of the message): a condition on a stored column that an index can serve.
   */
  symbolFilter?: (symbol: string, userId: string) => Prisma.Sql
  /** The search condition when it is not `message ILIKE` each pattern. */
  search?: (patterns: string[], userId: string) => Prisma.Sql
}

const sql = Prisma.sql
const raw = Prisma.raw

// The audit trail has no level of its own: a transition into FAILED (a position) or REJECTED (an
// order) is an error, everything else is information.
const auditLevel = sql`CASE WHEN pe."toStatus" IN ('FAILED', 'REJECTED') THEN 'error' ELSE 'info' END`

// Entry refusals are recorded as "<symbol>: <reason>" (recordRiskRejection); breaker trips
// concern a whole trader or account and have no symbol.
const riskSymbol = sql`substring(r.message from '^([A-Z0-9]+/[A-Z0-9]+): ')`

/** How many of the newest audit lines (every user's) a symbol filter looks through before reading per position. */
const RECENT_WALK_ROWS = 5000

const SOURCES: Record<LogKind, Source> = {
  activity: {
    kind: 'activity',
    rank: 2,
    at: sql`a."createdAt"`,
    id: sql`a.id`,
    cursorId: (id) => sql`${id}::bigint`,
    sortId: sql`lpad(a.id::text, 20, '0')`,
    level: sql`CASE WHEN a.severity IN ('warning', 'error') THEN a.severity ELSE 'info' END`,
    type: sql`a.type`,
    message: sql`a.message`,
    traderId: sql`COALESCE(a."traderId", p."traderId")`,
    traderFilter: (id) => sql`(a."traderId" = ${id} OR (a."traderId" IS NULL AND p."traderId" = ${id}))`,
    // The feed carries its rows' symbols (written with them), read through
    // (userId, mirrorsPositionEvent, symbol, createdAt, id) with the mirror condition of `from`.
    symbolFilter: (symbol) => sql`a.symbol = ${symbol}`,
    symbol: sql`COALESCE(a.symbol, p.symbol)`,
    positionId: sql`a."positionId"`,
    detail: sql`NULL::text`,
    // Position events are mirrored into the feed (recordPositionEvent, flagged there); they are
    // shown once, as audit lines, with their actor. An equality, so that an index leading with
    // (userId, mirrorsPositionEvent) skips the mirrors instead of walking past them.
    from: (userId) => sql`
      FROM "ActivityEvent" a
      LEFT JOIN "Position" p ON p.id = a."positionId"
      WHERE a."userId" = ${userId} AND a."mirrorsPositionEvent" = false`,
  },
  audit: {
    kind: 'audit',
    rank: 1,
    at: sql`pe."createdAt"`,
    id: sql`pe.id`,
    cursorId: (id) => sql`${id}`,
    sortId: sql`pe.id`,
    level: auditLevel,
    type: sql`pe.type`,
    message: sql`pe.message`,
    traderId: sql`p."traderId"`,
    symbol: sql`p.symbol`,
    positionId: sql`pe."positionId"`,
    detail: sql`concat_ws(' · ', pe.actor::text,
      CASE WHEN pe."fromStatus" IS NOT NULL OR pe."toStatus" IS NOT NULL THEN concat(pe."fromStatus", ' → ', pe."toStatus") END,
      pe.trigger::text)`,
    from: (userId) => sql`
      FROM "PositionEvent" pe
      JOIN "Position" p ON p.id = pe."positionId"
      JOIN "Trader" tr ON tr.id = p."traderId"
      WHERE tr."userId" = ${userId}`,
    perSymbol: {
      recent: (userId, window) => sql`
        FROM (SELECT * FROM "PositionEvent" pe WHERE ${window} ORDER BY pe."createdAt" DESC, pe.id DESC LIMIT ${raw(String(RECENT_WALK_ROWS))}) pe
        JOIN "Position" p ON p.id = pe."positionId"
        JOIN "Trader" tr ON tr.id = p."traderId"
        WHERE tr."userId" = ${userId}`,
      // OFFSET 0 keeps the user's positions a list of their own: merged into the outer query,
      // the positions of every user would be read before the user's traders are joined.
      scope: (userId, f) => sql`(
        SELECT p.id, p."traderId", p.symbol FROM "Position" p JOIN "Trader" tr ON tr.id = p."traderId"
        WHERE tr."userId" = ${userId} AND p.symbol = ${f.symbol} ${f.traderId ? sql`AND p."traderId" = ${f.traderId}` : Prisma.empty} OFFSET 0) p`,
      from: sql`FROM "PositionEvent" pe WHERE pe."positionId" = p.id`,
    },
    // Audit rows have no text index of their own: each has a copy in the feed with the same
    // message (recordPositionEvent), found through the feed's index, and the rows read by id.
    search: (patterns, userId) =>
      sql`pe.id IN (SELECT a."positionEventId" FROM "ActivityEvent" a WHERE a."userId" = ${userId} AND a."mirrorsPositionEvent" AND ${Prisma.join(
        patterns.map((p) => sql`a.message ILIKE ${p}`),
        ' AND ',
      )})`,
  },
  risk: {
    kind: 'risk',
    rank: 3,
    at: sql`r."createdAt"`,
    id: sql`r.id`,
    cursorId: (id) => sql`${id}`,
    sortId: sql`r.id`,
    level: sql`CASE WHEN r.tripped THEN 'error' ELSE 'warning' END`,
    type: sql`r."limit"`,
    message: sql`r.message`,
    traderId: sql`r."traderId"`,
    symbol: riskSymbol,
    // The same test as a message prefix, which PostgreSQL estimates from the column's statistics
    // and the trigram index can answer: a symbol with few lines is found there instead of by
    // reading every line. A filter symbol is [A-Z0-9]+/[A-Z0-9]+ (ZSymbolField), so it holds no
    // LIKE wildcard and "<symbol>: " at the start is exactly what riskSymbol extracts.
    symbolFilter: (symbol) => sql`r.message LIKE ${`${symbol}: %`}`,
    positionId: sql`NULL::text`,
    detail: sql`concat('current ', r."currentValue", ', allowed ', r."allowedValue", ' (', lower(r.source), CASE WHEN r.tripped THEN ', tripped' END, ')')`,
    perScope: (userId) => sql`(SELECT id FROM "ExchangeAccount" WHERE "userId" = ${userId}) ac`,
    from: () => sql`FROM "RiskEvent" r WHERE r."accountId" = ac.id`,
    // Each trader has its own account: walking every account for one trader's lines would read
    // the others' whole history. The (traderId, createdAt) index serves it directly.
    fromForTrader: (userId) => sql`FROM "RiskEvent" r JOIN "ExchangeAccount" ac ON ac.id = r."accountId" WHERE ac."userId" = ${userId}`,
  },
  delivery: {
    kind: 'delivery',
    rank: 4,
    at: sql`d."createdAt"`,
    id: sql`d.id`,
    cursorId: (id) => sql`${id}`,
    sortId: sql`d.id`,
    level: sql`CASE d.status WHEN 'FAILED' THEN 'error' WHEN 'RETRYING' THEN 'warning' ELSE 'info' END`,
    type: sql`d.status`,
    message: sql`concat(c.name, ': ', e.message)`,
    traderId: sql`COALESCE(e."traderId", p."traderId")`,
    traderFilter: (id) => sql`(e."traderId" = ${id} OR (e."traderId" IS NULL AND p."traderId" = ${id}))`,
    // The event's symbol, copied onto the delivery when it is enqueued: read per channel through
    // (channelId, symbol, createdAt, id), never by walking the channel's deliveries for it.
    symbolFilter: (symbol) => sql`d.symbol = ${symbol}`,
    symbol: sql`COALESCE(e.symbol, p.symbol)`,
    positionId: sql`e."positionId"`,
    detail: sql`concat_ws(' · ', d.attempts || CASE WHEN d.attempts = 1 THEN ' attempt' ELSE ' attempts' END, d."lastError")`,
    // A delivery is found by the message of the event it sent: the matching events first (an
    // index on the feed's messages can find them), then their deliveries by (channel, event).
    search: (patterns, userId) =>
      sql`d."eventId" IN (SELECT id FROM "ActivityEvent" WHERE "userId" = ${userId} AND ${Prisma.join(
        patterns.map((p) => sql`message ILIKE ${p}`),
        ' AND ',
      )})`,
    perScope: (userId) => sql`(SELECT id, name FROM "NotificationChannel" WHERE "userId" = ${userId}) c`,
    from: (userId) => sql`
      FROM "NotificationDelivery" d
      LEFT JOIN "ActivityEvent" e ON e.id = d."eventId" AND e."userId" = ${userId}
      LEFT JOIN "Position" p ON p.id = e."positionId"
      WHERE d."channelId" = c.id`,
  },
  // Every request to a webhook of the user's traders (secret redacted): refused ones are warnings,
  // failed ones errors; the message says what the signal asked and what became of it.
  signal: {
    kind: 'signal',
    rank: 5,
    at: sql`sg."receivedAt"`,
    id: sql`sg.id`,
    cursorId: (id) => sql`${id}`,
    sortId: sql`sg.id`,
    level: sql`CASE sg.status WHEN 'FAILED' THEN 'error' WHEN 'REJECTED' THEN 'warning' ELSE 'info' END`,
    type: sql`sg.status::text`,
    message: sql`concat_ws(' ', 'Signal', sg.action, sg.intent, sg.symbol, concat('(HTTP ', sg."httpStatus", ')'), CASE WHEN sg.reason IS NOT NULL THEN concat('— ', sg.reason) END)`,
    traderId: sql`sg."traderId"`,
    symbol: sql`sg.symbol`,
    positionId: sql`sg."positionId"`,
    detail: sql`concat_ws(' · ', CASE WHEN sg."processedAt" IS NOT NULL THEN concat(round(extract(epoch FROM sg."processedAt" - sg."receivedAt") * 1000), ' ms') END, sg."idempotencyKey", sg."remoteAddr")`,
    // The user's signals newest first, through (userId, receivedAt, id).
    from: (userId) => sql`FROM "Signal" sg WHERE sg."userId" = ${userId}`,
  },
}

export const SOURCE_RANK: Record<LogKind, number> = Object.fromEntries(Object.values(SOURCES).map((s) => [s.kind, s.rank])) as Record<LogKind, number>

/** `%`, `_` and `\` in a search term are matched as themselves. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

function levelsFrom(level: LogLevel | undefined): LogLevel[] | null {
  return level ? LOG_LEVELS.slice(LOG_LEVELS.indexOf(level)) : null
}

/** Rows of `source` strictly after `cursor` in the log's order (time desc, rank desc, id desc). */
function afterCursor(s: Source, c: LogCursor): Prisma.Sql {
  const at = sql`${c.at.toISOString()}::timestamp(3)`
  const rank = SOURCES[c.kind].rank
  if (s.rank < rank) return sql`${s.at} <= ${at}`
  if (s.rank > rank) return sql`${s.at} < ${at}`
  return sql`(${s.at}, ${s.id}) < (${at}, ${s.cursorId(c.id)})`
}

type QueryOptions = { userId: string; filter: LogFilter; cursor?: LogCursor; take: number }

/** `notBefore`: the earliest time a line of this source can still be on the page. */
function sourceQuery(s: Source, o: QueryOptions, notBefore?: Prisma.Sql): Prisma.Sql {
  const f = o.filter
  const and: Prisma.Sql[] = []
  const levels = levelsFrom(f.level)
  if (levels && levels.length < LOG_LEVELS.length) and.push(sql`${s.level} IN (${Prisma.join(levels)})`)
  if (f.type) and.push(sql`${s.type} = ${f.type}`)
  if (f.traderId) and.push(s.traderFilter ? s.traderFilter(f.traderId) : sql`${s.traderId} = ${f.traderId}`)
  if (f.symbol) and.push(s.symbolFilter ? s.symbolFilter(f.symbol, o.userId) : sql`${s.symbol} = ${f.symbol}`)
  const patterns = searchTerms(f.q).map(likePattern)
  if (patterns.length) and.push(s.search ? s.search(patterns, o.userId) : Prisma.join(patterns.map((p) => sql`${s.message} ILIKE ${p}`), ' AND '))
  // The conditions on the line's time and id alone: the window of the page.
  const when: Prisma.Sql[] = []
  if (f.from) when.push(sql`${s.at} >= ${f.from.toISOString()}::timestamp(3)`)
  if (f.to) when.push(sql`${s.at} < ${f.to.toISOString()}::timestamp(3)`)
  if (o.cursor) when.push(afterCursor(s, o.cursor))
  if (notBefore) when.push(sql`${s.at} >= ${notBefore}`)
  const conditions = [...and, ...when]
  const take = raw(String(o.take))
  const select = (from: Prisma.Sql) => sql`
    SELECT ${s.kind}::text AS kind, ${raw(String(s.rank))} AS rank, ${s.id}::text AS raw_id, ${s.sortId} AS sort_id, ${s.at} AS at,
      ${s.level} AS level, ${s.type} AS type, ${s.message} AS message, ${s.traderId} AS trader_id, ${s.symbol} AS symbol,
      ${s.positionId} AS position_id, ${s.detail} AS detail
    ${from}
    ${conditions.length ? sql`AND ${Prisma.join(conditions, ' AND ')}` : Prisma.empty}
    ORDER BY ${s.at} DESC, ${s.id} DESC
    LIMIT ${take}`
  // One short list (take rows) per row of `scope`; the source's lines are the first take of them all.
  const perRow = (scope: Prisma.Sql, from: Prisma.Sql) => sql`SELECT x.* FROM ${scope} CROSS JOIN LATERAL (${select(from)}) x ORDER BY x.at DESC, x.sort_id DESC LIMIT ${take}`

  if (f.traderId !== undefined && s.fromForTrader) return select(s.fromForTrader(o.userId))
  if (f.symbol !== undefined && s.perSymbol) {
    const p = s.perSymbol
    // The page is the recent walk's when it found a whole page there (nothing outside the walked
    // rows is newer than they are); otherwise the per-position read's, which runs only then.
    return sql`
      WITH recent AS MATERIALIZED (${select(p.recent(o.userId, when.length ? Prisma.join(when, ' AND ') : sql`TRUE`))})
      SELECT * FROM recent WHERE (SELECT count(*) FROM recent) = ${o.take}
      UNION ALL
      SELECT * FROM (${perRow(p.scope(o.userId, { symbol: f.symbol, traderId: f.traderId }), p.from)}) y WHERE (SELECT count(*) FROM recent) < ${o.take}`
  }
  return s.perScope ? perRow(s.perScope(o.userId), s.from(o.userId)) : select(s.from(o.userId))
}

/** The merged query over the sources `filter.kind` selects: at most `take` lines after `cursor`. */
export function logQuery(o: QueryOptions): Prisma.Sql {
  const kinds = o.filter.kind ? [o.filter.kind] : (Object.keys(SOURCES) as LogKind[])
  // With a symbol filter the audit lines are read first: when they fill a page, no line older than
  // the oldest of them can be on it (at the same time, the other kinds sort first), and the other
  // sources stop reading there.
  const auditFirst = o.filter.symbol !== undefined && kinds.length > 1 && kinds.includes('audit')
  const notBefore = auditFirst ? sql`COALESCE((SELECT CASE WHEN count(*) = ${o.take} THEN min(at) END FROM audit_page), '-infinity')` : undefined
  const branches = kinds.map((k) => (auditFirst && k === 'audit' ? sql`(SELECT * FROM audit_page)` : sql`(${sourceQuery(SOURCES[k], o, notBefore)})`))
  return sql`
    ${auditFirst ? sql`WITH audit_page AS MATERIALIZED (${sourceQuery(SOURCES.audit, o)})` : Prisma.empty}
    SELECT u.kind, u.raw_id, u.at, u.level, u.type, u.message, u.trader_id, t.name AS trader_name, u.symbol, u.position_id, u.detail
    FROM (${Prisma.join(branches, ' UNION ALL ')}) u
    LEFT JOIN "Trader" t ON t.id = u.trader_id
    ORDER BY u.at DESC, u.rank DESC, u.sort_id DESC
    LIMIT ${raw(String(o.take))}`
}
