import { z } from 'zod'
import { poolOf, sqlOf, type Db } from '@/lib/db/client'
import { inFlight, withSqlTransaction, writeAhead } from '@/lib/db/sql-tx'
import { Prisma } from '@/lib/generated/prisma/client'
import type { AccountMode, TraderStatus } from '@/lib/generated/prisma/enums'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { entryFillPrice } from '@/lib/domain/positions/entry-price'
import { checkOrderSize, priceRoundingFor, roundPriceToTick, truncateQtyToStep } from '@/lib/domain/market/precision'
import { entrySideFor } from '@/lib/domain/positions/fill-ledger'
import { validateProtection } from '@/lib/domain/positions/protection-rules'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordPositionEvent, withBatchedAudit } from '@/lib/server/audit/record-position-event'
import { conflict, fromZodError, notFound, validationError } from '@/lib/server/errors/app-error'
import { exchangeAppError } from '@/lib/server/errors/known-error'
import type { ExchangePort } from '@/lib/exchange/port'
import type { Venue } from '@/lib/server/exchange/venue-adapter'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { newClientOrderId } from '@/lib/server/orders/client-order-id'
import { newOrder } from '@/lib/server/orders/new-order'
import { newId } from '@/lib/db/new-id'
import { quoteColumn, toStoredQuote, type QuoteRow } from '@/lib/market-data/quote-store'
import { submitOrder, submitOrderWithin } from '@/lib/server/orders/submit-order'
import { assertSwitchesOn, lockTraderForEntry } from '@/lib/server/trading/halt-trading'
import { assertEntryWithinLimits, recordRiskRejection, RiskRejection, type OrderSource } from '@/lib/server/risk/entry-risk'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { activeInSymbolSql } from './active-position'
import { entryExchangeError } from './entry-unconfirmed'
import { keyedEntry, KeyedEntryExists } from './keyed-entry'
import { REQUEST_KEY_HEADER, requestHash } from './request-key'
import { inEntrySlot } from './entry-slots'
import { checkFresh } from './market-context'
import { transitionPosition } from '@/lib/domain/positions/position-lifecycle'
import { textField } from '@/lib/server/validation/text-field'
import { ZIdField } from '@/lib/server/validation/id-field'

export const ZTakeProfitInput = z.strictObject({ price: ZPositiveDecimal, sharePct: ZPositiveDecimal })

export const ZOpenPositionRequest = z
  .strictObject({
    traderId: ZIdField,
    symbol: textField({ max: 40 }).toUpperCase().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'must look like BTC/USDT'),
    side: z.enum(['LONG', 'SHORT']),
    sizeMode: z.enum(['QUOTE', 'BASE']),
    size: ZPositiveDecimal,
    entryType: z.enum(['MARKET', 'LIMIT']),
    limitPrice: ZPositiveDecimal.optional(),
    stopLoss: ZPositiveDecimal,
    takeProfits: z.array(ZTakeProfitInput).max(10, 'at most 10 take-profit levels').default([]),
  })
  .superRefine((v, ctx) => {
    if (v.entryType === 'LIMIT' && !v.limitPrice) ctx.addIssue({ code: 'custom', path: ['limitPrice'], message: 'is required for a limit entry' })
  })
export type OpenPositionRequest = z.input<typeof ZOpenPositionRequest>

// The status a new position commits in: CREATED, then its entry order sent.
const SUBMITTING = (() => {
  const r = transitionPosition('CREATED', 'ENTRY_SUBMITTED')
  if (!r.ok) throw r.error
  return r.value
})()

type TraderRow = {
  id: string; userId: string; accountId: string; name: string; status: TraderStatus; statusReason: string | null; statusChangedAt: Date | null; watchlist: string[]; quoteCurrency: string
  accountName: string; kind: 'PAPER' | 'CCXT'; venue: Venue | null; halted: boolean; haltedReason: string | null; haltedAt: Date | null; mode: AccountMode; reconcileError: string | null; reconciledAt: Date | null; takerFeeRate: string
}

/**
 * The user's trader with what an entry needs of its account, and our feed's latest quote of the
 * symbol (null when there is none), in one statement; null when there is no such trader.
 */
/** Advisory locks of one entry per account and symbol (see openPosition). */
const ACCOUNT_SYMBOL_LOCK_CLASS = 7_315

