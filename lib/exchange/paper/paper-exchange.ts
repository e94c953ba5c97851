import { createHash } from 'node:crypto'
import { poolOf, type Db } from '@/lib/db/client'
import { newId } from '@/lib/db/new-id'
import { inFlight, withSqlTransaction, type SqlTx } from '@/lib/db/sql-tx'
import { fromDb, fromDbOrNull, toDb } from '@/lib/db/decimal-columns'
import { Decimal, ZERO } from '@/lib/domain/decimal'
import { checkOrderSize, type MarketRules } from '@/lib/domain/market/precision'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { OrderSide } from '@/lib/domain/positions/fill-ledger'
import { Prisma } from '@/lib/generated/prisma/client'
import { seededRandom } from '@/lib/domain/random'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { exchangeFillFromRow } from '@/lib/exchange/fill-from-row'
import type { Balance, ExchangePort, OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import { isStale, marketColumns, marketFromColumns, quoteAgeMs, recentMarketRules, type StoredQuote } from '@/lib/market-data/quote-store'
import { FillModel, type MarketSnapshot, type SimFill } from './fill-model'
import { freeMargin, marginNeeded, type MarginState } from './margin-rule'

export interface PaperExchangeOptions {
  /** Quotes older than this are not traded on. */
  staleAfterMs: number
  now?: () => number
}

type Num = { toString(): string }
// What placement and reports read of the rows (Prisma's rows have it too; SQL reads decimals as text).
type PaperOrderRow = { id: string; clientOrderId: string; side: OrderSide; status: OrderStatus; qty: Num; filledQty: Num; rejectReason: string | null }
type PaperFillRow = { id: string; qty: Num; price: Num; fee: Num; feeAsset: string; liquidity: 'MAKER' | 'TAKER'; createdAt: Date }
const ORDER_COLUMNS = Prisma.sql`id, "clientOrderId", side::text AS side, status::text AS status, qty::text AS qty, "filledQty"::text AS "filledQty", "rejectReason"`
const FILL_COLUMNS = Prisma.sql`id, qty::text AS qty, price::text AS price, fee::text AS fee, "feeAsset", liquidity::text AS liquidity, "createdAt"`
type Account = { id: string; quoteCurrency: string; makerFeeRate: Decimal; takerFeeRate: Decimal; fillSeed: number }

const RESTING: OrderStatus[] = ['SUBMITTED', 'PARTIALLY_FILLED']
// Fees are stored to this many places, rounded against the user, so balances always equal
// the sum of recorded fills and fees exactly.
const FEE_DP = 12

/**
 * The paper exchange: an exchange of its own, persisted in PostgreSQL (PaperOrder,
 * PaperFill, PaperBalance), filling against the latest stored market quote through the
 * seeded FillModel. Every call runs in one transaction holding the account's row lock.
 */
export class PaperExchange implements ExchangePort {
  readonly capabilities = { shortSelling: true, nativeStop: false, oco: false, cancelReplace: false } as const

  constructor(
    private readonly db: Db,
    readonly accountId: string,
    private readonly opts: PaperExchangeOptions,
  ) {}

  /** As the feed last wrote them (read again at most every RULES_REREAD_MS); a placement checks against them as they stand then. */
  async marketRules(symbol: string): Promise<MarketRules> {
    const rules = await recentMarketRules(this.db, symbol)
    if (!rules) throw new ExchangeError(`no market rules known for ${symbol} yet (the market-data feed has not loaded it)`, true)
    return rules
  }

  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    return withSqlTransaction(poolOf(this.db), (tx) => this.place(tx, req))
  }

  /** The placement and the caller's bookkeeping of its report in one transaction (see ExchangePort). */
  async placeOrderAndApply(req: PlaceOrderRequest, apply: (report: OrderReport, tx: SqlTx) => Promise<void>, within?: SqlTx): Promise<OrderReport> {
    const placeAndApply = async (tx: SqlTx) => {
      const r = await this.place(tx, req)
      await apply(r, tx)
      return r
    }
    return within ? placeAndApply(within) : withSqlTransaction(poolOf(this.db), placeAndApply)
  }

  private async place(tx: SqlTx, req: PlaceOrderRequest): Promise<OrderReport> {
    {
      // The market is read in the statement that takes the account's lock (as of that statement's
      // start, as when it was a statement of its own ahead of the lock): every statement after
      // the lock is one that the account's other placements wait for.
      const locked = inFlight(lockAccountReadingMarket(tx, this.accountId, req.symbol))
      // Sent with the lock, the book is read once the lock is granted (see inFlight); unread when
      // the order is refused before it is needed.
      const bookRead = inFlight(loadBook(tx, this.accountId))
      const { account, rules, quote } = await locked
      // An order placed before under this client order id is not looked up first: recording this
      // one finds it (see record), and its report is returned instead, whatever this one's fate.
      const reject = async (reason: string) => {
        const r = await this.record(tx, req, 'REJECTED', reason)
        return r.placedBefore ? report(tx, r.order) : reportOf(r.order, [])
      }
      if (!rules) return reject(`unknown symbol ${req.symbol}`)
      const now = this.opts.now?.() ?? Date.now()
      if (!quote) return reject(`no market price for ${req.symbol} yet`)
      const age = quoteAgeMs(quote, now)
      if (isStale(age, this.opts.staleAfterMs)) {
        return reject(`market price for ${req.symbol} is stale (${Math.round(age / 1000)} s old, limit ${this.opts.staleAfterMs / 1000} s)`)
      }
      const refPrice = req.price ?? req.triggerPrice ?? (req.side === 'BUY' ? quote.ask : quote.bid)
      const sizeProblems = checkOrderSize(rules, req.qty, refPrice)
      if (sizeProblems.length) return reject(sizeProblems.join('; '))
      if (req.type !== 'MARKET' && !(req.type === 'LIMIT' ? req.price : req.triggerPrice)?.gt(0)) {
        return reject(`${req.type} order needs a positive ${req.type === 'LIMIT' ? 'price' : 'trigger price'}`)
      }

      const model = fillModelFor(account, req.clientOrderId)
      const book = await bookRead
      const holding = book.balances.find((b) => b.asset === rules.base)?.amount ?? ZERO
      const delta = req.side === 'BUY' ? req.qty : req.qty.neg()
      if (req.reduceOnly) {
        const reduces = req.side === 'SELL' ? holding.gte(req.qty) : holding.neg().gte(req.qty)
        if (!reduces) return reject(`reduce-only ${req.side} of ${req.qty.toFixed()} ${rules.base} exceeds the position (${holding.toFixed()} ${rules.base} held)`)
      } else {
        const fee = model.fee(req.qty.mul(refPrice), req.type === 'LIMIT' ? 'MAKER' : 'TAKER')
        const needed = marginNeeded(holding, delta, refPrice, fee)
        const available = freeMargin(marginState(account, book))
        if (needed.gt(available)) {
          return reject(
            `insufficient balance: the order needs ${needed.toFixed(2)} ${account.quoteCurrency} of free equity, ${available.toFixed(2)} ${account.quoteCurrency} is available (paper accounts trade without leverage)`,
          )
        }
      }

      // A limit that crosses the market fills at once as far as the book allows, as on an exchange.
      const taken = req.type === 'LIMIT' ? model.marketableLimitFills({ side: req.side, qty: req.qty, limitPrice: req.price! }, snapshot(quote), rules) : []
      if (taken.length) {
        const filled = await this.recordFilled(tx, account, rules, req, taken)
        return filled ?? report(tx, await this.placedBefore(tx, req.clientOrderId))
      }
      if (req.type !== 'MARKET') {
        const { order, placedBefore } = await this.record(tx, req, 'SUBMITTED')
        return placedBefore ? report(tx, order) : reportOf(order, [])
      }
      const filled = await this.recordFilled(tx, account, rules, req, model.marketFills(req.side, req.qty, snapshot(quote), rules))
      return filled ?? report(tx, await this.placedBefore(tx, req.clientOrderId))
    }
  }

  async cancelOrder(clientOrderId: string): Promise<OrderReport> {
    return this.db.$transaction(async (tx) => {
      await lockAccount(tx, this.accountId)
      const order = await tx.paperOrder.findUnique({ where: { accountId_clientOrderId: { accountId: this.accountId, clientOrderId } } })
      if (!order) throw new ExchangeError(`order ${clientOrderId} is unknown to the paper exchange`, false)
      if (!RESTING.includes(order.status)) return report(tx, order)
      const updated = await tx.paperOrder.update({ where: { id: order.id }, data: { status: 'CANCELED' } })
      return report(tx, updated)
    })
  }

  async fetchOrder(clientOrderId: string): Promise<OrderReport | null> {
    const order = await this.db.paperOrder.findUnique({ where: { accountId_clientOrderId: { accountId: this.accountId, clientOrderId } } })
    return order ? report(this.db, order) : null
  }

  async fetchBalances(): Promise<Balance[]> {
    const rows = await this.db.accountBalance.findMany({ where: { accountId: this.accountId }, orderBy: { asset: 'asc' } })
    return rows.map((r) => ({ asset: r.asset, amount: fromDb(r.amount) }))
  }

  /**
   * Writes the order unless one with its client order id exists already (placing an id twice is a
   * no-op): then that order is returned, with placedBefore. Under the account's lock, so no other
   * placement of the id can be in flight.
   */
  private async record(tx: SqlTx, req: PlaceOrderRequest, status: OrderStatus, rejectReason?: string): Promise<{ order: PaperOrderRow; placedBefore: boolean }> {
    const now = new Date()
    const [order] = await tx.$queryRaw<PaperOrderRow[]>`
      INSERT INTO "PaperOrder" (id, "accountId", "clientOrderId", symbol, side, type, qty, price, "triggerPrice", "reduceOnly", status, "rejectReason", "createdAt", "updatedAt")
      VALUES (${newId()}, ${this.accountId}, ${req.clientOrderId}, ${req.symbol}, ${req.side}::"OrderSide", ${req.type}::"OrderType", ${toDb(req.qty)}::numeric,
        ${req.price ? toDb(req.price) : null}::numeric, ${req.triggerPrice ? toDb(req.triggerPrice) : null}::numeric, ${req.reduceOnly}, ${status}::"OrderStatus",
        ${rejectReason ?? null}, ${now}::timestamp, ${now}::timestamp)
      ON CONFLICT ("accountId", "clientOrderId") DO NOTHING
      RETURNING ${ORDER_COLUMNS}`
    if (order) return { order, placedBefore: false }
    return { order: await this.placedBefore(tx, req.clientOrderId), placedBefore: true }
  }

  /**
   * A market order fills as it is placed: the order is written filled, with its fills and both
   * balances moved, in one statement. Null when its client order id was placed before (then
   * nothing is written, as in record).
   */
  private async recordFilled(tx: SqlTx, account: Account, rules: MarketRules, req: PlaceOrderRequest, fills: SimFill[]): Promise<OrderReport | null> {
    const id = newId()
    const at = new Date()
    const booked = bookFills(account, rules, req.side, ZERO, fills)
    const status = filledStatus(booked.filled, req.qty)
    const [row] = await tx.$queryRaw<FilledOrderRow[]>`
      WITH o AS (
        INSERT INTO "PaperOrder" (id, "accountId", "clientOrderId", symbol, side, type, qty, "filledQty", price, "triggerPrice", "reduceOnly", status, "createdAt", "updatedAt")
        VALUES (${id}, ${this.accountId}, ${req.clientOrderId}, ${req.symbol}, ${req.side}::"OrderSide", ${req.type}::"OrderType", ${toDb(req.qty)}::numeric,
          ${toDb(booked.filled)}::numeric, ${req.price ? toDb(req.price) : null}::numeric, ${req.triggerPrice ? toDb(req.triggerPrice) : null}::numeric, ${req.reduceOnly}, ${status}::"OrderStatus", ${at}::timestamp, ${at}::timestamp)
        ON CONFLICT ("accountId", "clientOrderId") DO NOTHING
        RETURNING ${ORDER_COLUMNS}
      ), ${fillsAndBalances(account, id, booked, at, Prisma.sql`WHERE EXISTS (SELECT 1 FROM o)`)}
      SELECT o.*, (SELECT jsonb_agg(to_jsonb(f) ORDER BY f.id) FROM f) AS fills FROM o`
    return row ? reportOfFilled(row) : null
  }

  private async placedBefore(tx: SqlTx, clientOrderId: string): Promise<PaperOrderRow> {
    const [before] = await tx.$queryRaw<PaperOrderRow[]>`
      SELECT ${ORDER_COLUMNS} FROM "PaperOrder" WHERE "accountId" = ${this.accountId} AND "clientOrderId" = ${clientOrderId}`
    return before!
  }
}

