import { sqlOf, type Db, type DbTx } from '@/lib/db/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import { pnlPercent, unrealizedPnl } from '@/lib/domain/positions/fill-ledger'
import { roundQuoteAmount } from '@/lib/domain/quote-amount'
import { toOrderView, type OrderViewRow } from '@/lib/server/orders/order-view'
import { notFound } from '@/lib/server/errors/app-error'
import { valuationMarkets, valueBalances } from '@/lib/server/accounts/account-equity'
import { readUniverse } from '@/lib/server/traders/trader-settings'
import { loadQuotes, quoteColumn, toStoredQuote, type QuoteRow, type StoredQuote } from '@/lib/market-data/quote-store'
import { countDecisions, listDecisions } from '@/lib/server/decisions/list-decisions'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'
import { RESTING_STOP_TYPE, WORKING_PROTECTION, WORKING_PROTECTION_SQL } from '@/lib/server/protection/resting-stop'

/** How many of a position's decisions its detail carries. */
const POSITION_DECISIONS = 50

/** Decimals leave the server as exact strings. */
export interface PositionView {
  id: string
  traderId: string
  traderName: string
  symbol: string
  side: 'LONG' | 'SHORT'
  status: string
  statusReason: string | null
  entryType: string
  requestedQty: string
  limitPrice: string | null
  openQty: string
  entryQty: string
  avgEntryPrice: string
  avgExitPrice: string
  stopLoss: string | null
  takeProfits: { id: string; price: string; sharePct: string; status: string }[]
  realizedPnl: string
  fees: string
  markPrice: string | null
  unrealizedPnl: string | null
  unrealizedPnlPct: string | null
  createdAt: string
  openedAt: string | null
  closedAt: string | null
  /** The stop resting on the exchange (venues with a native stop), or null. */
  exchangeStop: { clientOrderId: string; exchangeOrderId: string | null; status: string; qty: string; triggerPrice: string } | null
  /** The take-profit resting on the exchange paired with that stop (one-cancels-the-other), or null. */
  exchangeTarget: { clientOrderId: string; exchangeOrderId: string | null; status: string; qty: string; price: string } | null
}

const include = {
  trader: { select: { name: true } },
  takeProfits: { orderBy: { createdAt: 'asc' as const } },
  orders: { where: { ...WORKING_PROTECTION, cancelRequestedAt: null }, orderBy: { createdAt: 'desc' as const }, take: 2 },
}
type Num = { toString(): string }
/** What the view reads of a position row with its trader's name, levels and resting protection (newest first, at most 2). */
type Row = {
  id: string; traderId: string; symbol: string; side: 'LONG' | 'SHORT'; status: string; statusReason: string | null; entryType: string
  requestedQty: Num; limitPrice: Num | null; openQty: Num; entryQty: Num; avgEntryPrice: Num; avgExitPrice: Num; stopLoss: Num | null; realizedPnl: Num; fees: Num
  createdAt: Date; openedAt: Date | null; closedAt: Date | null
  trader: { name: string }
  takeProfits: { id: string; price: Num; sharePct: Num; status: string; createdAt: Date }[]
  orders: { type: string; listClientOrderId: string | null; clientOrderId: string; exchangeOrderId: string | null; status: string; qty: Num; triggerPrice: Num | null; price: Num | null }[]
}

