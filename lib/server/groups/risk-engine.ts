import type { Db } from '@/lib/db/client'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { dec, sumDec, type Decimal } from '@/lib/domain/decimal'
import { groupAverage } from '@/lib/domain/groups/group-targets'
import { groupOpenPnl, pickLoser, planOffset, type OffsetStep } from '@/lib/domain/groups/risk-offset'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import { roundQuoteAmount } from '@/lib/domain/quote-amount'
import type { ExchangePort } from '@/lib/exchange/port'
import type { Prisma, RiskEngineRun } from '@/lib/generated/prisma/client'
import { loadMarketRules, loadQuotes } from '@/lib/market-data/quote-store'
import { recordActivity } from '@/lib/server/activity/record-activity'
import type { ActorRef } from '@/lib/server/audit/actor'
import { conflict } from '@/lib/server/errors/app-error'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { newClientOrderId } from '@/lib/server/orders/client-order-id'
import { closeGroup } from './close-group'
import { exitGroupFifo } from './exit-group-fifo'
import { readGroupSettings } from './group-settings'
import { readRiskEngineSettings, type RiskEngineSettings } from './risk-engine-settings'

/** An open group as the risk engine sees it now, and whether it qualifies as the loser. */
export interface AssessedGroup {
  id: string
  traderId: string
  traderName: string
  accountId: string
  symbol: string
  timeframe: string
  side: PositionSide
  quoteCurrency: string
  avgEntry: Decimal
  openQty: Decimal
  mark: Decimal | null
  pnl: Decimal
  pnlPct: Decimal
  pyramids: number
  maxPyramids: number
  /** Minutes since its last entry, or since a person's "skip once". */
  ageMinutes: number
  blocked: boolean
  skipOnce: boolean
  createdAt: Date
  feeRate: Decimal
  /** Null when it qualifies as the loser; otherwise what it still lacks. */
  notEligible: string | null
}

/** The user's open groups with their PnL at the exit-side price, each checked against the activation rules. */
export async function assessGroups(db: Db, userId: string, settings: RiskEngineSettings, now: Date): Promise<AssessedGroup[]> {
  const groups = await db.positionGroup.findMany({
    where: { userId, status: 'OPEN', avgEntryPrice: { not: null } },
    include: {
      trader: { select: { name: true, quoteCurrency: true, account: { select: { takerFeeRate: true } } } },
      positions: { where: { status: { in: ['OPEN', 'MONITORING', 'CLOSING'] } }, select: { openQty: true, avgEntryPrice: true } },
      _count: { select: { pyramids: true } },
    },
    orderBy: { createdAt: 'asc' },
  })
  const quotes = new Map((await loadQuotes(db, [...new Set(groups.map((g) => g.symbol))])).map((q) => [q.symbol, q]))
  return groups.map((g) => {
    const side = g.side as PositionSide
    const q = quotes.get(g.symbol)
    const mark = q ? (side === 'LONG' ? q.bid : q.ask) : null
    // What is held is valued at its own average entry: legs that have exited are not in it.
    const avgEntry = groupAverage(g.positions.map((p) => ({ entryQty: fromDb(p.openQty), avgEntryPrice: fromDb(p.avgEntryPrice) }))) ?? fromDb(g.avgEntryPrice!)
    const openQty = sumDec(g.positions.map((p) => fromDb(p.openQty)))
    const { pnl, pnlPct } = mark ? groupOpenPnl({ side, avgEntry, openQty, mark }) : { pnl: dec(0), pnlPct: dec(0) }
    const since = Math.max(g.lastPyramidAt.getTime(), g.riskEngineTimerFrom?.getTime() ?? 0)
    const ageMinutes = Math.floor((now.getTime() - since) / 60_000)
    const maxPyramids = readGroupSettings(g.settings).maxPyramids
    const pyramids = g._count.pyramids
    const threshold = settings.lossThresholdPct.neg()
    const notEligible = g.riskEngineBlocked
      ? 'blocked by a person'
      : !mark
        ? 'no price for it yet'
        : openQty.isZero()
          ? 'it holds nothing'
          : pnlPct.gt(threshold)
            ? `its PnL ${pnlPct.toFixed(2)}% is above the −${settings.lossThresholdPct.toFixed()}% threshold`
            : settings.requireAllPyramids && pyramids < maxPyramids
              ? `${pyramids} of its ${maxPyramids} pyramids so far`
              : ageMinutes < settings.minAgeMinutes
                ? `its timer: ${ageMinutes} of ${settings.minAgeMinutes} min`
                : null
    return {
      id: g.id, traderId: g.traderId, traderName: g.trader.name, accountId: g.accountId, symbol: g.symbol, timeframe: g.timeframe, side, quoteCurrency: g.trader.quoteCurrency,
      avgEntry, openQty, mark, pnl, pnlPct, pyramids, maxPyramids, ageMinutes, blocked: g.riskEngineBlocked, skipOnce: g.riskEngineSkipOnce, createdAt: g.createdAt,
      feeRate: fromDb(g.trader.account.takerFeeRate), notEligible,
    }
  })
}