/**
 * Matches every resting paper order on `symbol` against a new quote: limit orders fill when
 * the market trades through them, stops trigger on touch and fill as market orders.
 * Returns the (accountId, clientOrderId) of each order that changed.
 */
export async function matchRestingPaperOrders(
  db: Db,
  symbol: string,
  /** Only the orders of these accounts (a worker matches the accounts it owns); all by default. */
  owns: (accountId: string) => boolean = () => true,
): Promise<{ accountId: string; clientOrderId: string }[]> {
  const candidates = await db.paperOrder.findMany({ where: { symbol, status: { in: RESTING } }, select: { id: true, accountId: true } })
  const changed: { accountId: string; clientOrderId: string }[] = []
  for (const { id } of candidates.filter((c) => owns(c.accountId))) {
    const hit = await db.$transaction(async (tx) => {
      const order = await tx.paperOrder.findUniqueOrThrow({ where: { id } })
      // Locked with the market read in the same statement, as a placement does.
      const { account, quote, rules } = await lockAccountReadingMarket(tx, order.accountId, symbol)
      const fresh = await tx.paperOrder.findUniqueOrThrow({ where: { id } })
      if (!RESTING.includes(fresh.status)) return false
      if (!quote || !rules) return false
      const model = fillModelFor(account, `${fresh.clientOrderId}:${fresh.updatedAt.getTime()}`)
      const remaining = fromDb(fresh.qty).minus(fromDb(fresh.filledQty))
      const snap = snapshot(quote)
      let fills: SimFill[] = []
      if (fresh.type === 'LIMIT') {
        fills = model.limitFill({ side: fresh.side, qty: remaining, limitPrice: fromDb(fresh.price!) }, snap)
      } else if (fresh.type === 'STOP_MARKET' && model.stopTriggered({ side: fresh.side, triggerPrice: fromDb(fresh.triggerPrice!) }, snap)) {
        fills = model.marketFills(fresh.side, remaining, snap, rules)
      }
      if (fills.length === 0) return false
      await applyFills(tx, account, rules, fresh, fills)
      return true
    })
    if (hit) {
      const o = await db.paperOrder.findUniqueOrThrow({ where: { id }, select: { accountId: true, clientOrderId: true } })
      changed.push(o)
    }
  }
  return changed
}

