import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec, Decimal } from '@/lib/domain/decimal'
import { priceDeviationProblem, signalAgeProblem } from '@/lib/domain/signals/signal-checks'
import { reversesOnEntry, sideForAction, type SignalIntent } from '@/lib/domain/signals/signal-intent'
import { sizePosition } from '@/lib/domain/sizing/position-size'
import type { ExchangePort } from '@/lib/exchange/port'
import type { Prisma } from '@/lib/generated/prisma/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { AppError } from '@/lib/server/errors/app-error'
import { knownError } from '@/lib/server/errors/known-error'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { freshQuote } from '@/lib/server/positions/market-context'
import { openPosition } from '@/lib/server/positions/open-position'
import { PRICE_COLUMN } from '@/lib/server/validation/decimal-field'
import { requestExit } from '@/lib/server/positions/request-exit'
import { newClientOrderId } from '@/lib/server/orders/client-order-id'
import { loadRiskState } from '@/lib/server/risk/load-risk-state'
import { readTraderSettings } from '@/lib/server/traders/trader-settings'
import { readGroupSettings } from '@/lib/server/groups/group-settings'
import { closeGroupsForSignal, enterGroup, timeframeOf } from './group-signal'
import { readSignalSettings, type SignalSettings } from './signal-settings'

export interface ProcessSignalOptions {
  db: Db
  signalId: string
  actor: ActorRef
  /** The exchange of an account; by default the account's own (the worker's seam for tests). */
  exchangeFor?: (account: AccountRef) => ExchangePort
  now?: () => Date
  /** How long a reverse waits for the close to fill before giving up on the open (default 30 s). */
  closeWaitMs?: number
  /** How long an entry waits for the symbol's first (or a fresh) quote, within the signal's max lag; default 15 s. */
  quoteWaitMs?: number
}

export type SignalOutcome = { status: 'DONE' | 'REJECTED' | 'FAILED' | 'WAITING'; reason: string | null; result: Record<string, unknown>; positionId?: string | null }
type Outcome = SignalOutcome

// A refusal by a service (the request cannot be carried out as it is) rejects the signal; a
// failure to reach the market or the exchange, or anything unexpected, fails it.
const REFUSALS = new Set(['VALIDATION', 'CONFLICT', 'RISK_LIMIT', 'EXCHANGE_REJECTED', 'NOT_FOUND', 'FORBIDDEN'])
const ACTIVE = { notIn: ['CLOSED', 'FAILED'] } as Prisma.EnumPositionStatusFilter
const CLOSABLE = new Set(['OPEN', 'MONITORING'])
const MAX_ATTEMPTS = 5
// A trader whose automated entries (or exits) wait for a person's approval: a signal is automated,
// and cannot wait for one yet, so it is refused rather than carried out unapproved.
const APPROVAL_REFUSAL = (what: 'entries' | 'exits') =>
  `this trader's automated ${what} need a person's approval (its Approvals settings), and signals cannot wait for one yet: turn ${what === 'entries' ? 'entry' : 'exit'} approvals off to trade on signals`

/**
 * Carries out one claimed (PROCESSING) signal through the services a person uses, and writes its
 * outcome on the signal: DONE, REJECTED or FAILED, the reason, a result (position, order, figures)
 * and processedAt. Safe to run again on a signal whose worker died part way: an entry it made is
 * found by the position's signalId (unique, written in the entry's own transaction), a close it
 * started is found by the position it noted before sending the exit. Null when the signal was not
 * this attempt's to write: not PROCESSING when it began, or taken by a later attempt meanwhile.
 */
export async function processSignal(o: ProcessSignalOptions): Promise<Outcome | null> {
  const s = await loadSignal(o.db, o.signalId)
  if (!s || s.status !== 'PROCESSING') return null
  const now = o.now?.() ?? new Date()
  const settings = readSignalSettings(s.trader.signalSettings)
  let outcome: Outcome
  try {
    // Each claim or adoption counts an attempt; one that keeps stopping part way is given up.
    outcome = s.attempts > MAX_ATTEMPTS
      ? { status: 'FAILED', reason: `given up after ${MAX_ATTEMPTS} attempts that did not finish`, result: { code: 'INTERNAL' }, positionId: (await o.db.position.findUnique({ where: { signalId: s.id }, select: { id: true } }))?.id ?? null }
      : await carryOut(o, s, settings, now)
  } catch (e) {
    outcome = await failure(o.db, s.id, e)
  }
  // Overtaken by a later attempt (see recordSignalOutcome): its outcome is the one that stands.
  return (await recordSignalOutcome(o.db, s, outcome)) ? outcome : null
}

