import type { DbTx } from '@/lib/db/client'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import { sumDec, ZERO } from '@/lib/domain/decimal'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import { unrealizedPnl, type PositionSide } from '@/lib/domain/positions/fill-ledger'
import { notFound } from '@/lib/server/errors/app-error'
import { loadQuotes } from '@/lib/market-data/quote-store'
import { readGroupSettings } from './group-settings'

/** One leg as the groups table shows it: its plan, and its position's state when it was sent. */
export interface GroupLegView {
  id: string
  index: number
  deviationPct: string
  weightPct: string
  price: string
  qty: string
  takeProfitPct: string
  status: 'PLANNED' | 'PLACED' | 'CANCELED' | 'FAILED'
  reason: string | null
  position: { id: string; status: string; openQty: string; entryQty: string; avgEntryPrice: string; realizedPnl: string; stopLoss: string | null; target: string | null } | null
}

export interface GroupView {
  id: string
  traderId: string
  symbol: string
  timeframe: string
  side: 'LONG' | 'SHORT'
  status: 'OPEN' | 'CLOSING' | 'CLOSED'
  closeReason: string | null
  avgEntryPrice: string | null
  entryQty: string
  openQty: string
  stopLoss: string | null
  aggregateTarget: string | null
  takeProfitMode: string
  /** A trailing take-profit's distance back from the best price (null: off), and that best price once the target was reached. */
  trailingDeviationPct: string | null
  trailPeak: string | null
  budgetQuote: string
  plannedNotional: string
  realizedPnl: string
  unrealizedPnl: string | null
  /** Legs with an entry fill, of all legs planned. */
  legsFilled: number
  legsPlanned: number
  createdAt: string
  closedAt: string | null
  pyramids: { id: string; index: number; entryPrice: string; capitalQuote: string; signalId: string | null; createdAt: string; legs: GroupLegView[] }[]
}

const include = {
  pyramids: {
    orderBy: { index: 'asc' as const },
    include: {
      legs: {
        orderBy: { index: 'asc' as const },
        include: { position: { select: { id: true, status: true, openQty: true, entryQty: true, avgEntryPrice: true, realizedPnl: true, stopLoss: true, takeProfits: { where: { status: 'ACTIVE' as const }, select: { price: true }, take: 1 } } } },
      },
    },
  },
}
type Row = Awaited<ReturnType<typeof loadRows>>[number]

function loadRows(db: DbTx, where: { userId: string; traderId?: string; id?: string; active?: boolean }, limit: number) {
  return db.positionGroup.findMany({
    where: { userId: where.userId, ...(where.traderId ? { traderId: where.traderId } : {}), ...(where.id ? { id: where.id } : {}), ...(where.active === undefined ? {} : where.active ? { status: { not: 'CLOSED' } } : { status: 'CLOSED' }) },
    include,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
  })
}

/** A trader's groups, newest first: the active ones, or the closed ones (at most `limit`). */
export async function listGroups(db: DbTx, userId: string, o: { traderId: string; state: 'active' | 'closed'; limit?: number }): Promise<GroupView[]> {
  const trader = await db.trader.findFirst({ where: { id: o.traderId, userId }, select: { id: true } })
  if (!trader) throw notFound('trader')
  const rows = await loadRows(db, { userId, traderId: o.traderId, active: o.state === 'active' }, o.limit ?? 50)
  return views(db, rows)
}

export async function getGroup(db: DbTx, userId: string, id: string): Promise<GroupView> {
  const [row] = await loadRows(db, { userId, id }, 1)
  if (!row) throw notFound('position group')
  return (await views(db, [row]))[0]!
}

async function views(db: DbTx, rows: Row[]): Promise<GroupView[]> {
  const quotes = new Map((await loadQuotes(db, [...new Set(rows.map((g) => g.symbol))])).map((q) => [q.symbol, q]))
  return rows.map((g) => {
    const side = g.side as PositionSide
    const settings = readGroupSettings(g.settings)
    const legs = g.pyramids.flatMap((p) => p.legs)
    const positions = legs.flatMap((l) => (l.position ? [l.position] : []))
    // A closed leg may keep what no order could sell (dust, left in the account): the group no longer holds it.
    const held = positions.filter((p) => p.status !== 'CLOSED')
    const openQty = sumDec(held.map((p) => fromDb(p.openQty)))
    const quote = quotes.get(g.symbol)
    const mark = quote ? exitPriceFor(side, quote) : null
    const unrealized = mark ? sumDec(held.map((p) => unrealizedPnl(side, { openQty: fromDb(p.openQty), avgEntryPrice: fromDb(p.avgEntryPrice) }, mark))) : null
    return {
      id: g.id,
      traderId: g.traderId,
      symbol: g.symbol,
      timeframe: g.timeframe,
      side,
      status: g.status,
      closeReason: g.closeReason,
      avgEntryPrice: fromDbOrNull(g.avgEntryPrice)?.toFixed() ?? null,
      entryQty: fromDb(g.entryQty).toFixed(),
      openQty: openQty.toFixed(),
      stopLoss: fromDbOrNull(g.stopLoss)?.toFixed() ?? null,
      aggregateTarget: fromDbOrNull(g.aggregateTarget)?.toFixed() ?? null,
      takeProfitMode: settings.takeProfitMode,
      trailingDeviationPct: settings.trailingDeviationPct?.toFixed() ?? null,
      trailPeak: fromDbOrNull(g.trailPeak)?.toFixed() ?? null,
      budgetQuote: fromDb(g.budgetQuote).toFixed(),
      plannedNotional: fromDb(g.plannedNotional).toFixed(),
      realizedPnl: sumDec(positions.map((p) => fromDb(p.realizedPnl))).toFixed(),
      unrealizedPnl: openQty.isZero() ? ZERO.toFixed() : unrealized?.toFixed() ?? null,
      legsFilled: positions.filter((p) => fromDb(p.entryQty).gt(0)).length,
      legsPlanned: legs.length,
      createdAt: g.createdAt.toISOString(),
      closedAt: g.closedAt?.toISOString() ?? null,
      pyramids: g.pyramids.map((p) => ({
        id: p.id,
        index: p.index,
        entryPrice: fromDb(p.entryPrice).toFixed(),
        capitalQuote: fromDb(p.capitalQuote).toFixed(),
        signalId: p.signalId,
        createdAt: p.createdAt.toISOString(),
        legs: p.legs.map((l) => ({
          id: l.id,
          index: l.index,
          deviationPct: fromDb(l.deviationPct).toFixed(),
          weightPct: fromDb(l.weightPct).toFixed(),
          price: fromDb(l.price).toFixed(),
          qty: fromDb(l.qty).toFixed(),
          takeProfitPct: fromDb(l.takeProfitPct).toFixed(),
          status: l.status,
          reason: l.reason,
          position: l.position
            ? {
                id: l.position.id,
                status: l.position.status,
                openQty: fromDb(l.position.openQty).toFixed(),
                entryQty: fromDb(l.position.entryQty).toFixed(),
                avgEntryPrice: fromDb(l.position.avgEntryPrice).toFixed(),
                realizedPnl: fromDb(l.position.realizedPnl).toFixed(),
                stopLoss: fromDbOrNull(l.position.stopLoss)?.toFixed() ?? null,
                target: l.position.takeProfits[0] ? fromDb(l.position.takeProfits[0].price).toFixed() : null,
              }
            : null,
        })),
      })),
    }
  })
}
