import type { Db } from '@/lib/db/client'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { dec, sumDec, type Decimal } from '@/lib/domain/decimal'
import { planPyramid } from '@/lib/domain/groups/dca-grid'
import { groupStop, roundGroupPrices, stopBeyondLegsProblem } from '@/lib/domain/groups/group-targets'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { ExchangePort } from '@/lib/exchange/port'
import { conflict, notFound, validationError } from '@/lib/server/errors/app-error'
import { lockTraderForEntry } from '@/lib/server/trading/halt-trading'
import { assertEntryWithinLimits, recordRiskRejection, RiskRejection } from '@/lib/server/risk/entry-risk'
import { takePoolSlot, type QueuedInPool } from './group-pool'
import { gridConfigOf, readGroupSettings, storedGroupSettings, type GroupSettings } from './group-settings'

export interface PlannedEntry {
  groupId: string
  pyramidId: string
  pyramidIndex: number
  /** True when this call made the pyramid; false when the signal's pyramid already existed (a retry). */
  created: boolean
  newGroup: boolean
}

/** The entry's pyramid was planned, or the group pool had no slot and it waits in the pool's queue. */
export type EntryPlan = PlannedEntry | { queued: QueuedInPool }

/**
 * Plans a signal's entry as a pyramid of DCA legs: a new group, or one more pyramid on the open
 * group of the trader, symbol and timeframe (same side, under its pyramid count and budget).
 * Everything is checked before anything is written: every leg against the market's minimums, the
 * stop beyond the deepest leg, the group's budget, and the trader's and user's risk limits for
 * the whole pyramid at once (its legs are not checked again one by one). The group, the pyramid
 * and its legs (PLANNED) are written in one transaction under the trader's lock, so two signals
 * cannot both start a group or squeeze under a limit. An entry the user's group pool has no slot
 * for is queued instead, in the same transaction (see takePoolSlot), once it has passed the checks
 * that do not depend on the moment (the grid, the budget, the stop); the risk limits are checked
 * when it is promoted. Nothing is sent here (see placeGroupLegs).
 */
