import type { Db, DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { groupPnlPct, rankQueue, slotsUsed } from '@/lib/domain/groups/pool-queue'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import { loadQuotes } from '@/lib/market-data/quote-store'
import { conflict } from '@/lib/server/errors/app-error'
import { SIGNALS_CHANNEL } from '@/lib/server/signals/signal-queue'
import { readPoolSettings, type PoolSettings } from './pool-settings'

/** Every change to a user's pool (a slot taken, an entry queued, promoted or ended) runs under this lock. */
const POOL_LOCK_CLASS = 7_313
export async function lockPool(tx: DbTx, userId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${POOL_LOCK_CLASS}::int, hashtext(${userId}))`
}

export interface PoolOccupancy {
  settings: PoolSettings
  cap: number
  used: number
  waiting: number
}

/** How full a user's pool is (read under the pool lock to act on it). */
export async function poolOccupancy(tx: DbTx, userId: string, o: { exceptSignalId?: string } = {}): Promise<PoolOccupancy> {
  const [user, groups, promoted, waiting] = await Promise.all([
    tx.user.findUniqueOrThrow({ where: { id: userId }, select: { poolSettings: true } }),
    tx.positionGroup.findMany({ where: { userId, status: { not: 'CLOSED' } }, select: { _count: { select: { pyramids: true } } } }),
    // Promoted, and its signal not carried out yet: the slot is held for it.
    tx.poolQueueEntry.count({ where: { userId, status: 'PROMOTED', signalId: o.exceptSignalId ? { not: o.exceptSignalId } : undefined, signal: { status: { in: ['ACCEPTED', 'PROCESSING'] } } } }),
    tx.poolQueueEntry.count({ where: { userId, status: 'WAITING' } }),
  ])
  const settings = readPoolSettings(user.poolSettings)
  const used = slotsUsed({ pyramidsPerOpenGroup: groups.map((g) => g._count.pyramids), pyramidsTakeSlot: settings.pyramidsTakeSlot, promotedPending: promoted })
  return { settings, cap: settings.maxOpenGroups, used, waiting }
}

export interface QueuedInPool {
  entryId: string
  used: number
  cap: number
  /** Entries waiting, this one included. */
  waiting: number
  /** The signal this one replaced in the queue (a newer signal for the same pair), or null. */
  replacedSignalId: string | null
}

/**
 * Under the trader's lock, in the entry's own transaction: lets the entry take a slot in its
 * user's pool (null), or puts it in the pool's queue. An entry waits when the pool is full, and
 * also when others already wait: a slot that freed goes to the best-ranked of them, not to
 * whoever arrives first. A pyramid of an open group needs no slot unless the settings say so; a
 * promoted entry holds the slot it was given. A newer signal for a pair that waits replaces it.
 */
export async function takePoolSlot(tx: DbTx, o: { userId: string; traderId: string; symbol: string; timeframe: string; side: PositionSide; signalId: string; continuation: boolean }): Promise<QueuedInPool | null> {
  await lockPool(tx, o.userId)
  const mine = await tx.poolQueueEntry.findUnique({ where: { signalId: o.signalId } })
  if (mine?.status === 'PROMOTED') return null
  const pool = await poolOccupancy(tx, o.userId)
  // Queued by an earlier attempt that stopped before writing the signal's outcome.
  if (mine?.status === 'WAITING') return { entryId: mine.id, used: pool.used, cap: pool.cap, waiting: pool.waiting, replacedSignalId: null }
  if (mine) throw conflict(`this signal left the group pool's queue (${mine.status.toLowerCase()}: ${mine.endReason ?? 'no reason given'})`)
  if (o.continuation && !pool.settings.pyramidsTakeSlot) return null
  if (pool.used < pool.cap && pool.waiting === 0) return null

  const now = new Date()
  const expiresAt = new Date(now.getTime() + pool.settings.queueExpiryMinutes * 60_000)
  const prior = await tx.poolQueueEntry.findFirst({ where: { traderId: o.traderId, symbol: o.symbol, timeframe: o.timeframe, status: 'WAITING' } })
  if (prior) {
    await tx.signal.update({ where: { id: prior.signalId }, data: { status: 'REJECTED', reason: `replaced in the pool queue by a newer signal for ${o.symbol} (${o.signalId})`, processedAt: now } })
    // The pair keeps its place in time; the newer signal is what runs.
    await tx.poolQueueEntry.update({ where: { id: prior.id }, data: { status: 'REPLACED', endedAt: now, endReason: `replaced by signal ${o.signalId}` } })
  }
  const entry = await tx.poolQueueEntry.create({
    data: {
      userId: o.userId, traderId: o.traderId, symbol: o.symbol, timeframe: o.timeframe, side: o.side, signalId: o.signalId, continuation: o.continuation,
      replacements: prior ? prior.replacements + 1 : 0, queuedAt: prior?.queuedAt ?? now, expiresAt,
    },
  })
  return { entryId: entry.id, used: pool.used, cap: pool.cap, waiting: pool.waiting + (prior ? 0 : 1), replacedSignalId: prior?.signalId ?? null }
}