function toView(p: Row, quote?: StoredQuote): PositionView {
  const openQty = fromDb(p.openQty)
  const avg = fromDb(p.avgEntryPrice)
  // A closed position may keep what no order could sell (dust, left in the account): it is not marked.
  const live = quote && openQty.gt(0) && p.status !== 'CLOSED'
  const mark = live ? exitPriceFor(p.side, quote) : null
  const stop = p.orders.find((o) => o.type === RESTING_STOP_TYPE)
  const target = stop?.listClientOrderId ? p.orders.find((o) => o !== stop && o.listClientOrderId === stop.listClientOrderId) : undefined
  return {
    id: p.id,
    traderId: p.traderId,
    traderName: p.trader.name,
    symbol: p.symbol,
    side: p.side,
    status: p.status,
    statusReason: p.statusReason,
    entryType: p.entryType,
    requestedQty: fromDb(p.requestedQty).toFixed(),
    limitPrice: p.limitPrice ? fromDb(p.limitPrice).toFixed() : null,
    openQty: openQty.toFixed(),
    entryQty: fromDb(p.entryQty).toFixed(),
    avgEntryPrice: avg.toFixed(),
    avgExitPrice: fromDb(p.avgExitPrice).toFixed(),
    stopLoss: p.stopLoss ? fromDb(p.stopLoss).toFixed() : null,
    // Nearest level first: ascending for a LONG, descending for a SHORT (then by creation).
    takeProfits: [...p.takeProfits]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (p.side === 'LONG' ? 1 : -1) * fromDb(a.price).comparedTo(fromDb(b.price)))
      .map((t) => ({ id: t.id, price: fromDb(t.price).toFixed(), sharePct: fromDb(t.sharePct).toFixed(), status: t.status })),
    realizedPnl: fromDb(p.realizedPnl).toFixed(),
    fees: fromDb(p.fees).toFixed(),
    markPrice: mark ? mark.toFixed() : null,
    unrealizedPnl: mark
      ? unrealizedPnl(p.side, { openQty, avgEntryPrice: avg } as Parameters<typeof unrealizedPnl>[1], mark).toFixed()
      : null,
    unrealizedPnlPct: mark ? pnlPercent(p.side, avg, mark).toFixed(4) : null,
    createdAt: p.createdAt.toISOString(),
    openedAt: p.openedAt?.toISOString() ?? null,
    closedAt: p.closedAt?.toISOString() ?? null,
    exchangeStop: stop
      ? { clientOrderId: stop.clientOrderId, exchangeOrderId: stop.exchangeOrderId, status: stop.status, qty: fromDb(stop.qty).toFixed(), triggerPrice: fromDb(stop.triggerPrice!).toFixed() }
      : null,
    exchangeTarget: target
      ? { clientOrderId: target.clientOrderId, exchangeOrderId: target.exchangeOrderId, status: target.status, qty: fromDb(target.qty).toFixed(), price: fromDb(target.price!).toFixed() }
      : null,
  }
}

export async function listPositions(db: DbTx, userId: string, filter: { state: 'active' | 'closed'; traderId?: string; limit?: number }) {
  const rows = await db.position.findMany({
    where: {
      trader: { userId },
      traderId: filter.traderId,
      status: filter.state === 'active' ? { in: [...ACTIVE_POSITION_STATUSES] } : { in: ['CLOSED', 'FAILED'] },
    },
    include,
    orderBy: filter.state === 'active' ? { createdAt: 'desc' } : { closedAt: 'desc' },
    take: filter.limit ?? 200,
  })
  const quotes = new Map((await loadQuotes(db, [...new Set(rows.map((r) => r.symbol))])).map((q) => [q.symbol, q]))
  return rows.map((r) => toView(r, quotes.get(r.symbol)))
}

type OrderJson = Omit<OrderViewRow, 'createdAt' | 'cancelRequestedAt'> & { createdAt: string; cancelRequestedAt: string | null; listClientOrderId: string | null; purpose: string }
type DetailJson = {
  takeProfits: (Omit<Row['takeProfits'][number], 'createdAt'> & { createdAt: string })[]
  orders: OrderJson[]
  protection: OrderJson[]
  fills: { id: string; orderId: string; side: 'BUY' | 'SELL'; qty: string; price: string; fee: string; feeAsset: string; liquidity: 'MAKER' | 'TAKER'; createdAt: string }[]
  events: { id: string; type: string; actor: string; actorId: string | null; fromStatus: string | null; toStatus: string | null; message: string; before: unknown; after: unknown; trigger: string | null; decisionId: string | null; createdAt: string }[]
}
type DetailRow = Omit<Row, 'trader' | 'takeProfits' | 'orders'> & { traderName: string; detail: DetailJson; quote: QuoteRow | null; hasDecisions: boolean }

const ORDER_COLUMNS = Prisma.sql`id, "clientOrderId", purpose::text AS purpose, side::text AS side, type::text AS type, qty::text AS qty, price::text AS price,
  "triggerPrice"::text AS "triggerPrice", status::text AS status, "exchangeOrderId", "cancelRequestedAt", "filledQty"::text AS "filledQty",
  "avgFillPrice"::text AS "avgFillPrice", "rejectReason", "createdBy"::text AS "createdBy", "createdAt", "listClientOrderId"`