export async function planGroupEntry(o: {
  db: Db
  traderId: string
  userId: string
  signalId: string
  symbol: string
  side: PositionSide
  timeframe: string
  /** The price the base leg is expected to fill at (the ask for a LONG, the bid for a SHORT). */
  reference: Decimal
  /** The signal's own stop for a new group; by default the settings' stopPct from the basis. */
  stopLoss?: Decimal
  settings: GroupSettings
  exchange: ExchangePort
}): Promise<EntryPlan> {
  const { db } = o
  const done = await db.groupPyramid.findUnique({ where: { signalId: o.signalId }, select: { id: true, index: true, groupId: true } })
  if (done) return { groupId: done.groupId, pyramidId: done.id, pyramidIndex: done.index, created: false, newGroup: done.index === 0 }

  const trader = await db.trader.findFirst({ where: { id: o.traderId, userId: o.userId }, include: { account: true } })
  if (!trader) throw notFound('trader')
  if (o.side === 'SHORT' && o.exchange.capabilities?.shortSelling === false) {
    throw validationError([{ field: 'side', message: `account "${trader.account.name}" trades spot: a group can only go LONG` }])
  }
  const rules = await o.exchange.marketRules(o.symbol)
  const fee = fromDb(trader.account.takerFeeRate)

  return db.$transaction(async (tx) => {
    const current = await lockTraderForEntry(tx, trader.id)
    const group = await tx.positionGroup.findFirst({
      where: { traderId: trader.id, symbol: o.symbol, timeframe: o.timeframe, status: { not: 'CLOSED' } },
      include: { pyramids: { select: { index: true } } },
    })
    if (group && group.status !== 'OPEN') throw conflict(`the ${o.symbol} group${tf(o.timeframe)} is closing; send the entry again once it has closed`)
    // Beside a plain position, or a group of the other side (any timeframe), a group could not
    // tell its quantity apart on a netted balance.
    const other = await tx.position.findFirst({ where: { traderId: trader.id, symbol: o.symbol, status: { notIn: ['CLOSED', 'FAILED'] }, OR: [{ groupId: null }, { side: { not: o.side } }] }, select: { id: true, side: true, groupId: true } })
    if (other) throw conflict(other.groupId ? `a ${other.side} ${o.symbol} group is open: close it before a ${o.side} entry` : `${o.symbol} is held by a position of its own (${other.id}): close it before a group starts`)
    // A group keeps the settings it was created with: a later pyramid is planned the same way.
    const settings = group ? readGroupSettings(group.settings) : o.settings
    if (group && group.pyramids.length >= settings.maxPyramids) throw conflict(`the ${o.symbol} group${tf(o.timeframe)} already has ${group.pyramids.length} of its ${settings.maxPyramids} pyramids`)
    const plan = planPyramid({ side: o.side, entryPrice: o.reference, capitalQuote: settings.pyramidCapitalQuote, config: gridConfigOf(settings), rules })
    if (!plan.ok) throw validationError(plan.problems, `the pyramid cannot be placed as configured: ${plan.problems.map((p) => p.message).join('; ')}`)
    const deepest = plan.legs[plan.legs.length - 1]!.price
    const budget = group ? fromDb(group.budgetQuote) : settings.groupBudgetQuote ?? settings.pyramidCapitalQuote.mul(settings.maxPyramids)
    const planned = group ? fromDb(group.plannedNotional) : dec(0)
    if (planned.plus(plan.totalNotional).gt(budget)) {
      throw validationError([{ field: 'groupBudgetQuote', message: `this pyramid (${plan.totalNotional.toFixed()} ${trader.quoteCurrency}) would take the group to ${planned.plus(plan.totalNotional).toFixed()}, over its budget of ${budget.toFixed()}` }])
    }

    // The group's stop: kept on an open group (tightened, later, from fills, unless the signal
    // gave it); a new one from the signal's stop or the settings' distance from the entry.
    const stop = group?.stopLoss
      ? fromDb(group.stopLoss)
      : roundGroupPrices(o.side, { stop: o.stopLoss ?? groupStop({ side: o.side, basis: settings.stopBasis, average: o.reference, firstEntry: o.reference, stopPct: settings.stopPct, current: null }), targets: [] }, rules.tickSize).stop
    const beyond = stopBeyondLegsProblem(o.side, stop, deepest)
    if (beyond) throw validationError([{ field: 'stopPct', message: beyond }])

    const queued = await takePoolSlot(tx, { userId: trader.userId, traderId: trader.id, symbol: o.symbol, timeframe: o.timeframe, side: o.side, signalId: o.signalId, continuation: !!group })
    if (queued) return { queued }

    const riskAmount = sumDec(plan.legs.map((l) => l.qty.mul(l.price.minus(stop).abs()).plus(l.notional.mul(fee)).plus(l.qty.mul(stop).mul(fee))))
    const user = { timeZone: current.timeZone, riskLimits: current.userRiskLimits, pnlPeak: current.userPnlPeak }
    await assertEntryWithinLimits(tx, current, user, { symbol: o.symbol, side: o.side, notional: plan.totalNotional, riskAmount, opensPosition: !group })

    const g = group ?? await tx.positionGroup.create({
      data: {
        traderId: trader.id, userId: trader.userId, accountId: trader.accountId, symbol: o.symbol, timeframe: o.timeframe, side: o.side,
        settings: storedGroupSettings(settings), budgetQuote: toDb(budget), stopLoss: toDb(stop), stopFromSignal: !!o.stopLoss,
      },
    })
    const index = group ? group.pyramids.length : 0
    const pyramid = await tx.groupPyramid.create({
      data: {
        groupId: g.id, index, signalId: o.signalId, entryPrice: toDb(o.reference), capitalQuote: toDb(settings.pyramidCapitalQuote),
        legs: {
          create: plan.legs.map((l) => ({
            groupId: g.id, index: l.index, deviationPct: toDb(l.deviationPct), weightPct: toDb(l.weightPct),
            price: toDb(l.price), qty: toDb(l.qty), takeProfitPct: toDb(settings.legTakeProfitPct),
          })),
        },
      },
    })
    await tx.positionGroup.update({ where: { id: g.id }, data: { plannedNotional: toDb(planned.plus(plan.totalNotional)), lastPyramidAt: new Date() } })
    return { groupId: g.id, pyramidId: pyramid.id, pyramidIndex: index, created: true, newGroup: !group }
  }).catch(async (e: unknown) => {
    if (e instanceof RiskRejection) await recordRiskRejection(db, { userId: trader.userId, traderId: trader.id, accountId: trader.accountId, source: 'WEBHOOK', symbol: o.symbol, rejection: e })
    throw e
  })
}

const tf = (timeframe: string) => (timeframe ? ` (${timeframe})` : '')
