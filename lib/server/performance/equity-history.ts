import type { DbTx } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import type { AccountEquityPoint } from '@/lib/domain/performance/equity-curve'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import { Prisma } from '@/lib/generated/prisma/client'

/** The curve is drawn and its drawdown measured from at most this many points per account. */
export const MAX_CURVE_POINTS = 2000
const DAY_MS = 86_400_000

export interface EquityHistory {
  /** Priced snapshots in the period (the curve's raw material). */
  snapshots: number
  /** Snapshots left out because some asset had no price (their equity is incomplete). */
  unpriced: number
  /**
   * Per account: its first snapshot in the period, then the last one in each of at most
   * MAX_CURVE_POINTS equal time buckets (every snapshot when there are no more than that).
   */
  curve: AccountEquityPoint[]
  /** Per account: its first snapshot in the period, then its last one on each of the user's days. */
  daily: AccountEquityPoint[]
}

type Row = { accountId: string; equity: string; ms: number }
const ms = Prisma.sql`(extract(epoch from "at") * 1000)::float8`

/**
 * The equity snapshots of some accounts in [fromMs, toMs), read as few points as the figures
 * need, whatever the table holds: one row per account and bucket, picked in PostgreSQL.
 */
export async function loadEquityHistory(db: DbTx, o: { accountIds: string[]; fromMs: number; toMs: number; timeZone: string }): Promise<EquityHistory> {
  const empty: EquityHistory = { snapshots: 0, unpriced: 0, curve: [], daily: [] }
  if (o.accountIds.length === 0) return empty
  const inRange = Prisma.sql`"accountId" = ANY(${o.accountIds}::text[])
    AND "at" >= to_timestamp(${o.fromMs / 1000}::float8) AT TIME ZONE 'UTC'
    AND "at" < to_timestamp(${o.toMs / 1000}::float8) AT TIME ZONE 'UTC'`
  const [stats] = await db.$queryRaw<{ priced: bigint; unpriced: bigint; lo: number | null; hi: number | null }[]>`
    SELECT count(*) FILTER (WHERE NOT unpriced) AS priced, count(*) FILTER (WHERE unpriced) AS unpriced,
      min(${ms}) FILTER (WHERE NOT unpriced) AS lo, max(${ms}) FILTER (WHERE NOT unpriced) AS hi
    FROM "EquitySnapshot" WHERE ${inRange}`
  const snapshots = Number(stats?.priced ?? 0)
  const unpriced = Number(stats?.unpriced ?? 0)
  if (snapshots === 0 || stats?.lo == null || stats.hi == null) return { ...empty, unpriced }
  const lo = stats.lo
  const hi = stats.hi

  const lastPerBucket = (bucket: Prisma.Sql) => db.$queryRaw<Row[]>`
    SELECT "accountId", equity::text AS equity, ms FROM (
      SELECT DISTINCT ON ("accountId", b) "accountId", equity, ${ms} AS ms, "at"
      FROM (SELECT "accountId", equity, "at", ${bucket} AS b FROM "EquitySnapshot" WHERE ${inRange} AND NOT unpriced) s
      ORDER BY "accountId", b, "at" DESC
    ) x`
  const firsts = db.$queryRaw<Row[]>`
    SELECT DISTINCT ON ("accountId") "accountId", equity::text AS equity, ${ms} AS ms
    FROM "EquitySnapshot" WHERE ${inRange} AND NOT unpriced
    ORDER BY "accountId", "at" ASC`

  // Every snapshot is its own bucket while there are few; otherwise equal slices of [lo, hi].
  const width = (hi - lo) / MAX_CURVE_POINTS
  const curveBucket = snapshots <= MAX_CURVE_POINTS || width <= 0 ? Prisma.sql`id` : Prisma.sql`floor((${ms} - ${lo}::float8) / ${width}::float8)`
  // The user's days: the start of each one from the first snapshot's to the last's.
  const dayStarts: number[] = []
  for (let start = tradingDayStart(lo, o.timeZone); start <= hi; start = tradingDayStart(start + 1.25 * DAY_MS, o.timeZone)) dayStarts.push(start)
  const dayBucket = Prisma.sql`width_bucket(${ms}, ${dayStarts}::float8[])`

  const [first, curve, daily] = await Promise.all([firsts, lastPerBucket(curveBucket), lastPerBucket(dayBucket)])
  const points = (rows: Row[]) => {
    const seen = new Set<string>()
    const out: AccountEquityPoint[] = []
    for (const r of [...first, ...rows]) {
      const key = `${r.accountId}\u0000${r.ms}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push({ accountId: r.accountId, at: r.ms, equity: dec(r.equity) })
    }
    return out
  }
  return { snapshots, unpriced, curve: points(curve), daily: points(daily) }
}
