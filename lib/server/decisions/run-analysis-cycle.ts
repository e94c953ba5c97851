import { randomUUID } from 'node:crypto'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { sqlOf, type Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import type { Decimal } from '@/lib/domain/decimal'
import { atr } from '@/lib/domain/indicators/atr'
import { logReturnVolatility } from '@/lib/domain/indicators/volatility'
import type { Candle, Timeframe } from '@/lib/domain/market/candle'
import { sizePosition } from '@/lib/domain/sizing/position-size'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { notify } from '@/lib/server/events/notify'
import { loadRiskState, type ScopeFigures } from '@/lib/server/risk/load-risk-state'
import type { DecisionOutcome } from '@/lib/domain/performance/decision-performance'
import { readTraderSettings } from '@/lib/server/traders/trader-settings'
import { askProvider, type ProviderChoice } from './ask-provider'
import { buildDecisionContext } from './build-decision-context'
import { decisionSettingsFor } from './decision-settings-for'
import { llmBudgetProblem } from './llm-budget'
import { providerConfigFor } from './provider-config'
import { recordDecision, type DecisionRecord } from './record-decision'
import { DecisionLeftExecuting, settleDecision } from './settle-decision'
import { loadSymbolSnapshot } from './symbol-snapshot'
import { validateDecision } from '@/lib/domain/decisions/validate-decision'

/** Where candles come from: the worker's market-data feed. */
export type CandleSource = (symbol: string, timeframe: Timeframe, limit: number) => Promise<Candle[]>

export type CycleTrigger = 'SCHEDULE' | 'SIGNAL' | 'MANUAL'

/** How long a cycle asked for by a person or a signal waits for a symbol's first quote and rules. */
export const FIRST_DATA_WAIT_MS = 15_000
const FIRST_DATA_POLL_MS = 250

export interface CycleOptions {
  db: Db
  traderId: string
  candles: CandleSource
  actor: ActorRef
  trigger: CycleTrigger
  staleAfterMs: number
  now?: () => number
  /** Only this symbol (a signal for one symbol). */
  symbol?: string
  log?: (m: string) => void
  /** FIRST_DATA_WAIT_MS unless given (tests). */
  firstDataWaitMs?: number
  /**
   * Until this time (ms since the epoch) a price that is stale or not there yet is waited for, by
   * every cycle: the worker has just started, and its feed's first prices are on their way.
   */
  freshPricesBy?: number
}

const CANDLES_PER_TIMEFRAME = 100
const ATR_PERIOD = 14

// Outcomes after which nothing was sent or booked: the cycle's figures still hold.
const BOOKS_UNCHANGED: ReadonlySet<DecisionOutcome> = new Set(['NO_ACTION', 'DRY_RUN', 'PENDING_APPROVAL', 'REJECTED'])

/**
 * One analysis cycle for one trader: for every watched symbol and every symbol with an open
 * position, ask the provider, validate, then execute, queue for approval, or only record (dry
 * run). One symbol's failure is recorded and never stops the others. The caller guarantees a
 * trader's cycles never overlap (see workers/decisions/analysis-scheduler.ts).
 */
export async function runAnalysisCycle(o: CycleOptions): Promise<{ cycleId: string; decisions: DecisionRecord[] }> {
  const now = o.now ?? Date.now
  const log = o.log ?? (() => {})
  const cycleId = randomUUID()
  const trader = await o.db.trader.findUniqueOrThrow({ where: { id: o.traderId }, include: { account: true, user: { select: { timeZone: true } } } })
  const settings = readTraderSettings(trader)
  const blocked = trader.account.halted || trader.status !== 'ACTIVE'
  const openSymbols = (await o.db.position.findMany({ where: { traderId: trader.id, status: { notIn: ['CLOSED', 'FAILED'] } }, select: { symbol: true } })).map((p) => p.symbol)
  // A halted or paused trader opens nothing: only its open positions are still looked after.
  const universe = blocked ? openSymbols : [...new Set([...trader.watchlist, ...openSymbols])]
  const symbols = o.symbol ? universe.filter((s) => s === o.symbol) : universe
  const decisionSettings = decisionSettingsFor(settings.ai, { shortSelling: exchangeForAccount(o.db, trader.account).capabilities?.shortSelling === true, takerFeeRate: fromDb(trader.account.takerFeeRate) })

  const decisions: DecisionRecord[] = []
  let lastError: string | null = null
  // The account's figures for the prompt: read once per cycle, and again after any decision
  // that may have changed the books (an order executed, or something failed part way).
  let books: { available: Decimal; risk: ScopeFigures } | null = null
  const readBooks = async () => {
    if (!books) {
      const [balance, risk] = await Promise.all([
        o.db.accountBalance.findUnique({ where: { accountId_asset: { accountId: trader.accountId, asset: trader.quoteCurrency } } }), // paper books, or the exchange's last snapshot
        loadRiskState(sqlOf(o.db), { userId: trader.userId, traderId: trader.id, timeZone: trader.user.timeZone, now: now(), pnlPeak: fromDb(trader.pnlPeak) }),
      ])
      books = { available: fromDb(balance?.amount ?? 0), risk }
    }
    return books
  }
  // A symbol the feed has not quoted yet (just added to the watchlist) is waited for when a
  // person or a signal asked for this cycle, which would otherwise fail on it until the next
  // scheduled one. A scheduled cycle does not wait (it comes again anyway), except a new
  // trader's first: it is due the moment the trader is created, before the feed has quoted its
  // symbols, and its journal (and the user's notifications) would open with a failure.
  // Likewise a worker just started: the prices stored before it stopped are stale until its feed
  // has quoted again, and every trader due at once would record a failure (and notify) on them.
  const waits = o.trigger !== 'SCHEDULE' || trader.lastCycleAt === null
  const snapshotFor = async (symbol: string) => {
    const warmUp = o.freshPricesBy ?? 0
    const noDataUntil = Math.max(Date.now() + (waits ? (o.firstDataWaitMs ?? FIRST_DATA_WAIT_MS) : 0), warmUp)
    for (;;) {
      const snapshot = await loadSymbolSnapshot(o.db, { traderId: trader.id, symbol, now: now(), staleAfterMs: o.staleAfterMs })
      const until = 'noDataYet' in snapshot ? noDataUntil : 'stale' in snapshot ? warmUp : 0
      if (Date.now() + FIRST_DATA_POLL_MS > until) return snapshot
      await new Promise((r) => setTimeout(r, FIRST_DATA_POLL_MS))
    }
  }
  const loadCandles = async (symbol: string) => {
    const bars = await Promise.all(settings.ai.timeframes.map((tf) => o.candles(symbol, tf, CANDLES_PER_TIMEFRAME)))
    return Object.fromEntries(settings.ai.timeframes.map((tf, i) => [tf, bars[i]!])) as Record<string, Candle[]>
  }
  for (const symbol of symbols) {
    const started = performance.now()
    const base = { db: o.db, trader, cycleId, symbol, trigger: o.trigger, started }
    try {
      // Independent reads, side by side: the symbol's market and position, the books, its last
      // decisions, and its candles (from the exchange in the worker; awaited after the snapshot,
      // whose problem is the one to report).
      const candlesLoading = loadCandles(symbol)
      candlesLoading.catch(() => {})
      const [snapshot, figures, recent] = await Promise.all([
        snapshotFor(symbol),
        readBooks(),
        o.db.decision.findMany({ where: { traderId: trader.id, symbol }, orderBy: { createdAt: 'desc' }, take: 5 }),
      ])
      if ('problem' in snapshot) {
        decisions.push(await recordDecision({ ...base, outcome: 'FAILED', error: snapshot.problem }))
        lastError = snapshot.problem
        continue
      }
      const candles = await candlesLoading
      const primary = candles[settings.ai.timeframes[0]!] ?? []
      const atrNow = atr(primary, ATR_PERIOD).at(-1) ?? null
      const vol = logReturnVolatility(primary.map((c) => c.close))

      const { available, risk } = figures
      // The trader's scope is its own account, so the risk state's equity is that account's equity.
      const equity = risk.state.equity
      const ctx = buildDecisionContext({
        trader, canShort: decisionSettings.canShort, minConfidence: decisionSettings.minConfidence, maxStopDistancePct: decisionSettings.maxStopDistancePct,
        maxPositionQuote: settings.risk.maxPositionQuote, symbol, now: now(), snapshot, candles, atr: atrNow, volatility: vol, recentDecisions: recent,
        account: { equity, available, openPositions: risk.state.openPositions, dailyPnl: risk.state.dailyPnl }, tradesToday: risk.state.tradesToday, paused: blocked,
      })

      let choice: ProviderChoice
      if (trader.provider === 'RULES') {
        choice = { kind: 'RULES', candles: primary, bid: snapshot.quote.bid, ask: snapshot.quote.ask, tickSize: snapshot.rules.tickSize, canShort: decisionSettings.canShort }
      } else {
        const over = await llmBudgetProblem(o.db, { traderId: trader.id, timeZone: trader.user.timeZone, now: now(), ai: settings.ai })
        if (over) {
          decisions.push(await recordDecision({ ...base, outcome: 'FAILED', error: over }))
          lastError = over
          continue
        }
        choice = { kind: 'LLM', config: providerConfigFor(trader.provider, settings.ai, trader.aiApiKeyEnc) }
      }
      const answer = await askProvider(choice, ctx, snapshot.positionState)
      if (!answer.ok) {
        decisions.push(await recordDecision({ ...base, answer, outcome: 'FAILED', error: answer.error }))
        lastError = `${symbol}: ${answer.error}`
        continue
      }

      const d = answer.decision
      const isEntry = d.action === 'LONG' || d.action === 'SHORT'
      const sizing = isEntry
        ? sizePosition({
            sizing: settings.sizing,
            equity,
            entryPrice: d.entryType === 'LIMIT' && d.entryPrice ? d.entryPrice : d.action === 'LONG' ? snapshot.quote.ask : snapshot.quote.bid,
            stopLoss: d.stopLoss ?? null,
            confidence: d.confidence,
            minConfidence: decisionSettings.minConfidence,
            caps: capsFrom(settings.risk.maxPositionQuote, settings.risk.maxPositionPctEquity),
            decisionSizeQuote: d.sizeQuote,
            quote: trader.quoteCurrency,
          })
        : null
      const validation = validateDecision({
        decision: d,
        watchlist: trader.watchlist,
        market: { bid: snapshot.quote.bid, ask: snapshot.quote.ask, rules: snapshot.rules },
        position: snapshot.positionState,
        settings: decisionSettings,
        entryQty: sizing ? sizing.qty : null,
      })
      // The moment the answer is validated and ready to act on, before any order is built.
      const decidedAt = new Date()
      const settled = await settleDecision({ ...base, answer, decision: d, validation, sizing, snapshot, settings, blocked, decidedAt })
      decisions.push(settled)
      if (!BOOKS_UNCHANGED.has(settled.outcome)) books = null
      if (settled.outcome === 'FAILED') lastError = `${symbol}: ${settled.error}`
    } catch (e) {
      books = null
      // Anything unexpected is recorded against this symbol; the next symbol still runs.
      const message = e instanceof Error ? e.message : String(e)
      log(`${trader.name} ${symbol}: ${message}`)
      lastError = `${symbol}: ${message}`
      if (e instanceof DecisionLeftExecuting) {
        decisions.push({ id: e.decisionId, symbol, outcome: 'EXECUTING', action: null, error: message, latencyMs: 0, modelLatencyMs: 0 })
        continue
      }
      decisions.push(await recordDecision({ ...base, outcome: 'FAILED', error: message }).catch(() => ({ id: '', symbol, outcome: 'FAILED' as const, action: null, error: message, latencyMs: 0, modelLatencyMs: 0 })))
    }
  }

  const intervalMs = settings.ai.intervalMinutes * 60_000
  await o.db.$transaction(async (tx) => {
    await tx.trader.update({
      where: { id: trader.id },
      data: { lastCycleAt: new Date(now()), nextCycleAt: new Date(now() + intervalMs), lastCycleError: lastError },
    })
    await notify(tx, { kind: 'trader', userId: trader.userId, traderId: trader.id })
  })
  if (lastError && lastError !== trader.lastCycleError) {
    await o.db.$transaction((tx) => recordActivity(tx, { userId: trader.userId, traderId: trader.id, type: 'DECISION_FAILED', severity: 'error', message: `${trader.name}: ${lastError}` }))
  }
  return { cycleId, decisions }
}

function capsFrom(maxQuote: Decimal | null, maxPct: Decimal | null) {
  return { ...(maxQuote ? { maxPositionQuote: maxQuote } : {}), ...(maxPct ? { maxPositionPctEquity: maxPct } : {}) }
}

