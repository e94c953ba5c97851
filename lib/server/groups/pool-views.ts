import type { Db } from '@/lib/db/client'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { PoolQueueStatus } from '@/lib/generated/prisma/enums'
import { conflict, notFound, validationError } from '@/lib/server/errors/app-error'
import { parseSettingsPatch } from '@/lib/server/traders/update-trader-settings'
import { lockPool, poolOccupancy, promote, rankedWaiting, removeWaiting, type RankedEntry } from './group-pool'
import { readPoolSettings, ZPoolSettings, type PoolSettings } from './pool-settings'

export interface PoolView {
  settings: PoolSettings
  slots: { cap: number; used: number; free: number }
  /** Waiting entries, best first (rank 1 gets the next free slot). */
  waiting: (Omit<RankedEntry, 'pairPnlPct' | 'queuedAt' | 'expiresAt'> & {
    rank: number
    traderName: string
    /** The pair's current PnL % on its open groups (two decimals), "0.00" when none is open. */
    pairPnlPct: string
    queuedAt: string
    expiresAt: string
  })[]
  /** The last entries that left the queue, newest first. */
  recent: { id: string; traderName: string; symbol: string; timeframe: string; side: PositionSide; status: PoolQueueStatus; endReason: string | null; signalId: string; replacements: number; queuedAt: string; endedAt: string | null }[]
}

/** A user's group pool: its slots, the queue in rank order, and what left the queue lately. */
export async function loadPoolView(db: Db, userId: string): Promise<PoolView> {
  const [pool, ranked, recent, traders] = await Promise.all([
    poolOccupancy(db, userId),
    rankedWaiting(db, userId),
    db.poolQueueEntry.findMany({ where: { userId, status: { not: 'WAITING' } }, orderBy: [{ endedAt: 'desc' }, { id: 'desc' }], take: 20, include: { trader: { select: { name: true } } } }),
    db.trader.findMany({ where: { userId }, select: { id: true, name: true } }),
  ])
  const name = new Map(traders.map((t) => [t.id, t.name]))
  return {
    settings: pool.settings,
    slots: { cap: pool.cap, used: pool.used, free: Math.max(0, pool.cap - pool.used) },
    waiting: ranked.map((e, i) => ({
      rank: i + 1, id: e.id, traderId: e.traderId, traderName: name.get(e.traderId) ?? e.traderId, symbol: e.symbol, timeframe: e.timeframe, side: e.side,
      signalId: e.signalId, continuation: e.continuation, replacements: e.replacements, pairPnlPct: e.pairPnlPct.toFixed(2),
      queuedAt: e.queuedAt.toISOString(), expiresAt: e.expiresAt.toISOString(),
    })),
    recent: recent.map((e) => ({
      id: e.id, traderName: e.trader.name, symbol: e.symbol, timeframe: e.timeframe, side: e.side, status: e.status, endReason: e.endReason,
      signalId: e.signalId, replacements: e.replacements, queuedAt: e.queuedAt.toISOString(), endedAt: e.endedAt?.toISOString() ?? null,
    })),
  }
}

/** PATCH of the pool settings: the given fields over the current ones, each checked, unknown ones refused by name. */
export async function updatePoolSettings(o: { db: Db; userId: string; input: Record<string, unknown> }): Promise<PoolView> {
  await o.db.$transaction(async (tx) => {
    await lockPool(tx, o.userId)
    const user = await tx.user.findUniqueOrThrow({ where: { id: o.userId }, select: { poolSettings: true } })
    const r = parseSettingsPatch({ prefix: 'pool', schema: ZPoolSettings, current: readPoolSettings(user.poolSettings), patch: o.input })
    if (!r.ok) throw validationError(r.errors)
    await tx.user.update({ where: { id: o.userId }, data: { poolSettings: r.value } })
  })
  return loadPoolView(o.db, o.userId)
}

/**
 * A person gives a waiting entry the next free slot, ahead of its rank. With no free slot it is
 * refused: the pool's size is the limit, and a person raises it rather than going past it.
 */
export async function promoteQueueEntry(o: { db: Db; userId: string; entryId: string }): Promise<PoolView> {
  await o.db.$transaction(async (tx) => {
    await lockPool(tx, o.userId)
    const e = await tx.poolQueueEntry.findFirst({ where: { id: o.entryId, userId: o.userId } })
    if (!e) throw notFound('queue entry')
    if (e.status !== 'WAITING') throw conflict(`the entry is no longer waiting (${e.status.toLowerCase()}${e.endReason ? `: ${e.endReason}` : ''})`)
    const pool = await poolOccupancy(tx, o.userId)
    if (pool.used >= pool.cap) throw conflict(`the group pool is full (${pool.used} of ${pool.cap} slots in use): the entry runs when a group closes, or raise the pool's size`)
    await promote(tx, e.id, e.signalId, 'by hand', new Date())
  })
  return loadPoolView(o.db, o.userId)
}

/** A person takes a waiting entry out of the queue; its signal is rejected with that reason. */
export async function removeQueueEntry(o: { db: Db; userId: string; entryId: string }): Promise<PoolView> {
  await o.db.$transaction(async (tx) => {
    const e = await tx.poolQueueEntry.findFirst({ where: { id: o.entryId, userId: o.userId }, select: { status: true, endReason: true } })
    if (!e) throw notFound('queue entry')
    const removed = await removeWaiting(tx, { userId: o.userId, where: { id: o.entryId }, why: 'removed by hand' })
    if (!removed) throw conflict(`the entry is no longer waiting (${e.status.toLowerCase()}${e.endReason ? `: ${e.endReason}` : ''})`)
  })
  return loadPoolView(o.db, o.userId)
}