export interface RankedEntry {
  id: string
  traderId: string
  symbol: string
  timeframe: string
  side: PositionSide
  signalId: string
  continuation: boolean
  replacements: number
  pairPnlPct: Decimal
  queuedAt: Date
  expiresAt: Date
}

/** A user's waiting entries, best first, each with its pair's current PnL % (see rankQueue). */
export async function rankedWaiting(tx: DbTx, userId: string): Promise<RankedEntry[]> {
  const waiting = await tx.poolQueueEntry.findMany({ where: { userId, status: 'WAITING' } })
  if (!waiting.length) return []
  const symbols = [...new Set(waiting.map((w) => w.symbol))]
  const [groups, quotes] = await Promise.all([
    tx.positionGroup.findMany({ where: { userId, status: { not: 'CLOSED' }, symbol: { in: symbols }, avgEntryPrice: { not: null } }, select: { symbol: true, side: true, avgEntryPrice: true } }),
    loadQuotes(tx, symbols),
  ])
  const mark = new Map(quotes.map((q) => [q.symbol, q.bid.plus(q.ask).div(2)]))
  // The deepest loss among the pair's open groups.
  const pnl = new Map<string, Decimal>()
  for (const g of groups) {
    const m = mark.get(g.symbol)
    if (!m || !g.avgEntryPrice) continue
    const p = groupPnlPct(g.side, fromDb(g.avgEntryPrice), m)
    const seen = pnl.get(g.symbol)
    if (!seen || p.lt(seen)) pnl.set(g.symbol, p)
  }
  return rankQueue(waiting.map((w) => ({ ...w, pairPnlPct: pnl.get(w.symbol) ?? dec(0) })))
}

/**
 * Ends what waited too long, then gives the free slots of a user's pool to the best-ranked waiting
 * entries: each is marked PROMOTED and its signal goes back to the signal queue (ACCEPTED, noted
 * as promoted so its age is not held against it), where it is checked against the market again
 * and carried out. Returns the promoted signals' ids.
 */
export async function promoteFromPool(db: Db, userId: string, now = new Date()): Promise<string[]> {
  return db.$transaction(async (tx) => {
    await lockPool(tx, userId)
    await expireWaiting(tx, userId, now)
    const pool = await poolOccupancy(tx, userId)
    const free = pool.cap - pool.used
    if (free <= 0 || pool.waiting === 0) return []
    const chosen = (await rankedWaiting(tx, userId)).slice(0, free)
    for (const e of chosen) await promote(tx, e.id, e.signalId, 'its turn in the queue', now)
    return chosen.map((e) => e.signalId)
  })
}

/** Users who have entries waiting: the worker's promotion pass visits each. */
export async function usersWithWaitingEntries(db: Db): Promise<string[]> {
  const rows = await db.poolQueueEntry.findMany({ where: { status: 'WAITING' }, distinct: ['userId'], select: { userId: true } })
  return rows.map((r) => r.userId)
}

export async function promote(tx: DbTx, entryId: string, signalId: string, why: string, now: Date): Promise<void> {
  await tx.poolQueueEntry.update({ where: { id: entryId }, data: { status: 'PROMOTED', endedAt: now, endReason: why } })
  const s = await tx.signal.update({
    where: { id: signalId },
    data: { status: 'ACCEPTED', reason: null, processedAt: null, result: { promotedFrom: entryId } },
    select: { trader: { select: { accountId: true } } },
  })
  await tx.$executeRaw`SELECT pg_notify(${SIGNALS_CHANNEL}, ${s.trader.accountId})`
}

async function expireWaiting(tx: DbTx, userId: string, now: Date) {
  const old = await tx.poolQueueEntry.findMany({ where: { userId, status: 'WAITING', expiresAt: { lte: now } }, select: { id: true, signalId: true, queuedAt: true } })
  for (const e of old) {
    const minutes = Math.round((now.getTime() - e.queuedAt.getTime()) / 60_000)
    await tx.poolQueueEntry.update({ where: { id: e.id }, data: { status: 'EXPIRED', endedAt: now, endReason: `no slot within the queue's expiry (${minutes} min waiting)` } })
    await tx.signal.update({ where: { id: e.signalId }, data: { status: 'REJECTED', reason: `expired in the group pool's queue: no slot freed within its expiry (${minutes} min)`, processedAt: now } })
  }
}

/** An entry leaves the queue without running (an exit signal, or a person): its signal says why. */
export async function removeWaiting(tx: DbTx, o: { userId: string; where: { id?: string; traderId?: string; symbol?: string; timeframe?: string }; why: string; now?: Date }): Promise<number> {
  const now = o.now ?? new Date()
  await lockPool(tx, o.userId)
  const entries = await tx.poolQueueEntry.findMany({ where: { userId: o.userId, status: 'WAITING', ...o.where }, select: { id: true, signalId: true } })
  for (const e of entries) {
    await tx.poolQueueEntry.update({ where: { id: e.id }, data: { status: 'REMOVED', endedAt: now, endReason: o.why } })
    await tx.signal.update({ where: { id: e.signalId }, data: { status: 'REJECTED', reason: `removed from the group pool's queue: ${o.why}`, processedAt: now } })
  }
  return entries.length
}
