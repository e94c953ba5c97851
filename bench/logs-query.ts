// The logs viewer over 1,000,000 rows: the real listLogs query (four sources merged, keyset
// paging) against a real PostgreSQL, timed for the first page, filtered pages, searches and a
// page deep in the past, with the schema's own indexes.
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { createDb, type Db } from '@/lib/db/client'
import { listLogs } from '@/lib/server/logs/list-logs'
import type { LogCursor, LogFilter } from '@/lib/server/logs/log-filter'
import { withBenchDatabase } from './bench-database'
import { percentile } from './percentile'

/** How the million rows are split; the activity feed holds a mirror of every audit event. */
export const LOG_BENCH_ROWS = { positionEvents: 300_000, mirroredActivity: 300_000, activity: 250_000, riskEvents: 100_000, deliveries: 50_000 }

// What this bench measured led to the schema's indexes: the (scope, time, id) ones the log walks
// newest first (migration 20261130221554: a first page at 5.4 s without them, 12 ms with them),
// then the feed's symbol column with its (userId, symbol, createdAt, id) index and the pg_trgm
// GIN indexes on the messages (migration 20261130234938), which it measured here first by hand;
// then the feed's mirror flag and the deliveries' own symbol (migration 20261201031130): a kind
// filter with a symbol the user trades walked every mirror row of it (activity, 590 ms) or every
// delivery of the channel (delivery, 308 ms).

export interface Seeded {
  userId: string
  otherUserId: string
  traderId: string
  /** An order id that appears in exactly one audit line (and its mirror). */
  rareWord: string
  /** A cursor 95 % of the way back through the user's log. */
  deepCursor: LogCursor
  counts: Record<string, number>
}

/**
 * One busy user (90 % of every table: 4 traders, 9,000 positions over 10 symbols) and one other
 * user (10 %), a year of lines at random times. Deterministic (setseed), one connection.
 */