/** A timestamp column as to_jsonb writes it (UTC, no zone). */
const utc = (s: string) => new Date(`${s}Z`)
const rows = (q: Prisma.Sql, order: Prisma.Sql) => Prisma.sql`(SELECT COALESCE(jsonb_agg(to_jsonb(x) ORDER BY ${order}), '[]'::jsonb) FROM (${q}) x)`

/**
 * The position with everything its page shows, in one statement: its trader's name, levels,
 * orders, fills, audit trail and the symbol's quote; the user's position or nothing. Run on the
 * pool straight (it is every open's 201 body too).
 */
async function readDetail(db: Db, id: string, userId: string): Promise<DetailRow | undefined> {
  const [r] = await sqlOf(db).$queryRaw<DetailRow[]>`
    SELECT p.id, p."traderId", p.symbol, p.side::text AS side, p.status::text AS status, p."statusReason", p."entryType"::text AS "entryType",
      p."requestedQty"::text AS "requestedQty", p."limitPrice"::text AS "limitPrice", p."openQty"::text AS "openQty", p."entryQty"::text AS "entryQty",
      p."avgEntryPrice"::text AS "avgEntryPrice", p."avgExitPrice"::text AS "avgExitPrice", p."stopLoss"::text AS "stopLoss",
      p."realizedPnl"::text AS "realizedPnl", p.fees::text AS fees, p."createdAt", p."openedAt", p."closedAt", t.name AS "traderName",
      jsonb_build_object(
        'takeProfits', ${rows(Prisma.sql`SELECT id, price::text AS price, "sharePct"::text AS "sharePct", status::text AS status, "createdAt" FROM "TakeProfit" WHERE "positionId" = p.id`, Prisma.sql`x."createdAt"`)},
        'orders', ${rows(Prisma.sql`SELECT ${ORDER_COLUMNS} FROM "Order" WHERE "positionId" = p.id`, Prisma.sql`x."createdAt"`)},
        -- What the list view's include reads: the protection still working, newest first.
        'protection', ${rows(
          Prisma.sql`SELECT ${ORDER_COLUMNS} FROM "Order" WHERE "positionId" = p.id AND ${WORKING_PROTECTION_SQL} AND "cancelRequestedAt" IS NULL ORDER BY "createdAt" DESC LIMIT 2`,
          Prisma.sql`x."createdAt" DESC`,
        )},
        'fills', ${rows(Prisma.sql`
          SELECT id, "orderId", side::text AS side, qty::text AS qty, price::text AS price, fee::text AS fee, "feeAsset", liquidity::text AS liquidity, "createdAt"
          FROM "Fill" WHERE "positionId" = p.id`, Prisma.sql`x."createdAt"`)},
        'events', ${rows(Prisma.sql`
          SELECT id, type, actor::text AS actor, "actorId", "fromStatus", "toStatus", message, before, after, trigger::text AS trigger, "decisionId", "createdAt"
          FROM "PositionEvent" WHERE "positionId" = p.id`, Prisma.sql`x."createdAt", x.id`)}
      ) AS detail,
      ${quoteColumn(Prisma.sql`p.symbol`)},
      EXISTS (SELECT 1 FROM "Decision" d WHERE d."positionId" = p.id) AS "hasDecisions"
    FROM "Position" p JOIN "Trader" t ON t.id = p."traderId"
    WHERE p.id = ${id} AND t."userId" = ${userId}`
  return r
}