/**
 * Writes an attempt's outcome on its signal while the signal is still that attempt's: PROCESSING,
 * with the attempt count it was claimed or adopted with (each claim and adoption counts one). A
 * later attempt may have taken it meanwhile (the pool's queue promoted the entry this one had
 * just queued and a worker claimed it again; another worker adopted it after this one's
 * connection dropped): that attempt's outcome stands, and an older "waits in the queue" must not
 * overwrite it. Says whether it was written.
 */
export async function recordSignalOutcome(db: Db, s: { id: string; attempts: number }, outcome: Outcome): Promise<boolean> {
  const { count } = await db.signal.updateMany({
    where: { id: s.id, status: 'PROCESSING', attempts: s.attempts },
    data: {
      status: outcome.status,
      reason: outcome.reason?.slice(0, 2000) ?? null,
      result: outcome.result as Prisma.InputJsonValue,
      processedAt: new Date(),
      ...(outcome.positionId !== undefined ? { positionId: outcome.positionId } : {}),
    },
  })
  return count === 1
}

type LoadedSignal = NonNullable<Awaited<ReturnType<typeof loadSignal>>>
function loadSignal(db: Db, id: string) {
  return db.signal.findUnique({ where: { id }, include: { trader: { include: { account: true, user: { select: { timeZone: true } } } } } })
}

async function carryOut(o: ProcessSignalOptions, s: LoadedSignal, settings: SignalSettings, now: Date): Promise<Outcome> {
  const intent = (s.intent ?? 'entry') as SignalIntent
  const symbol = s.symbol!
  const action = s.action === 'sell' ? 'sell' : 'buy'
  const fields = (s.payload ?? {}) as Record<string, string | undefined>
  // A signal the group pool's queue promoted has waited for its slot: its age is no fault of its own
  // (the price is still checked against the market), and the log says where it came from.
  const promotedFrom = (s.result as { promotedFrom?: string } | null)?.promotedFrom
  const base = { intent, symbol, action, ...(promotedFrom ? { promotedFrom } : {}) }

  // An entry this signal already made (a worker stopped after it, before writing the outcome).
  const made = await o.db.position.findUnique({ where: { signalId: s.id }, select: { id: true } })
  if (made) return entryDone(o.db, made.id, base, 'entry already made by an earlier attempt')
  // A pyramid this signal already planned: placing carries on, however old the signal is now.
  if (await o.db.groupPyramid.count({ where: { signalId: s.id } })) return enter(o, s, settings, base, o.exchangeFor?.(s.trader.account))

  const stale = promotedFrom ? null : signalAgeProblem({ firedAt: s.signalAt, receivedAt: s.receivedAt, now, maxLagSeconds: settings.maxLagSeconds })
  if (stale) return { status: 'REJECTED', reason: stale, result: base }
  const overtaken = promotedFrom ? await laterExitFor(o.db, s) : null
  if (overtaken) return { status: 'REJECTED', reason: `exit signal ${overtaken} for ${symbol} came while it waited in the group pool's queue: the trade it was for is over`, result: base }

  const exchange = o.exchangeFor?.(s.trader.account)
  switch (intent) {
    case 'entry': {
      // A strategy's reversal (a sell leaving it short while a LONG is open here) comes as an entry.
      if (!fields.intent && !readGroupSettings(s.trader.groupSettings).enabled) {
        const open = await o.db.position.findFirst({ where: { traderId: s.traderId, symbol, status: ACTIVE }, select: { side: true } })
        if (reversesOnEntry({ action, marketPosition: fields.market_position, openSide: open?.side ?? null })) {
          return reverse(o, s, settings, { ...base, intent: 'reverse', reversedBy: `market_position ${fields.market_position}` }, exchange)
        }
      }
      return enter(o, s, settings, base, exchange)
    }
    case 'exit':
    case 'close': {
      const qty = fields.size ?? (intent === 'exit' ? fields.contracts : undefined)
      // Noted only where a sized group exit needs it; closeActive notes its own with the position.
      const group = await closeGroupsForSignal({ ...groupSignal(o, s, fields, exchange), base, qty, exchangeFor: o.exchangeFor, exitOrder: () => exitOrderIdOf(o.db, s, base) })
      if (group) return group
      const closed = await closeActive(o, s, base, exchange, qty)
      return closed.outcome
    }
    case 'reverse':
      return reverse(o, s, settings, base, exchange)
    case 'pyramid':
      // Taken at intake only from a trader that builds groups; refused if it no longer does.
      if (!readGroupSettings(s.trader.groupSettings).enabled) return { status: 'REJECTED', reason: 'a pyramid adds to a position group, and this trader no longer builds groups', result: base }
      return enter(o, s, settings, base, exchange)
  }
}