export async function seedLogBench(url: string, db: Db): Promise<Seeded> {
  const users = [
    await db.user.create({ data: { email: 'bench-logs@example.com', passwordHash: 'x' } }),
    await db.user.create({ data: { email: 'bench-other@example.com', passwordHash: 'x' } }),
  ]
  const traders: { id: string; userId: string; accountId: string }[] = []
  for (const [u, n] of [[users[0]!, 4], [users[1]!, 1]] as const) {
    for (let i = 0; i < n; i++) {
      const account = await db.exchangeAccount.create({ data: { userId: u.id, name: `paper ${i}`, kind: 'PAPER', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001' } })
      const t = await db.trader.create({ data: { userId: u.id, accountId: account.id, name: `Trader ${i}`, quoteCurrency: 'USDT', watchlist: [] } })
      traders.push({ id: t.id, userId: u.id, accountId: account.id })
    }
    await db.notificationChannel.create({ data: { userId: u.id, name: 'Hook', format: 'generic', urlEnc: 'x', urlHint: 'https://hooks.example.com/…' } })
  }
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    const q = (sql: string) => c.query(sql)
    await q('SELECT setseed(0.42)')
    await q(`CREATE TEMP TABLE bench_traders AS SELECT * FROM (VALUES ${traders.map((t, i) => `(${i}, '${t.id}', '${t.userId}', '${t.accountId}')`).join(',')}) v(n, id, user_id, account_id)`)
    // A random millisecond in 2025.
    const when = `timestamp '2025-01-01' + date_trunc('milliseconds', random() * interval '365 days')`
    // 10,000 positions: every 10th is the other user's (trader 4), the rest spread over traders 0-3.
    await q(`INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "updatedAt")
      SELECT 'benchpos' || g, t.id, t.account_id, 'S' || (g % 10) || '/USDT', 'LONG', 'CLOSED', 'MARKET', 1, now()
      FROM generate_series(1, 10000) g JOIN bench_traders t ON t.n = CASE WHEN g % 10 = 0 THEN 4 ELSE g % 4 END`)
    await q(`INSERT INTO "PositionEvent" (id, "positionId", type, actor, message, "toStatus", "createdAt")
      SELECT 'benchpe' || lpad(g::text, 7, '0'), 'benchpos' || (1 + g % 10000),
        (ARRAY['CREATED','STATUS_CHANGED','FILL','ORDER_STATUS','SL_CHANGED','TP_CHANGED'])[1 + g % 6],
        (ARRAY['WORKER','USER','API','SYSTEM'])[1 + g % 4]::"Actor",
        CASE g % 6
          WHEN 0 THEN 'LONG 0.01 by market; stop 59000; take-profits 65000 (100%)'
          WHEN 1 THEN 'Entry order tl-e-' || md5(g::text) || ' sent'
          WHEN 2 THEN 'Filled 0.01 @ 60010 (fee 0.6001 USDT, taker) on entry BUY market order tl-e-' || md5(g::text)
          WHEN 3 THEN 'Entry BUY market order tl-e-' || md5(g::text) || ' filled'
          WHEN 4 THEN 'Stop moved from 59000 to ' || (59000 + g % 900) || ' (trailing 1.5%)'
          ELSE 'Take-profit at ' || (65000 + g % 900) || ' filled' END,
        CASE WHEN g % 97 = 0 THEN 'FAILED' END,
        ${when}
      FROM generate_series(1, ${LOG_BENCH_ROWS.positionEvents}) g`)
    // The feed: a mirror of every audit event plus account events, inserted in time order (ids
    // follow time, as they do when written live). The symbol and the mirror flag as the writers
    // set them: a mirror carries its position's, an approval and an entry refusal the symbol asked for.
    await q(`INSERT INTO "ActivityEvent" ("userId", type, "positionId", "traderId", severity, message, symbol, "mirrorsPositionEvent", "positionEventId", "createdAt")
      SELECT user_id, type, position_id, trader_id, severity, message, symbol, mirror, position_event_id, created_at FROM (
        SELECT t.user_id, pe.type, pe."positionId" AS position_id, NULL AS trader_id, 'info' AS severity, pe.message, p.symbol, true AS mirror, pe.id AS position_event_id, pe."createdAt" AS created_at
        FROM "PositionEvent" pe JOIN "Position" p ON p.id = pe."positionId" JOIN bench_traders t ON t.id = p."traderId"
        UNION ALL
        SELECT t.user_id, k.type, NULL, t.id, k.severity, k.message, CASE WHEN k.type IN ('APPROVAL_NEEDED', 'LIMIT_BREACHED') THEN 'S' || (x.g % 10) || '/USDT' END, false, NULL, x.created_at
        FROM (SELECT g, ${when} AS created_at, CASE WHEN g % 10 = 3 THEN 4 ELSE g % 4 END AS tn FROM generate_series(1, ${LOG_BENCH_ROWS.activity}) g) x
        JOIN bench_traders t ON t.n = x.tn
        CROSS JOIN LATERAL (SELECT * FROM (VALUES
          (0, 'APPROVAL_NEEDED', 'warning', 'Approval needed: LONG 0.01 S' || (x.g % 10) || '/USDT at market (expires in 15 min)'),
          (1, 'LIMIT_BREACHED', 'warning', 'S' || (x.g % 10) || '/USDT entry refused (ai): max open positions reached (3 of 3)'),
          (2, 'DECISION_FAILED', 'error', 'Trader ' || x.tn || ': provider timeout after 30 s'),
          (3, 'BREAKER_TRIPPED', 'error', 'Trader ' || x.tn || ': consecutive-loss circuit breaker tripped after 4 losses'),
          (4, 'TRADER_SETTINGS_CHANGED', 'info', 'Trader ' || x.tn || ' settings changed: sizing'),
          (5, 'RISK_SETTINGS_CHANGED', 'info', 'Risk settings changed: maxDailyLoss')
        ) v(k, type, severity, message) WHERE v.k = CASE WHEN x.g % 100 = 0 THEN 3 WHEN x.g % 20 = 0 THEN 2 WHEN x.g % 7 = 0 THEN 1 WHEN x.g % 5 = 0 THEN 0 WHEN x.g % 2 = 0 THEN 4 ELSE 5 END) k
      ) rows ORDER BY created_at`)
    await q(`INSERT INTO "RiskEvent" (id, "accountId", "traderId", "limit", "currentValue", "allowedValue", message, source, tripped, "createdAt")
      SELECT 'benchre' || g, t.account_id, t.id, (ARRAY['maxOpenPositions','maxPositionSize','dailyLoss','consecutiveLosses'])[1 + g % 4], '4', '3',
        'S' || (g / 10 % 10) || '/USDT: ' || (ARRAY['max open positions reached','position size above the limit','daily loss limit reached','4 losses in a row'])[1 + g % 4],
        CASE WHEN g % 4 = 3 THEN 'BREAKER' ELSE 'AI' END, g % 50 = 0, ${when}
      FROM generate_series(1, ${LOG_BENCH_ROWS.riskEvents}) g JOIN bench_traders t ON t.n = CASE WHEN g % 10 = 3 THEN 4 ELSE g % 4 END`)
    // Each delivery with its event's symbol, as enqueueChannelDeliveries writes it.
    await q(`INSERT INTO "NotificationDelivery" (id, "channelId", "eventId", symbol, status, attempts, "lastError", "createdAt")
      SELECT 'benchnd' || a.id, ch.id, a.id, a.symbol,
        CASE WHEN a.id % 33 = 0 THEN 'FAILED' WHEN a.id % 50 = 0 THEN 'RETRYING' ELSE 'DELIVERED' END,
        CASE WHEN a.id % 33 = 0 THEN 5 ELSE 1 END, CASE WHEN a.id % 33 = 0 THEN 'HTTP 502 from the receiver' END,
        a."createdAt" + interval '1 second'
      FROM (SELECT id, "userId", symbol, "createdAt" FROM "ActivityEvent" WHERE "positionId" IS NULL ORDER BY random() LIMIT ${LOG_BENCH_ROWS.deliveries}) a
      JOIN "NotificationChannel" ch ON ch."userId" = a."userId"`)
    await q('ANALYZE')
    const counts: Record<string, number> = {}
    for (const table of ['PositionEvent', 'ActivityEvent', 'RiskEvent', 'NotificationDelivery']) {
      counts[table] = Number((await q(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n)
    }
    const userId = users[0]!.id
    const rare = (await q(`SELECT message FROM "PositionEvent" WHERE id = 'benchpe0123457'`)).rows[0].message as string
    // The bench's deep cursor (not a query of the viewer): the line 95 % of the way back in time.
    const deep = (
      await q(`SELECT a.id::text, a."createdAt" FROM "ActivityEvent" a,
          (SELECT percentile_disc(0.05) WITHIN GROUP (ORDER BY "createdAt") AS t FROM "ActivityEvent" WHERE "userId" = '${userId}') p
        WHERE a."userId" = '${userId}' AND a."createdAt" >= p.t ORDER BY a."createdAt", a.id LIMIT 1`)
    ).rows[0]
    return {
      userId,
      otherUserId: users[1]!.id,
      traderId: traders[1]!.id,
      rareWord: /tl-e-[0-9a-f]{32}/.exec(rare)![0],
      deepCursor: { at: deep.createdAt as Date, kind: 'activity', id: deep.id as string },
      counts,
    }
  } finally {
    await c.end()
  }
}

async function time(db: Db, userId: string, filter: LogFilter, cursor: LogCursor | undefined, runs: number) {
  let lines = 0
  for (let i = 0; i < 2; i++) lines = (await listLogs({ db, userId, filter, cursor, limit: 50 })).logs.length
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await listLogs({ db, userId, filter, cursor, limit: 50 })
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return { lines, p50: percentile(ms, 50).toFixed(1), p99: percentile(ms, 99).toFixed(1) }
}

export async function benchLogs(runs = 20) {
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    try {
      const t0 = performance.now()
      const s = await seedLogBench(url, db)
      const seedSeconds = ((performance.now() - t0) / 1000).toFixed(0)
      const cases: [string, LogFilter, LogCursor | undefined, string?][] = [
        ['first page', {}, undefined],
        ['first page of the other user (10 % of the rows)', {}, undefined, s.otherUserId],
        ['filtered: level=error', { level: 'error' }, undefined],
        ['filtered: trader', { traderId: s.traderId }, undefined],
        ['filtered: trader + symbol', { traderId: s.traderId, symbol: 'S3/USDT' }, undefined],
        ['filtered: symbol', { symbol: 'S3/USDT' }, undefined],
        // Only the other user trades S0 (every 10th position): the busy user has its approvals, no position.
        ['filtered: symbol the user has no position in', { symbol: 'S0/USDT' }, undefined],
        ['filtered: kind=audit, last 7 days', { kind: 'audit', from: new Date('2025-12-25T00:00:00Z') }, undefined],
        ['filtered: kind=activity + symbol', { kind: 'activity', symbol: 'S3/USDT' }, undefined],
        ['filtered: kind=delivery + symbol', { kind: 'delivery', symbol: 'S3/USDT' }, undefined],
        ['search: common word ("timeout")', { q: 'timeout' }, undefined],
        ['search: one order id (1 line: its feed copy is not shown)', { q: s.rareWord }, undefined],
        ['deep page (95 % back)', {}, s.deepCursor],
      ]
      const rows: Record<string, string | number>[] = []
      for (const [name, filter, cursor, userId] of cases) rows.push({ query: name, ...(await time(db, userId ?? s.userId, filter, cursor, runs)) })
      return { seedSeconds, counts: s.counts, total: Object.values(s.counts).reduce((a, b) => a + b, 0), rows }
    } finally {
      await db.$disconnect()
    }
  })
}