type AccountRow = { id: string; quoteCurrency: string; makerFeeRate: string; takerFeeRate: string; fillSeed: number }
// The rates as text, exactly as stored.
const ACCOUNT_COLUMNS = Prisma.sql`a.id, a."quoteCurrency", a."makerFeeRate"::text AS "makerFeeRate", a."takerFeeRate"::text AS "takerFeeRate", a."fillSeed"`
// NO KEY UPDATE: it excludes every other placement on the account (and a halt), but not the
// foreign-key checks of rows that name the account (an exit's order, a position), which FOR UPDATE
// would hold up for the whole placement: panic's exits waited on each other's fills that way.
const ACCOUNT_LOCK = Prisma.sql`FOR NO KEY UPDATE OF a`

async function lockAccount(tx: SqlTx, accountId: string): Promise<Account> {
  const [a] = await tx.$queryRaw<AccountRow[]>`SELECT ${ACCOUNT_COLUMNS} FROM "ExchangeAccount" a WHERE a.id = ${accountId} ${ACCOUNT_LOCK}`
  return toAccount(accountId, a)
}

/** lockAccount, with the symbol's quote and market rules read in the same statement. */
async function lockAccountReadingMarket(tx: SqlTx, accountId: string, symbol: string) {
  const [a] = await tx.$queryRaw<(AccountRow & Parameters<typeof marketFromColumns>[0])[]>`
    SELECT ${ACCOUNT_COLUMNS}, ${marketColumns(symbol)} FROM "ExchangeAccount" a WHERE a.id = ${accountId} ${ACCOUNT_LOCK}`
  return { account: toAccount(accountId, a), ...marketFromColumns(a!) }
}