async function readTrader(db: Db, traderId: string, userId: string, symbol: string) {
  const [row] = await sqlOf(db).$queryRaw<(TraderRow & { quote: QuoteRow | null })[]>`
    SELECT t.id, t."userId", t."accountId", t.name, t.status::text AS status, t."statusReason", t."statusChangedAt", t.watchlist, t."quoteCurrency",
      a.name AS "accountName", a.kind::text AS kind, a.venue::text AS venue, a.halted, a."haltedReason", a."haltedAt", a.mode::text AS mode,
      a."reconcileError", a."reconciledAt", a."takerFeeRate"::text AS "takerFeeRate", ${quoteColumn(symbol)}
    FROM "Trader" t JOIN "ExchangeAccount" a ON a.id = t."accountId" WHERE t.id = ${traderId} AND t."userId" = ${userId}`
  if (!row) return null
  const { quote, ...r } = row
  const account = {
    id: r.accountId, name: r.accountName, kind: r.kind, venue: r.venue, halted: r.halted, haltedReason: r.haltedReason, haltedAt: r.haltedAt,
    mode: r.mode, reconcileError: r.reconcileError, reconciledAt: r.reconciledAt, takerFeeRate: r.takerFeeRate,
  }
  return { ...r, account, quote: quote && toStoredQuote(quote) }
}

/**
 * Opens a position by hand: validates everything before any write, persists the position,
 * its take-profits and the entry order (with its client order id) in one transaction,
 * then sends the order and applies the exchange's answer (for an exchange in our own database,
 * still inside that transaction).
 */
export async function openPosition(opts: {
  db: Db
  userId: string
  actor: ActorRef
  input: unknown
  /** Which path the order came from, for the risk log; all paths pass the same limits. */
  source?: OrderSource
  /** The journal entry behind an automated entry. */
  decisionId?: string
  /** The exchange to send the entry to; by default the account's own (see exchangeForAccount). */
  exchange?: ExchangePort
  /** The webhook signal behind the entry: written on the position (unique), so a signal opens at most one. */
  signalId?: string
  /**
   * A leg of a position group: written on the position (groupLegId is unique, so a leg is placed at
   * most once). Its group's other legs may hold the symbol already, and the risk limits were
   * checked for the whole pyramid when it was planned, so they are not checked again per leg.
   */
  groupLeg?: { legId: string; groupId: string }
  /** The request's Idempotency-Key: an entry with the same key on the same trader is not placed again (see keyedEntry). */
  requestKey?: string
}): Promise<{ positionId: string; replayed?: true }> {
  const parsed = ZOpenPositionRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const req = parsed.data
  if (!opts.requestKey) return inEntrySlot(() => open(opts, req))
  // Before any check of the market: a repeat of an entry that went through answers with it even
  // if the price has moved since.
  const key = opts.requestKey
  const hash = requestHash(req)
  const attempt = await keyedEntry(opts.db, opts.userId, req, key, hash)
  if ('replay' in attempt) return attempt.replay
  return inEntrySlot(() => open(opts, req, { clientOrderId: attempt.next, requestHash: hash })).catch(async (e: unknown) => {
    if (!(e instanceof KeyedEntryExists)) throw e
    // A repeat that came in while this one ran recorded its entry first: that entry stands.
    const raced = await keyedEntry(opts.db, opts.userId, req, key, hash)
    if ('replay' in raced) return raced.replay
    throw conflict(`a request with this ${REQUEST_KEY_HEADER} ran at the same moment and its order was not sent; try again`)
  })
}