/** One step of a run, as stored in RiskEngineRun.steps. */
export type RunStep =
  | { kind: 'PARTIAL_CLOSE'; groupId: string; symbol: string; side: PositionSide; qty: string; price: string; netPerUnit: string; realized: string; exitClientOrderIdBase?: string; orderIds?: string[]; error?: string }
  | { kind: 'CLOSE_LOSER'; groupId: string; symbol: string; status?: 'CLOSING' | 'CLOSED'; error?: string }

// A run left RUNNING this long was abandoned (its process stopped): the worker finishes it.
const RESUME_AFTER_MS = 120_000
// A scheduled pass records the same outcome (dry-run plan, not covered) for a loser at most this often.
const REPEAT_AFTER_MS = 3_600_000

export interface RiskEngineOptions {
  db: Db
  userId: string
  actor: ActorRef
  trigger: 'SCHEDULE' | 'MANUAL'
  now?: Date
  exchangeFor?: (account: AccountRef) => ExchangePort
}

/**
 * One decision of the risk engine for a user. It picks the loser among the groups that qualify
 * (the deepest loss %, then the largest loss, then the oldest), plans partial closes of up to
 * `maxWinners` winners in the same quote currency whose profit, net of exit fees, covers the
 * loser's loss, then (unless in dry run) carries them out first in, first out by leg and closes
 * the loser. Nothing is done when the winners cannot cover the loss. Every decision is a
 * RiskEngineRun with its numbers; null when there was nothing to decide or record.
 */