function toAccount(accountId: string, a: AccountRow | undefined): Account {
  if (!a) throw new ExchangeError(`paper account ${accountId} does not exist`, false)
  return { id: a.id, quoteCurrency: a.quoteCurrency, makerFeeRate: fromDb(a.makerFeeRate), takerFeeRate: fromDb(a.takerFeeRate), fillSeed: Number(a.fillSeed) }
}

/** The same order always simulates the same way, whatever else happened before it. */
function fillModelFor(account: Account, key: string): FillModel {
  const h = createHash('sha256').update(key).digest().readUInt32LE(0)
  return new FillModel({ makerFeeRate: account.makerFeeRate, takerFeeRate: account.takerFeeRate }, seededRandom((account.fillSeed ^ h) >>> 0))
}

function snapshot(q: StoredQuote): MarketSnapshot {
  return { bid: q.bid, ask: q.ask, last: q.last, bids: q.bids, asks: q.asks }
}

/** The account's balances, each with the quote of its market against the account's currency, and what its resting orders reserve. */
interface PaperBook {
  balances: { asset: string; amount: Decimal; bid: Decimal | null; ask: Decimal | null }[]
  reserved: Decimal
}

/** PaperBook in one statement (it runs under the account's lock, on every placement). */
async function loadBook(tx: SqlTx, accountId: string): Promise<PaperBook> {
  const rows = await tx.$queryRaw<{ asset: string | null; amount: string | null; bid: string | null; ask: string | null; reserved: string }[]>`
    SELECT b.asset, b.amount::text AS amount, q.bid::text AS bid, q.ask::text AS ask, res.reserved::text AS reserved
    FROM (
      SELECT COALESCE(sum((o.qty - o."filledQty") * COALESCE(o.price, o."triggerPrice", 0)), 0) AS reserved
      FROM "PaperOrder" o WHERE o."accountId" = ${accountId} AND o.status IN ('SUBMITTED', 'PARTIALLY_FILLED') AND NOT o."reduceOnly"
    ) res
    LEFT JOIN "PaperBalance" b ON b."accountId" = ${accountId}
    LEFT JOIN "ExchangeAccount" a ON a.id = ${accountId}
    LEFT JOIN "MarketRule" r ON r.base = b.asset AND r.quote = a."quoteCurrency"
    LEFT JOIN "MarketQuote" q ON q.symbol = r.symbol`
  return {
    reserved: fromDb(rows[0]!.reserved),
    balances: rows.flatMap((r) => (r.asset === null ? [] : [{ asset: r.asset, amount: fromDb(r.amount!), bid: fromDbOrNull(r.bid), ask: fromDbOrNull(r.ask) }])),
  }
}