async function open(opts: Parameters<typeof openPosition>[0], req: z.output<typeof ZOpenPositionRequest>, keyed?: { clientOrderId: string; requestHash: string }): Promise<{ positionId: string }> {
  const { db, userId, actor } = opts
  const source = opts.source ?? (actor.kind === 'API' ? 'API' : 'UI')

  const trader = await readTrader(db, req.traderId, userId, req.symbol)
  if (!trader) throw notFound('trader')
  // A halted account or a paused trader answers 409 before anything else (even a stale price);
  // checked again under the lock below.
  assertSwitchesOn(trader.account, trader)
  if (!trader.watchlist.includes(req.symbol)) {
    throw validationError([{ field: 'symbol', message: `${req.symbol} is not on ${trader.name}'s watchlist (${trader.watchlist.join(', ')})` }])
  }
  const exchange = opts.exchange ?? exchangeForAccount(db, trader.account)
  if (req.side === 'SHORT' && exchange.capabilities?.shortSelling === false) {
    throw validationError([{ field: 'side', message: `account "${trader.account.name}" trades spot: it can only go LONG (it cannot sell what it does not hold)` }])
  }
  const { quote } = checkFresh(req.symbol, trader.quote)
  // The market's rules (tick, step, minimums) from the exchange itself.
  const rules = await exchange.marketRules(req.symbol)
  if (rules.quote !== trader.quoteCurrency) {
    throw validationError([{ field: 'symbol', message: `${req.symbol} is not quoted in the trader's currency ${trader.quoteCurrency}` }])
  }

  const entrySide = entrySideFor(req.side)
  // The price a market entry would take, and its name in a refused stop's or target's message.
  const market = entrySide === 'BUY' ? { price: quote.ask, name: 'the ask' } : { price: quote.bid, name: 'the bid' }
  const limitPrice = req.limitPrice ? roundPriceToTick(req.limitPrice, rules.tickSize, priceRoundingFor(req.side, 'ENTRY_LIMIT')) : undefined
  const refPrice = limitPrice ?? market.price
  const rawQty = req.sizeMode === 'BASE' ? req.size : req.size.div(refPrice)
  const qty = truncateQtyToStep(rawQty, rules.stepSize)
  const sizeProblems = qty.isZero() ? [`size rounds to zero at step ${rules.stepSize.toFixed()}`] : checkOrderSize(rules, qty, refPrice)
  if (sizeProblems.length) throw validationError(sizeProblems.map((message) => ({ field: 'size', message })))

  const stopLoss = roundPriceToTick(req.stopLoss, rules.tickSize, priceRoundingFor(req.side, 'STOP'))
  const takeProfits = req.takeProfits.map((tp) => ({ price: roundPriceToTick(tp.price, rules.tickSize, priceRoundingFor(req.side, 'TAKE_PROFIT')), sharePct: tp.sharePct }))
  // Judged against the price the entry fills at: a limit already past the market fills there.
  const fill = entryFillPrice(req.side, quote, limitPrice)
  const referenceName = !limitPrice ? market.name : fill.atMarket ? `${market.name} the limit fills at` : 'the limit price'
  const protectionErrors = validateProtection({ side: req.side, referencePrice: fill.price, referenceName, stopLoss, takeProfits })
  if (protectionErrors.length) throw validationError(protectionErrors)

  // What the entry puts at stake: its notional, and what hitting the stop would cost with fees.
  const fee = fromDb(trader.account.takerFeeRate)
  const notional = qty.mul(refPrice)
  const riskAmount = qty.mul(refPrice.minus(stopLoss).abs()).plus(notional.mul(fee)).plus(qty.mul(stopLoss).mul(fee))

  // In SQL on the pool's connection, not through Prisma: the entry is the hot path, and every
  // statement through Prisma's engine costs this process several times as much CPU.
  const { positionId, order, placed } = await withSqlTransaction(poolOf(db), (tx) => withBatchedAudit(tx, async () => {
    // One active position per trader and symbol: exits are reduce-only on a netted balance.
    // The trader's row as it stands under the lock (status for the switch, limits and peak for
    // risk), and its account's switch: an entry either commits before a panic's halt or is refused.
    // The reads below are sent with it (see inFlight): each runs once the statement before it is
    // done, so after the lock is granted, and sees what the trader's entries before committed.
    const locked = inFlight(lockTraderForEntry(tx, trader.id))
    // A repeat of this keyed request that came in while it ran: the first attempt's entry stands.
    const keyedBefore = keyed && inFlight(tx.$queryRaw<unknown[]>`SELECT 1 FROM "Order" WHERE "clientOrderId" = ${keyed.clientOrderId}`)
    // ...and one per account and symbol: on an exchange account shared by traders, the exchange
    // nets one balance per asset, so two traders' positions in a symbol could not be told apart.
    // The legs of a trader's groups on one side share the symbol (each holds its own quantity; a
    // group on another timeframe too), with nothing else. Traders of a shared account hold no
    // lock in common, so their entries in one symbol take turns here (the check below is a later
    // statement, which sees what the one before committed); a paper account has one trader.
    const symbolTurn = trader.account.kind === 'CCXT' && inFlight(tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACCOUNT_SYMBOL_LOCK_CLASS}::int, hashtext(${`${trader.accountId}|${req.symbol}`}))`)
    const activeRows = inFlight(
      tx.$queryRaw<{ id: string; traderId: string }[]>(
        activeInSymbolSql({ traderId: trader.id, accountId: trader.accountId, symbol: req.symbol, groupLegSide: opts.groupLeg ? req.side : undefined }),
      ),
    )
    const current = await locked
    if (keyedBefore && (await keyedBefore).length) throw new KeyedEntryExists()
    if (symbolTurn) await symbolTurn
    const [active] = await activeRows
    if (active?.traderId === trader.id) throw conflict(`${trader.name} already has an active ${req.symbol} position; close it or modify it instead`)
    if (active) throw conflict(`another trader on account "${trader.account.name}" holds ${req.symbol}; one trader per symbol and account at a time`)
    const user = { timeZone: current.timeZone, riskLimits: current.userRiskLimits, pnlPeak: current.userPnlPeak }
    if (!opts.groupLeg) await assertEntryWithinLimits(tx, current, user, { symbol: req.symbol, side: req.side, notional, riskAmount })
    // The position, its take-profit levels and its entry order in one statement (the foreign keys
    // are checked at its end). Created and sent in this transaction, the position is written
    // straight in the state it commits in (CREATED, then ENTRY_SUBMITTED), each step audited below.
    const position = { id: newId() }
    const now = new Date()
    const limit = limitPrice ? toDb(limitPrice) : null
    const { insert: orderInsert, order, created } = newOrder({
      accountId: trader.accountId, traderId: trader.id, positionId: position.id, clientOrderId: keyed?.clientOrderId ?? newClientOrderId('e'), symbol: req.symbol,
      side: entrySide, type: req.entryType, purpose: 'ENTRY', qty: toDb(qty), price: limit, expectedPrice: toDb(refPrice), reduceOnly: false,
      requestHash: keyed?.requestHash, createdBy: actor.kind, at: now,
    })
    const levels = takeProfits.map((tp) => ({ id: newId(), price: toDb(tp.price), sharePct: toDb(tp.sharePct) }))
    await writeAhead(tx, Prisma.sql`
      WITH pos AS (
        INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "limitPrice", "stopLoss", "initialStop",
          "signalId", "groupId", "groupLegId", "createdAt", "updatedAt")
        VALUES (${position.id}, ${trader.id}, ${trader.accountId}, ${req.symbol}, ${req.side}::"PositionSide", ${SUBMITTING}::"PositionStatus", ${req.entryType}::"OrderType",
          ${toDb(qty)}::numeric, ${limit}::numeric, ${toDb(stopLoss)}::numeric, ${toDb(stopLoss)}::numeric,
          ${opts.signalId ?? null}, ${opts.groupLeg?.groupId ?? null}, ${opts.groupLeg?.legId ?? null}, ${now}::timestamp(3), ${now}::timestamp(3))
      ), tps AS (
        INSERT INTO "TakeProfit" (id, "positionId", price, "sharePct", "createdAt")
        SELECT v.id, ${position.id}, v.price::numeric, v."sharePct"::numeric, ${now}::timestamp(3)
        FROM jsonb_to_recordset(${JSON.stringify(levels)}::jsonb) AS v(id text, price text, "sharePct" text)
      )
      ${orderInsert}`)
    const tps = takeProfits.map((t) => `${t.price.toFixed()} (${t.sharePct.toFixed()}%)`).join(', ') || 'none'
    await recordPositionEvent(tx, {
      positionId: position.id,
      userId,
      type: 'CREATED',
      actor,
      toStatus: 'CREATED',
      message: `${req.side} ${qty.toFixed()} ${req.symbol} by ${req.entryType.toLowerCase()}${limitPrice ? ` @ ${limitPrice.toFixed()}` : ''}; stop ${stopLoss.toFixed()}; take-profits ${tps}`,
      decisionId: opts.decisionId,
      after: { stopLoss: stopLoss.toFixed(), takeProfits: takeProfits.map((t) => ({ price: t.price.toFixed(), sharePct: t.sharePct.toFixed() })) },
    })
    await recordPositionEvent(tx, {
      positionId: position.id,
      userId,
      type: 'STATUS_CHANGED',
      actor,
      fromStatus: 'CREATED',
      toStatus: SUBMITTING,
      message: `Entry order ${order.clientOrderId} sent`,
    })
    // An exchange in our own database (paper) fills the entry in this same transaction: one
    // commit, and nothing of the entry exists if its placement fails.
    // Both rows were created in this transaction: the report is applied to them as they are.
    const held = { order: created, position: { id: position.id, status: SUBMITTING, side: req.side, symbol: req.symbol, userId } }
    return { positionId: position.id, order, placed: await submitOrderWithin(tx, exchange, order, actor, held) }
  })).catch(async (e: unknown) => {
    // The refusal is logged after the rollback, so nothing of the refused order remains.
    if (e instanceof RiskRejection) await recordRiskRejection(db, { userId, traderId: trader.id, accountId: trader.accountId, source, symbol: req.symbol, rejection: e })
    throw e
  })

  try {
    // Refused: the position has FAILED; the caller hears why rather than of a position opened.
    const refused = placed ? placed.refused : await submitOrder(db, exchange, order, actor)
    if (refused) throw refused
  } catch (e) {
    // The position exists (FAILED, or its entry looked up by client order id): say so, with its id.
    const known = exchangeAppError(e)
    if (known) throw entryExchangeError(known, positionId, order.clientOrderId)
    throw e
  }
  return { positionId }
}