/** Closes the opposite side if it is open, waits for it to be closed, then enters this side. */
async function reverse(o: ProcessSignalOptions, s: LoadedSignal, settings: SignalSettings, base: Record<string, unknown>, exchange: ExchangePort | undefined): Promise<Outcome> {
  const symbol = s.symbol!
  const action = s.action === 'sell' ? 'sell' : 'buy'
  const side = sideForAction(action)
  const noted = (s.result as { closing?: string } | null)?.closing
  if (await o.db.positionGroup.count({ where: { traderId: s.traderId, symbol, status: { not: 'CLOSED' } } })) {
    return { status: 'REJECTED', reason: `${symbol} is held by a position group, and a group is not reversed in one step: send close, then entry`, result: base }
  }
  const active = await o.db.position.findFirst({ where: { traderId: s.traderId, symbol, status: ACTIVE }, select: { id: true, side: true } })
  if (active && active.side === side && active.id !== noted) {
    return { status: 'REJECTED', reason: `${symbol} is already ${side}: a reverse to ${side} needs the opposite side open, or nothing`, result: base, positionId: active.id }
  }
  if (active || noted) {
    const closed = await closeActive(o, s, base, exchange, undefined)
    if (closed.outcome.status !== 'DONE') return closed.outcome
    const ended = closed.positionId ? await waitClosed(o.db, closed.positionId, o.closeWaitMs ?? 30_000) : 'closed'
    if (ended !== 'closed') {
      const why = ended === 'open' ? 'its exit order did not go through (see the position)' : `it did not finish within ${Math.round((o.closeWaitMs ?? 30_000) / 1000)} s`
      return { status: 'FAILED', reason: `position ${closed.positionId} was not closed: ${why}; the ${side} entry was not sent`, result: { ...base, closed: await closedFigures(o.db, closed.positionId!) }, positionId: closed.positionId }
    }
    // The close has happened: an entry refused or failed now still says so, with what was closed.
    const opened = await enter(o, s, settings, base, exchange).catch((e: unknown) => failure(o.db, s.id, e))
    const reason = opened.status === 'DONE' ? [closed.outcome.reason, opened.reason] : [`closed position ${closed.positionId ?? noted}, but the ${side} entry was not made: ${opened.reason}`]
    return { ...opened, positionId: opened.positionId ?? closed.positionId, reason: reason.filter(Boolean).join('; ') || null, result: { ...base, ...opened.result, closed: closed.outcome.result.closed } }
  }
  return enter(o, s, settings, base, exchange)
}

function groupSignal(o: ProcessSignalOptions, s: LoadedSignal, fields: Record<string, string | undefined>, exchange: ExchangePort | undefined) {
  return { db: o.db, actor: o.actor, signalId: s.id, traderId: s.traderId, userId: s.userId, account: s.trader.account, symbol: s.symbol!, fields, exchange }
}

async function enter(o: ProcessSignalOptions, s: LoadedSignal, settings: SignalSettings, base: Record<string, unknown>, exchange: ExchangePort | undefined): Promise<Outcome> {
  const symbol = s.symbol!
  const fields = (s.payload ?? {}) as Record<string, string | undefined>
  const side = sideForAction(s.action === 'sell' ? 'sell' : 'buy')
  if (readTraderSettings(s.trader).approvals.entries) return { status: 'REJECTED', reason: APPROVAL_REFUSAL('entries'), result: { ...base, side } }
  const quote = await quoteForSignal(o, s, settings)
  const reference = side === 'LONG' ? quote.ask : quote.bid
  if (fields.price) {
    const far = priceDeviationProblem({ price: dec(fields.price), reference, maxDeviationPct: settings.maxPriceDeviationPct })
    if (far) return { status: 'REJECTED', reason: far, result: { ...base, side } }
  }
  const groups = readGroupSettings(s.trader.groupSettings)
  if (groups.enabled) {
    const intent = s.intent === 'pyramid' ? 'pyramid' : 'entry'
    return enterGroup({ ...groupSignal(o, s, fields, exchange), intent, side, reference, settings: groups, base })
  }
  const pct = settings.defaultStopPct.div(100)
  const stopLoss = fields.stop_loss ? dec(fields.stop_loss) : side === 'LONG' ? reference.mul(dec(1).minus(pct)) : reference.mul(dec(1).plus(pct))
  const size = await entrySize(o.db, s, settings, { fields, reference, stopLoss })
  if ('problem' in size) return { status: 'REJECTED', reason: size.problem ?? null, result: { ...base, side } }
  const takeProfits = targetsOf(fields.take_profit)
  const { positionId } = await openPosition({
    db: o.db,
    userId: s.userId,
    actor: o.actor,
    source: 'WEBHOOK',
    signalId: s.id,
    exchange,
    input: { traderId: s.traderId, symbol, side, sizeMode: size.mode, size: size.value.toFixed(), entryType: 'MARKET', stopLoss: stopLoss.toFixed(), takeProfits },
  })
  return entryDone(o.db, positionId, { ...base, side, sizing: size.why }, null)
}