function marginState(account: Account, book: PaperBook): MarginState {
  // Holdings are valued at the bid (long) or ask (short) of their market against the account's currency.
  let cash = ZERO
  const holdings: MarginState['holdings'] = []
  for (const b of book.balances) {
    if (b.asset === account.quoteCurrency) cash = cash.plus(b.amount)
    else if (!b.amount.isZero()) {
      const mark = b.amount.gt(0) ? b.bid : b.ask
      if (!mark) throw new ExchangeError(`no price to value the ${b.asset} balance`, true)
      holdings.push({ qty: b.amount, mark })
    }
  }
  return { cash, holdings, reserved: book.reserved }
}

/**
 * What fills do to the books: each fill's row (its fee rounded against the user), the order's
 * filled quantity after them, and the exact sums that move the quote cash and the base holding.
 */
function bookFills(account: Account, rules: MarketRules, side: OrderSide, filledBefore: Decimal, fills: SimFill[]) {
  let filled = filledBefore
  let cashDelta = ZERO
  let baseDelta = ZERO
  const rows = fills.map((f) => {
    const fee = f.fee.toDecimalPlaces(FEE_DP, Decimal.ROUND_UP)
    const notional = f.price.mul(f.qty)
    cashDelta = cashDelta.plus(side === 'BUY' ? notional.plus(fee).neg() : notional.minus(fee))
    baseDelta = baseDelta.plus(side === 'BUY' ? f.qty : f.qty.neg())
    filled = filled.plus(f.qty)
    return { id: newId(), qty: toDb(f.qty), price: toDb(f.price), fee: toDb(fee), liquidity: f.liquidity }
  })
  const balances = [{ asset: account.quoteCurrency, amount: toDb(cashDelta) }, { asset: rules.base, amount: toDb(baseDelta) }]
  return { rows, filled, balances }
}