export async function runRiskEngine(o: RiskEngineOptions): Promise<RiskEngineRun | null> {
  const now = o.now ?? new Date()
  const user = await o.db.user.findUniqueOrThrow({ where: { id: o.userId }, select: { riskEngineSettings: true } })
  const settings = readRiskEngineSettings(user.riskEngineSettings)
  if (!settings.enabled) {
    if (o.trigger === 'MANUAL') throw conflict('the risk engine is off: turn it on (in dry run it only reports what it would do)')
    return null
  }
  const running = await o.db.riskEngineRun.findFirst({ where: { userId: o.userId, status: 'RUNNING' } })
  if (running) {
    if (now.getTime() - running.updatedAt.getTime() > RESUME_AFTER_MS) return act(o, running)
    if (o.trigger === 'MANUAL') throw conflict('a risk engine run is still acting: wait for it to finish')
    return null
  }

  const groups = await assessGroups(o.db, o.userId, settings, now)
  const loser = pickLoser(groups.filter((g) => g.notEligible === null))
  if (!loser) return null
  const base = { userId: o.userId, trigger: o.trigger, dryRun: settings.dryRun, loserGroupId: loser.id, loserSymbol: loser.symbol, loss: toDb(loser.pnl), lossPct: toDb(loser.pnlPct) }
  const lossText = `${loser.symbol} group ${loser.pnlPct.toFixed(2)}% (${roundQuoteAmount(loser.pnl)} ${loser.quoteCurrency})`

  if (loser.skipOnce) {
    await o.db.positionGroup.update({ where: { id: loser.id }, data: { riskEngineSkipOnce: false, riskEngineTimerFrom: now } })
    return record(o.db, { ...base, status: 'SKIPPED', covered: toDb(dec(0)), steps: [], message: `${lossText} passed over once, as a person asked; its timer starts again` })
  }

  const winners = await Promise.all(
    groups
      .filter((g) => g.id !== loser.id && !g.blocked && g.mark && g.quoteCurrency === loser.quoteCurrency && g.pnl.gt(0))
      .map(async (g) => ({ ...g, mark: g.mark!, stepSize: (await loadMarketRules(o.db, g.symbol))?.stepSize ?? null })),
  )
  const plan = planOffset({ loss: loser.pnl.neg(), winners: winners.flatMap((w) => (w.stepSize ? [{ ...w, stepSize: w.stepSize }] : [])), maxWinners: settings.maxWinners })
  const byId = new Map(groups.map((g) => [g.id, g]))
  const steps: RunStep[] = [...plan.steps.map((s) => partialStep(s, byId.get(s.groupId)!)), { kind: 'CLOSE_LOSER', groupId: loser.id, symbol: loser.symbol }]
  const offsets = plan.steps.map((s) => `${s.qty.toFixed()} ${byId.get(s.groupId)!.symbol} at ${s.price.toFixed()} (+${roundQuoteAmount(s.realized)})`).join(', ')
  const covered = toDb(plan.covered)

  if (!plan.fullyCovered) {
    if (o.trigger === 'SCHEDULE' && (await recentlyRecorded(o.db, loser.id, 'NOT_COVERED', now))) return null
    return record(o.db, { ...base, status: 'NOT_COVERED', covered, steps, message: `${lossText}: the winners' profit covers only ${roundQuoteAmount(plan.covered)} ${loser.quoteCurrency}${offsets ? ` (${offsets})` : ''}; nothing was done` })
  }
  if (settings.dryRun) {
    if (o.trigger === 'SCHEDULE' && (await recentlyRecorded(o.db, loser.id, 'PLANNED', now))) return null
    return record(o.db, { ...base, status: 'PLANNED', covered, steps, message: `dry run: would offset ${lossText} with ${offsets}, then close it` })
  }
  const run = await o.db.$transaction(async (tx) => {
    // One run acts at a time per user: the web's "run now" and the worker's pass may meet here.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RISK_ENGINE_LOCK_CLASS}::int, hashtext(${o.userId}))`
    if (await tx.riskEngineRun.count({ where: { userId: o.userId, status: 'RUNNING' } })) return 'busy' as const
    // A run that acted since this decision read the groups has changed them: this plan is stale
    // (it would sell the winner again for a loser already offset). The next pass plans afresh.
    if (await tx.riskEngineRun.count({ where: { userId: o.userId, status: { in: ['DONE', 'FAILED'] }, finishedAt: { gte: now } } })) return 'stale' as const
    return tx.riskEngineRun.create({ data: { ...base, status: 'RUNNING', covered, steps, message: `offset ${lossText} with ${offsets}, then close it` } })
  })
  if (run === 'busy' || run === 'stale') {
    if (o.trigger === 'MANUAL') throw conflict(run === 'busy' ? 'a risk engine run is still acting: wait for it to finish' : 'a risk engine run acted while this one was being decided: run it again to decide on the groups as they are now')
    return null
  }
  return act(o, run)
}
const RISK_ENGINE_LOCK_CLASS = 7_314