/**
 * The symbol's fresh quote. A signal for a symbol the feed has not quoted yet (a trader created a
 * moment ago) or whose price is briefly stale waits for one, up to quoteWaitMs and never past the
 * signal's max lag, instead of failing: TradingView does not send an alert again.
 */
async function quoteForSignal(o: ProcessSignalOptions, s: LoadedSignal, settings: SignalSettings) {
  const lagEnds = (s.signalAt ?? s.receivedAt).getTime() + settings.maxLagSeconds * 1000
  const until = Math.min(lagEnds, Date.now() + (o.quoteWaitMs ?? 15_000))
  for (;;) {
    try {
      return (await freshQuote(o.db, s.symbol!)).quote
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'MARKET_UNAVAILABLE') || Date.now() + QUOTE_POLL_MS > until) throw e
    }
    await new Promise((r) => setTimeout(r, QUOTE_POLL_MS))
  }
}
const QUOTE_POLL_MS = 250

/** Base quantity from the signal (`size`, else `contracts`), else the signal settings' quote amount, else the trader's sizing. */
async function entrySize(db: Db, s: LoadedSignal, settings: SignalSettings, e: { fields: Record<string, string | undefined>; reference: Decimal; stopLoss: Decimal }) {
  const given = e.fields.size ?? e.fields.contracts
  if (given) return { mode: 'BASE' as const, value: dec(given), why: `${given} from the signal` }
  if (settings.defaultSizeQuote) return { mode: 'QUOTE' as const, value: settings.defaultSizeQuote, why: `${settings.defaultSizeQuote.toFixed()} ${s.trader.quoteCurrency} (the signal settings' default size)` }
  const t = readTraderSettings(s.trader)
  const risk = await loadRiskState(db, { userId: s.userId, traderId: s.traderId, timeZone: s.trader.user.timeZone, now: Date.now(), pnlPeak: fromDb(s.trader.pnlPeak) })
  const sized = sizePosition({
    sizing: t.sizing,
    equity: risk.state.equity,
    entryPrice: e.reference,
    stopLoss: e.stopLoss,
    confidence: dec(1),
    minConfidence: t.ai.minConfidence,
    caps: { ...(t.risk.maxPositionQuote ? { maxPositionQuote: t.risk.maxPositionQuote } : {}), ...(t.risk.maxPositionPctEquity ? { maxPositionPctEquity: t.risk.maxPositionPctEquity } : {}) },
    quote: s.trader.quoteCurrency,
  })
  if (!sized.qty.gt(0)) return { problem: `the trader's sizing gives no size: ${sized.explanation}` }
  // The sizing's quotient is not rounded (1000 / 1200.2 has no end) and a size is refused past 18
  // decimals; cut it there, and the entry truncates it to the market's step as it does any size.
  const qty = sized.qty.toDecimalPlaces(PRICE_COLUMN.fractionDigits, Decimal.ROUND_DOWN)
  return { mode: 'BASE' as const, value: qty, why: `the trader's sizing: ${sized.explanation}` }
}

/** Equal shares of 100% (two decimals), the last taking what is left: 33.33, 33.33, 33.34. */
function targetsOf(list: string | undefined): { price: string; sharePct: string }[] {
  const prices = list ? list.split(',').filter(Boolean) : []
  if (!prices.length) return []
  const share = dec(100).div(prices.length).toDecimalPlaces(2, 1)
  return prices.map((price, i) => ({ price, sharePct: (i === prices.length - 1 ? dec(100).minus(share.mul(prices.length - 1)) : share).toFixed() }))
}