function filledStatus(filled: Decimal, qty: Decimal): OrderStatus {
  return filled.gte(qty) ? 'FILLED' : 'PARTIALLY_FILLED'
}

/**
 * WITH clauses that insert order `orderId`'s booked fills (f, returning them, ids in the order
 * given) and move both balances by their sums (b), each only where `guard` holds.
 */
function fillsAndBalances(account: Account, orderId: string, booked: ReturnType<typeof bookFills>, at: Date, guard: Prisma.Sql) {
  return Prisma.sql`f AS (
      INSERT INTO "PaperFill" (id, "paperOrderId", qty, price, fee, "feeAsset", liquidity, "createdAt")
      SELECT v.id, ${orderId}, v.qty::numeric, v.price::numeric, v.fee::numeric, ${account.quoteCurrency}, v.liquidity::"Liquidity", ${at}::timestamp
      FROM jsonb_to_recordset(${JSON.stringify(booked.rows)}::jsonb) AS v(id text, qty text, price text, fee text, liquidity text) ${guard}
      RETURNING ${FILL_COLUMNS}
    ), b AS (
      INSERT INTO "PaperBalance" ("accountId", asset, amount, "updatedAt")
      SELECT ${account.id}, r.asset, r.amount::numeric, now() FROM jsonb_to_recordset(${JSON.stringify(booked.balances)}::jsonb) AS r(asset text, amount text) ${guard}
      ON CONFLICT ("accountId", asset) DO UPDATE SET amount = "PaperBalance".amount + EXCLUDED.amount, "updatedAt" = now()
    )`
}

type FilledOrderRow = PaperOrderRow & { fills: (Omit<PaperFillRow, 'createdAt'> & { createdAt: string })[] }

function reportOfFilled({ fills, ...order }: FilledOrderRow): OrderReport {
  return reportOf(order, fills.map((f) => ({ ...f, createdAt: new Date(`${f.createdAt}Z`) })))
}

/** Books a resting order's fills: balances move, and the order's filled quantity and status follow, in one statement. */
async function applyFills(tx: SqlTx, account: Account, rules: MarketRules, order: PaperOrderRow, fills: SimFill[]) {
  const at = new Date()
  const booked = bookFills(account, rules, order.side, fromDb(order.filledQty), fills)
  await tx.$executeRaw`
    WITH ${fillsAndBalances(account, order.id, booked, at, Prisma.empty)}
    UPDATE "PaperOrder" SET "filledQty" = ${toDb(booked.filled)}::numeric, status = ${filledStatus(booked.filled, fromDb(order.qty))}::"OrderStatus", "updatedAt" = ${at}::timestamp
    WHERE id = ${order.id}`
}

async function report(tx: SqlTx, order: PaperOrderRow): Promise<OrderReport> {
  return reportOf(order, await tx.$queryRaw<PaperFillRow[]>`SELECT ${FILL_COLUMNS} FROM "PaperFill" WHERE "paperOrderId" = ${order.id} ORDER BY "createdAt", id`)
}

function reportOf(order: PaperOrderRow, fills: PaperFillRow[]): OrderReport {
  return {
    clientOrderId: order.clientOrderId,
    exchangeOrderId: order.id,
    status: order.status,
    filledQty: fromDb(order.filledQty),
    rejectReason: order.rejectReason ?? undefined,
    fills: fills.map((f) => exchangeFillFromRow(f, `paper-${f.id}`)),
  }
}
