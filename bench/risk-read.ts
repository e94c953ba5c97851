// An entry's risk read (loadTraderAndUserRiskState: the trader's state and its book's) as the
// user's book grows, on the SQL path the entry takes (prepared statements on the pool), against a
// real PostgreSQL. Each trader holds one open position and 50 closed ones of history. Also the
// worker's loss-breaker pass over all of the user's traders (tripBreakers), which runs every heartbeat.
import { performance } from 'node:perf_hooks'
import { createDb, poolOf } from '@/lib/db/client'
import { withSqlTransaction, type SqlTx } from '@/lib/db/sql-tx'
import { dec } from '@/lib/domain/decimal'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { loadTraderAndUserRiskState } from '@/lib/server/risk/load-risk-state'
import { tripBreakers } from '@/lib/server/risk/trip-breakers'
import { createTrader } from '@/lib/server/traders/create-trader'
import { withBenchDatabase } from './bench-database'
import { percentile } from './percentile'

const CLOSED_PER_TRADER = 50

export async function benchRiskRead(sizes: number[], reads: number) {
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    try {
      await saveMarketRules(db, { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: dec('0.01'), stepSize: dec('0.00001'), minQty: dec('0.00001'), minNotional: dec('5') }, 'bench')
      const now = Date.now()
      await saveQuotes(db, [{ symbol: 'BTC/USDT', bid: dec('60000'), ask: dec('60000.01'), last: dec('60000'), bids: [], asks: [], exchangeTs: now, receivedAt: now }], 'bench')
      const userId = (await db.user.create({ data: { email: 'risk-read@example.com', passwordHash: 'x' } })).id
      const traders: string[] = []
      const rows = []
      for (const size of sizes) {
        while (traders.length < size) {
          const t = await createTrader({ db, userId, input: { name: `t${traders.length}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
          traders.push(t.id)
          await db.$executeRaw`
            INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "openQty", "entryQty", "avgEntryPrice", "realizedPnl", "closedAt", "createdAt", "updatedAt")
            SELECT ${t.id} || '-' || g, ${t.id}, ${t.accountId}, 'BTC/USDT', 'LONG', CASE WHEN g = 0 THEN 'MONITORING' ELSE 'CLOSED' END::"PositionStatus", 'MARKET', 0.01,
              CASE WHEN g = 0 THEN 0.01 ELSE 0 END, 0.01, 59000, CASE WHEN g = 0 THEN 0 ELSE 1 END,
              CASE WHEN g = 0 THEN NULL ELSE now() - g * interval '1 hour' END, now() - g * interval '1 hour' - interval '1 minute', now()
            FROM generate_series(0, ${CLOSED_PER_TRADER}) g`
          // Written directly, so its running totals are too, as closing them would have.
          await db.$executeRaw`
            UPDATE "TraderTotals" SET "closedRealizedPnl" = ${CLOSED_PER_TRADER}, "lastClosedAt" = (SELECT max("closedAt") FROM "Position" WHERE "traderId" = ${t.id})
            WHERE "traderId" = ${t.id}`
        }
        // As autovacuum would have by now: the plans are made with the tables' real sizes.
        await db.$executeRawUnsafe('ANALYZE')
        const times: number[] = []
        let positionRows = 0
        for (let i = 0; i < reads; i++) {
          const traderId = traders[i % traders.length]!
          await withSqlTransaction(poolOf(db), async (tx) => {
            // Read before and after within the transaction: the counts include the connection's earlier
            // transactions until it reports them (when idle), so only the difference is this read's.
            const before = i === reads - 1 ? await positionRowsRead(tx) : 0
            const t0 = performance.now()
            await loadTraderAndUserRiskState(tx, { userId, traderId, timeZone: 'UTC', now: Date.now(), trader: { pnlPeak: dec(0) }, user: { pnlPeak: dec(0) } })
            times.push(performance.now() - t0)
            if (i === reads - 1) positionRows = (await positionRowsRead(tx)) - before
          })
        }
        times.sort((a, b) => a - b)
        // The worker's loss-breaker pass over all of the user's traders, every heartbeat.
        const passes: number[] = []
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now()
          await tripBreakers(db, userId)
          passes.push(performance.now() - t0)
        }
        passes.sort((a, b) => a - b)
        rows.push({
          traders: size,
          positions: size * (CLOSED_PER_TRADER + 1),
          'p50 ms': percentile(times, 50).toFixed(2),
          'p90 ms': percentile(times, 90).toFixed(2),
          'Position rows read': positionRows,
          'breaker pass p50 ms': percentile(passes, 50).toFixed(1),
        })
      }
      return rows
    } finally {
      await db.$disconnect()
    }
  })
}

/** Rows of "Position" this connection has read (sequentially or fetched through an index) and not reported yet. */
async function positionRowsRead(tx: SqlTx): Promise<number> {
  const [s] = await tx.$queryRaw<{ rows: number }[]>`
    SELECT (COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0))::int AS rows FROM pg_stat_xact_user_tables WHERE relname = 'Position'`
  return s!.rows
}