async function entryDone(db: Db, positionId: string, base: Record<string, unknown>, reason: string | null): Promise<Outcome> {
  const p = await db.position.findUniqueOrThrow({
    where: { id: positionId },
    select: { status: true, side: true, requestedQty: true, openQty: true, avgEntryPrice: true, stopLoss: true, orders: { where: { purpose: 'ENTRY' }, select: { id: true, clientOrderId: true, status: true }, take: 1 } },
  })
  const order = p.orders[0]
  return {
    status: 'DONE',
    reason,
    positionId,
    result: {
      ...base,
      opened: {
        positionId,
        side: p.side,
        status: p.status,
        qty: fromDb(p.requestedQty).toFixed(),
        openQty: fromDb(p.openQty).toFixed(),
        avgEntryPrice: fromDb(p.avgEntryPrice).toFixed(),
        stopLoss: p.stopLoss ? fromDb(p.stopLoss).toFixed() : null,
        orderId: order?.id ?? null,
        clientOrderId: order?.clientOrderId ?? null,
        orderStatus: order?.status ?? null,
      },
    },
  }
}

/**
 * An exit or close for the same pair (and interval, when the exit names one) received after this
 * entry: an exit drops a waiting entry, but one promoted in the moment the exit was being handled
 * would otherwise still run, opening a trade after the strategy's "exit".
 */
