import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'
import type { DbTx } from '@/lib/db/client'
import { decodeFeedKind } from '@/lib/market-data/feed-mode'
import { isStale } from '@/lib/market-data/quote-store'
import { diskSpace, type DiskSpace } from './disk-space'

export interface Health {
  status: 'ok' | 'degraded' | 'down'
  database: { ok: boolean; latencyMs: number | null; error?: string }
  /** The newest heartbeat of any worker; `count`: workers whose heartbeat is fresh (they split the accounts). */
  worker: { ok: boolean; lastSeenAt: string | null; ageMs: number | null; count: number }
  marketData: {
    ok: boolean
    kind: string | null
    label: string | null
    /**
     * Which source delivers quotes: 'stream', 'polling', or 'polling (stream down: <reason>)';
     * null when the worker has not said (never reported, or a worker from before streaming).
     */
    mode: string | null
    freshestQuoteAgeMs: number | null
    staleAfterMs: number
    /** Nothing is watched (no trader watches a symbol and no position is open): no quotes are expected. */
    idle: boolean
    /** The feed itself reported the error (a wrong exchange or address, say): waiting does not mend it, unlike a feed still starting. */
    feedFailed: boolean
    error?: string
  }
  /** LIVE_TRADING_ENABLED: whether LIVE exchange accounts may send new orders. */
  liveTrading: { enabled: boolean }
  /** Free space on the database's disk; null when its folder is not on this machine or not known. */
  disk: DiskSpace | null
}

export interface GetHealthOptions {
  /** Null when the database cannot even be configured (e.g. DATABASE_URL missing). */
  db: DbTx | null
  heartbeatMs: number
  staleAfterMs: number
  liveTradingEnabled: boolean
  now?: Date
  dbTimeoutMs?: number
  /** The database's data folder on this machine (if known) and the free space below which its disk is low. */
  disk?: { dir: string | undefined; lowBelowMb: number }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Liveness of the three moving parts. The worker is alive when its heartbeat is younger than
 * three heartbeat intervals; market data is fresh when the newest quote is younger than
 * MARKET_STALE_AFTER_MS and the feed reports no error; the database's disk is low below its
 * threshold. Database down → 'down'; anything else unhealthy → 'degraded'.
 */
export async function getHealth(opts: GetHealthOptions): Promise<Health> {
  const now = opts.now ?? new Date()
  const staleAfterMs = opts.staleAfterMs
  const workerMaxAgeMs = 3 * opts.heartbeatMs
  const liveTrading = { enabled: opts.liveTradingEnabled }
  // Read whether or not the database answers: a full disk is one reason it may not.
  const disk = await diskSpace(opts.disk?.dir, opts.disk?.lowBelowMb ?? 0)
  const down = (error: string, latencyMs: number | null): Health => ({
    status: 'down',
    database: { ok: false, latencyMs, error },
    worker: { ok: false, lastSeenAt: null, ageMs: null, count: 0 },
    marketData: { ok: false, kind: null, label: null, mode: null, freshestQuoteAgeMs: null, staleAfterMs, idle: false, feedFailed: false, error: 'database unavailable' },
    liveTrading,
    disk,
  })
  if (!opts.db) return down('database is not configured', null)
  const database = opts.db

  const read = () =>
    Promise.all([
      database.workerHeartbeat.findFirst({ orderBy: { lastSeenAt: 'desc' } }),
      // The market data feed runs in the primary worker; its heartbeat says which one is in use.
      database.workerHeartbeat.findFirst({ where: { primary: true }, orderBy: { lastSeenAt: 'desc' } }),
      database.workerHeartbeat.count({ where: { lastSeenAt: { gte: new Date(now.getTime() - workerMaxAgeMs) } } }),
      database.marketQuote.aggregate({ _max: { receivedAt: true } }),
      // The worker polls the symbols of every watchlist and every position that is not over.
      database.trader.findFirst({ where: { watchlist: { isEmpty: false } }, select: { id: true } }),
      database.position.findFirst({ where: { status: { in: [...ACTIVE_POSITION_STATUSES] } }, select: { id: true } }),
    ])
  const started = performance.now()
  let rows: Awaited<ReturnType<typeof read>>
  try {
    rows = await withTimeout(read(), opts.dbTimeoutMs ?? 3000)
  } catch (err) {
    // The reason is for operators; keep it short and free of connection strings.
    const reason = err instanceof Error && /within \d+ ms/.test(err.message) ? err.message : 'query failed'
    return down(reason, Math.round(performance.now() - started))
  }
  const latencyMs = Math.round(performance.now() - started)
  const [heartbeat, primary, workers, freshest, watching, holding] = rows
  const idle = !watching && !holding

  const workerAgeMs = heartbeat ? Math.max(0, now.getTime() - heartbeat.lastSeenAt.getTime()) : null
  const workerOk = workerAgeMs !== null && workerAgeMs <= workerMaxAgeMs

  const receivedAt = freshest._max.receivedAt
  const quoteAgeMs = receivedAt ? Math.max(0, now.getTime() - receivedAt.getTime()) : null
  const primaryOk = primary !== null && now.getTime() - primary.lastSeenAt.getTime() <= workerMaxAgeMs
  let marketError: string | undefined
  let feedFailed = false
  if (!heartbeat) marketError = 'worker has never reported'
  else if (!workerOk) marketError = 'worker is not running (heartbeat is stale)'
  else if (!primaryOk) marketError = 'no worker runs the market data feed yet (one takes it over within seconds)'
  else if (primary.feedError) (marketError = primary.feedError), (feedFailed = true)
  // With nothing watched (a fresh install) no quotes are expected: their absence is no fault.
  else if (idle) marketError = undefined
  else if (quoteAgeMs === null) marketError = 'no quotes received yet'
  else if (isStale(quoteAgeMs, staleAfterMs)) marketError = `quotes are stale (newest is ${Math.round(quoteAgeMs / 1000)} s old)`

  // The heartbeat carries the feed's mode in its kind column (see encodeFeedKind).
  const feed = decodeFeedKind(primary?.feedKind)
  const marketData: Health['marketData'] = {
    ok: marketError === undefined,
    kind: feed.kind,
    label: primary?.feedLabel ?? null,
    mode: feed.mode,
    freshestQuoteAgeMs: quoteAgeMs,
    staleAfterMs,
    idle,
    feedFailed,
  }
  if (marketError) marketData.error = marketError

  return {
    status: workerOk && marketData.ok && (disk?.ok ?? true) ? 'ok' : 'degraded',
    database: { ok: true, latencyMs },
    worker: { ok: workerOk, lastSeenAt: heartbeat?.lastSeenAt.toISOString() ?? null, ageMs: workerAgeMs, count: workers },
    marketData,
    liveTrading,
    disk,
  }
}