export async function getPositionDetail(db: Db, userId: string, id: string) {
  const r = await readDetail(db, id, userId)
  if (!r) throw notFound('position')
  const orderRow = (o: OrderJson) => ({ ...o, createdAt: utc(o.createdAt), cancelRequestedAt: o.cancelRequestedAt ? utc(o.cancelRequestedAt) : null })
  const orders = r.detail.orders.map(orderRow)
  const protection = r.detail.protection.map(orderRow)
  const events = r.detail.events.map((e) => ({ ...e, createdAt: utc(e.createdAt) }))
  const row: Row = { ...r, trader: { name: r.traderName }, takeProfits: r.detail.takeProfits.map((t) => ({ ...t, createdAt: utc(t.createdAt) })), orders: protection }
  // The journal's decisions about the position: recorded with it, or named by its audit trail.
  const decisions = r.hasDecisions || events.some((e) => e.decisionId)
    ? await listDecisions({ db, userId, filter: { positionId: id, limit: POSITION_DECISIONS } })
    : { decisions: [], nextCursor: null }
  const decisionCount = decisions.nextCursor ? await countDecisions({ db, userId, filter: { positionId: id } }) : decisions.decisions.length
  const fills = r.detail.fills.map((f) => ({ ...f, createdAt: utc(f.createdAt) }))
  return {
    position: toView(row, r.quote ? toStoredQuote(r.quote) : undefined),
    orders: orders.map(toOrderView),
    fills: fills.map((f) => ({
      id: f.id,
      orderId: f.orderId,
      side: f.side,
      qty: fromDb(f.qty).toFixed(),
      price: fromDb(f.price).toFixed(),
      fee: fromDb(f.fee).toFixed(),
      feeAsset: f.feeAsset,
      liquidity: f.liquidity,
      at: f.createdAt.toISOString(),
    })),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      actor: e.actor,
      actorId: e.actorId,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      message: e.message,
      before: e.before,
      after: e.after,
      /** Why a modification happened (AI_ANALYSIS, RULE_ENGINE, USER_MANUAL); null for other events. */
      trigger: e.trigger,
      decisionId: e.decisionId,
      at: e.createdAt.toISOString(),
    })),
    /** The newest decisions about this position (the journal has them all). */
    decisions: decisions.decisions,
    decisionCount,
  }
}

/**
 * Per trader (every one of the user's, or `only` one): balances per asset (paper books, or the
 * exchange's last snapshot), the quote currency first, and equity at the current marks.
 */
export async function accountSummaries(db: DbTx, userId: string, only?: { traderId: string }) {
  const traders = await db.trader.findMany({
    where: { userId, ...(only ? { id: only.traderId } : {}) },
    include: { account: { include: { balances: true } } },
    orderBy: { createdAt: 'asc' },
  })
  const { markets, quotes } = await valuationMarkets(db, traders.map((t) => ({ quoteCurrency: t.quoteCurrency, balances: t.account.balances })))
  return traders.map((t) => {
    const { equity, unpriced } = valueBalances(t.account.balances, t.quoteCurrency, markets, quotes)
    // The quote currency first and always; another asset only while some of it is held (a paper
    // account keeps a row at 0 for every asset it once bought).
    const balances = t.account.balances
      .map((b) => ({ asset: b.asset, amount: fromDb(b.amount) }))
      .filter((b) => b.asset === t.quoteCurrency || !b.amount.isZero())
      .sort((a, b) => Number(b.asset === t.quoteCurrency) - Number(a.asset === t.quoteCurrency) || a.asset.localeCompare(b.asset))
      .map((b) => ({ asset: b.asset, amount: b.amount.toFixed() }))
    return {
      traderId: t.id,
      traderName: t.name,
      quoteCurrency: t.quoteCurrency,
      /** The trader's switch and its account's: both on, or it opens nothing. */
      status: t.status,
      statusReason: t.statusReason,
      accountHalted: t.account.halted,
      accountHaltedReason: t.account.haltedReason,
      watchlist: t.watchlist,
      universe: readUniverse(t.universe),
      universeRefreshedAt: t.universeRefreshedAt?.toISOString() ?? null,
      universeError: t.universeError,
      exchange: t.account.kind,
      mode: t.account.mode,
      /** Exchange accounts: why the account is out of step with its exchange (entries refused meanwhile), or null. */
      reconcileError: t.account.reconcileError,
      /** Exchange accounts: when its balances were last read from the exchange. */
      balancesAt: t.account.kind === 'CCXT' ? (t.account.reconciledAt?.toISOString() ?? null) : null,
      balances,
      equity: unpriced ? null : roundQuoteAmount(equity),
    }
  })
}

export async function recentActivity(db: DbTx, userId: string, limit = 30) {
  const rows = await db.activityEvent.findMany({ where: { userId }, orderBy: { id: 'desc' }, take: limit })
  return rows.map((r) => ({ id: r.id.toString(), type: r.type, severity: r.severity, positionId: r.positionId, message: r.message, at: r.createdAt.toISOString() }))
}