async function laterExitFor(db: Db, s: LoadedSignal): Promise<string | null> {
  const interval = timeframeOf((s.payload ?? {}) as Record<string, string | undefined>)
  const [later] = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Signal"
    WHERE "traderId" = ${s.traderId} AND symbol = ${s.symbol} AND "receivedAt" > ${s.receivedAt}::timestamp(3)
      AND intent IN ('exit', 'close') AND status::text NOT IN ('REJECTED', 'DUPLICATE')
      AND left(coalesce(payload->>'interval', ''), 20) IN ('', ${interval})
    ORDER BY "receivedAt" LIMIT 1`
  return later?.id ?? null
}

/**
 * The client id of this signal's exit order (for a group, the base of its legs' ids), chosen on
 * its first attempt and noted on the signal before any exit is sent: a later attempt (the worker
 * stopped in between) asks with the same id, and the exit path, finding that order, sends nothing
 * again. A partial exit would otherwise be sent twice, the position still being open after the
 * first. closeActive notes its own together with the position it closes, in one write.
 */
async function exitOrderIdOf(db: Db, s: LoadedSignal, base: Record<string, unknown>): Promise<string> {
  const noted = (s.result as { exitOrder?: string } | null)?.exitOrder
  if (noted) return noted
  const id = newClientOrderId('x')
  // Beside what an earlier attempt noted.
  await db.signal.update({ where: { id: s.id }, data: { result: { ...((s.result as Record<string, unknown> | null) ?? {}), ...base, exitOrder: id } } })
  return id
}

/**
 * Closes the trader's active position of the symbol (all of it, or `qty` of it) at market through
 * the manual-exit path. The position is noted on the signal before the exit is sent, so a second
 * attempt closes that position or, finding it closing or closed, nothing: never a newer one; and
 * the exit goes out with the client id noted (`exitOrder`), so a second attempt never sends it again.
 * Nothing open is not an error: the strategy wants to be flat, and it is (DONE, with the reason).
 */
async function closeActive(o: ProcessSignalOptions, s: LoadedSignal, base: Record<string, unknown>, exchange: ExchangePort | undefined, qty: string | undefined): Promise<{ outcome: Outcome; positionId: string | null }> {
  const symbol = s.symbol!
  const notes = (s.result as { closing?: string; exitOrder?: string } | null) ?? {}
  const noted = notes.closing
  const target = noted
    ? await o.db.position.findUnique({ where: { id: noted }, select: { id: true, status: true, side: true } })
    : // A leg of a position group is never closed on its own here: its group is (closeGroupsForSignal).
      await o.db.position.findFirst({ where: { traderId: s.traderId, symbol, status: ACTIVE, groupId: null }, select: { id: true, status: true, side: true } })
  if (!target) {
    // Groups of other timeframes are not this signal's (its interval names none of them).
    const others = await o.db.positionGroup.findMany({ where: { traderId: s.traderId, symbol, status: { not: 'CLOSED' } }, select: { timeframe: true } })
    const why = others.length ? `no open ${symbol} position or group of interval ${timeframeOf((s.payload ?? {}) as Record<string, string | undefined>)} (its groups are of ${others.map((g) => g.timeframe).join(', ')}): nothing closed` : `no open ${symbol} position: nothing to close`
    return { outcome: { status: 'DONE', reason: why, result: { ...base, closed: null } }, positionId: null }
  }
  const exitOrder = notes.exitOrder ?? newClientOrderId('x')
  if (!noted || !notes.exitOrder) {
    await o.db.signal.update({ where: { id: s.id }, data: { result: { ...base, closing: target.id, exitOrder }, positionId: target.id } })
  }
  if (!CLOSABLE.has(target.status)) {
    const already = target.status === 'CLOSING' || target.status === 'CLOSED'
    return {
      outcome: already
        ? { status: 'DONE', reason: `position ${target.id} is already ${target.status.toLowerCase()}`, result: { ...base, closed: await closedFigures(o.db, target.id) }, positionId: target.id }
        : { status: 'REJECTED', reason: `position ${target.id} is ${target.status.toLowerCase()}: only an open position can be closed`, result: base, positionId: target.id },
      positionId: target.id,
    }
  }
  if (readTraderSettings(s.trader).approvals.exits) {
    return { outcome: { status: 'REJECTED', reason: APPROVAL_REFUSAL('exits'), result: base, positionId: target.id }, positionId: target.id }
  }
  const exit = await requestExit({
    db: o.db,
    userId: s.userId,
    positionId: target.id,
    actor: o.actor,
    purpose: 'MANUAL_EXIT',
    size: qty ? { kind: 'QTY', qty: dec(qty) } : { kind: 'ALL' },
    reason: `Signal ${s.id} (${String(base.intent)})`,
    exchange,
    exchangeFor: o.exchangeFor,
    clientOrderId: exitOrder,
  })
  const earlier = exit ? null : await o.db.order.findUnique({ where: { clientOrderId: exitOrder }, select: { id: true } })
  const dust = exit && 'dust' in exit ? exit.dust : null
  const reason = dust ? `closed as dust, nothing sold: ${dust}` : exit ? null : earlier ? `exit order ${exitOrder} was sent by an earlier attempt` : `position ${target.id} was already being closed`
  const orderId = exit && 'orderId' in exit ? exit.orderId : earlier?.id ?? null
  return {
    outcome: { status: 'DONE', reason, result: { ...base, closed: { ...(await closedFigures(o.db, target.id)), orderId } }, positionId: target.id },
    positionId: target.id,
  }
}

async function closedFigures(db: Db, positionId: string) {
  const p = await db.position.findUniqueOrThrow({ where: { id: positionId }, select: { status: true, side: true, openQty: true, exitQty: true, avgExitPrice: true, realizedPnl: true } })
  return { positionId, side: p.side, status: p.status, openQty: fromDb(p.openQty).toFixed(), exitQty: fromDb(p.exitQty).toFixed(), avgExitPrice: fromDb(p.avgExitPrice).toFixed(), realizedPnl: fromDb(p.realizedPnl).toFixed() }
}

/**
 * Waits for a position's exit to fill (at once on paper; an exchange answers a market order within
 * seconds). 'open': the exit ended without closing it (refused), and the position is open again.
 */
async function waitClosed(db: Db, positionId: string, timeoutMs: number): Promise<'closed' | 'open' | 'timeout'> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const p = await db.position.findUnique({ where: { id: positionId }, select: { status: true } })
    if (!p || p.status === 'CLOSED') return 'closed'
    // requestExit has moved it to CLOSING before returning: open again means the exit is over.
    if (CLOSABLE.has(p.status)) return 'open'
    if (Date.now() > until) return 'timeout'
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function failure(db: Db, signalId: string, e: unknown): Promise<Outcome> {
  const known = knownError(e)
  const made = await db.position.findUnique({ where: { signalId }, select: { id: true } }).catch(() => null)
  if (known && REFUSALS.has(known.code) && !made) {
    const fields = known.fieldErrors?.length ? `: ${known.fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ')}` : ''
    return { status: 'REJECTED', reason: known.fieldErrors?.length === 1 ? known.message : `${known.message}${fields}`, result: { code: known.code } }
  }
  const message = known?.message ?? (e instanceof Error ? e.message : String(e))
  return { status: 'FAILED', reason: made ? `${message} (position ${made.id} exists: see it for the entry's state)` : message, result: { code: known?.code ?? 'INTERNAL' }, positionId: made?.id ?? null }
}