function partialStep(s: OffsetStep, g: { symbol: string; side: PositionSide }): RunStep {
  return { kind: 'PARTIAL_CLOSE', groupId: s.groupId, symbol: g.symbol, side: g.side, qty: s.qty.toFixed(), price: s.price.toFixed(), netPerUnit: s.netPerUnit.toFixed(), realized: s.realized.toFixed() }
}

/**
 * Carries out a RUNNING run's steps in order, saving each as it ends. A step that already sent
 * some of its exits (the run's process stopped before saving it) finds them by the client ids it
 * saved first, so nothing is sent twice. A failed step, an exit the exchange refused included,
 * stops the run before the loser is closed: its loss is never realized without the offset.
 */
async function act(o: RiskEngineOptions, run: RiskEngineRun): Promise<RiskEngineRun> {
  const steps = run.steps as RunStep[]
  const save = (data: Partial<Pick<RiskEngineRun, 'status' | 'message' | 'finishedAt'>> = {}) =>
    o.db.riskEngineRun.update({ where: { id: run.id }, data: { ...data, steps: steps as unknown as Prisma.InputJsonValue } })
  const reason = `Risk engine run ${run.id}`
  for (const step of steps) {
    if (step.error) return save({ status: 'FAILED', finishedAt: new Date() })
    try {
      if (step.kind === 'PARTIAL_CLOSE' && !step.orderIds) {
        // The exits' client ids are chosen and saved before any is sent: a run resumed after its
        // process stopped finds exactly its own exits (never a person's or a signal's) and sends
        // only what they did not cover.
        if (!step.exitClientOrderIdBase) {
          step.exitClientOrderIdBase = newClientOrderId('x')
          await save()
        }
        const r = await exitGroupFifo({ db: o.db, userId: o.userId, groupId: step.groupId, qty: dec(step.qty), actor: o.actor, reason: `${reason}: offsetting the ${run.loserSymbol} loser`, exchangeFor: o.exchangeFor, clientOrderIdBase: step.exitClientOrderIdBase })
        step.orderIds = r.exits.map((e) => e.orderId)
        if (r.unfilled.gt(0)) throw new Error(`${r.unfilled.toFixed()} of the ${step.qty} ${step.symbol} was not sold${r.refused.length ? `: the exchange refused it (${r.refused.join('; ')})` : ''}`)
      } else if (step.kind === 'CLOSE_LOSER' && !step.status) {
        step.status = (await closeGroup({ db: o.db, userId: o.userId, groupId: step.groupId, actor: o.actor, reason: `${reason}: the loser, offset by the winners' profit`, exchangeFor: o.exchangeFor })).status
      }
    } catch (e) {
      step.error = (e as Error).message
      const failed = await save({ status: 'FAILED', finishedAt: new Date(), message: `${run.message}: stopped at ${step.kind === 'PARTIAL_CLOSE' ? `the partial close of ${step.symbol}` : `closing ${step.symbol}`}: ${step.error}` })
      await recordActivity(o.db, { userId: o.userId, type: 'RISK_ENGINE', severity: 'error', symbol: run.loserSymbol, message: `Risk engine, failed: ${failed.message}` })
      return failed
    }
    await save()
  }
  const done = await save({ status: 'DONE', finishedAt: new Date() })
  await recordActivity(o.db, { userId: o.userId, type: 'RISK_ENGINE', severity: 'warning', symbol: run.loserSymbol, message: `Risk engine, done: ${done.message}` })
  return done
}

function record(db: Db, data: Omit<Prisma.RiskEngineRunUncheckedCreateInput, 'steps'> & { steps: RunStep[] }) {
  return db.riskEngineRun.create({ data: { ...data, steps: data.steps as unknown as Prisma.InputJsonValue, finishedAt: new Date() } })
}

async function recentlyRecorded(db: Db, loserGroupId: string, status: 'PLANNED' | 'NOT_COVERED', now: Date): Promise<boolean> {
  return !!(await db.riskEngineRun.count({ where: { loserGroupId, status, createdAt: { gte: new Date(now.getTime() - REPEAT_AFTER_MS) } } }))
}
