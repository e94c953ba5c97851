import type { Db } from '@/lib/db/client'
import { fromDb, fromDbOrNull, toDb } from '@/lib/db/decimal-columns'
import { aggregateTakeProfit, groupAverage, groupStop, legTakeProfit, legTarget, roundGroupPrices, trailTakeProfit } from '@/lib/domain/groups/group-targets'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { knownError } from '@/lib/server/errors/known-error'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { loadMarketRules, loadQuote } from '@/lib/market-data/quote-store'
import { cancelEntry } from '@/lib/server/positions/cancel-entry'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { requestExit } from '@/lib/server/positions/request-exit'
import { readGroupSettings } from './group-settings'
import { abandonedClaim } from './place-group-legs'

const TERMINAL = new Set(['CLOSED', 'FAILED'])
const PROTECTABLE = new Set(['SUBMITTING', 'OPEN', 'MONITORING'])

export interface GroupSyncOptions {
  db: Db
  groupId: string
  actor: ActorRef
  exchange?: ExchangePort
  exchangeFor?: (account: AccountRef) => ExchangePort
  log?: (message: string) => void
}

/**
 * Brings a group in line with its legs' fills; run after any change (the worker runs it every
 * second for the groups of its accounts, and it is idempotent):
 * - the average entry from every leg's entry fills (exits never change it), the first entry, the
 *   stop (from the average or the first entry, only ever tightened) and the aggregate target;
 * - every leg still working gets the group's stop and its target for the take-profit mode (a DCA
 *   fill resets the aggregate target for all of them);
 * - a leg stopped out ends the group: the rest is closed and nothing more is sent;
 * - a group that held something and holds nothing now (targets reached, closed by hand, panic) is
 *   over: what still rests or waits is canceled;
 * - a closing group cancels and exits what it still has, and is CLOSED once every leg has ended.
 */
export async function syncGroup(o: GroupSyncOptions): Promise<void> {
  const { db } = o
  const g = await db.positionGroup.findUnique({
    where: { id: o.groupId },
    include: {
      legs: {
        include: {
          pyramid: { select: { index: true } },
          position: {
            select: {
              id: true, status: true, openQty: true, entryQty: true, avgEntryPrice: true, stopLoss: true,
              takeProfits: { where: { status: 'ACTIVE' }, select: { price: true } },
              orders: { where: { purpose: 'STOP_LOSS', status: { in: ['FILLED', 'PARTIALLY_FILLED'] } }, select: { id: true }, take: 1 },
            },
          },
        },
      },
    },
  })
  if (!g || g.status === 'CLOSED') return
  const side = g.side as PositionSide
  const settings = readGroupSettings(g.settings)
  const legs = [...g.legs].sort((a, b) => a.pyramid.index * 1000 + a.index - (b.pyramid.index * 1000 + b.index))
  const positions = legs.flatMap((l) => (l.position ? [{ leg: l, p: l.position }] : []))
  const filled = positions.filter(({ p }) => fromDb(p.entryQty).gt(0))
  const working = positions.filter(({ p }) => !TERMINAL.has(p.status))
  const held = working.filter(({ p }) => fromDb(p.openQty).gt(0))
  const stoppedOut = positions.find(({ p }) => p.orders.length > 0)

  // When an open group is over, and why.
  const placing = legs.some((l) => (l.status === 'PLACED' && !l.position) || (l.status === 'PLANNED' && l.index === 0))
  const over = stoppedOut
    ? `the group's stop was hit (leg ${stoppedOut.leg.pyramid.index + 1}.${stoppedOut.leg.index + 1}): everything else is closed`
    : filled.length > 0 && held.length === 0
      ? 'everything it held has been closed (targets, by hand or panic): the legs still resting or waiting are canceled'
      : filled.length === 0 && working.length === 0 && !placing
        ? `no leg filled and none is working${legs.find((l) => l.status === 'FAILED')?.reason ? ` (${legs.find((l) => l.status === 'FAILED')!.reason})` : ''}`
        : null
  const status = g.status === 'OPEN' && over ? 'CLOSING' : g.status
  const closeReason = g.closeReason ?? over

  if (status === 'CLOSING') {
    await db.groupLeg.updateMany({ where: { groupId: g.id, status: 'PLANNED' }, data: { status: 'CANCELED', reason: 'the group closed first' } })
    // An open group plans such a leg again; a closing one must not wait for it forever.
    const abandoned = legs.filter((l) => abandonedClaim(l, Date.now())).map((l) => l.id)
    if (abandoned.length) {
      await db.groupLeg.updateMany({ where: { id: { in: abandoned }, status: 'PLACED', position: null }, data: { status: 'CANCELED', reason: 'its placement stopped part way, and the group closed' } })
    }
    if (g.status !== 'CLOSING') await db.positionGroup.updateMany({ where: { id: g.id, status: 'OPEN' }, data: { status: 'CLOSING', closeReason } })
    await Promise.all(working.map(({ p }) => wind(o, g.userId, p)))
    // Unplaced claims first: a leg whose position commits between the two counts is then seen by
    // the second (in the other order, by neither, and the group would close with that leg live).
    const unplaced = await db.groupLeg.count({ where: { groupId: g.id, status: 'PLACED', position: null } })
    const stillWorking = await db.position.count({ where: { groupId: g.id, status: { notIn: ['CLOSED', 'FAILED'] } } })
    if (stillWorking === 0 && unplaced === 0) {
      await db.positionGroup.updateMany({ where: { id: g.id, status: { not: 'CLOSED' } }, data: { status: 'CLOSED', closedAt: new Date(), closeReason } })
    }
    return
  }

  // Open: the average, the first entry, the stop and the aggregate target from the fills.
  const average = groupAverage(filled.map(({ p }) => ({ entryQty: fromDb(p.entryQty), avgEntryPrice: fromDb(p.avgEntryPrice) })))
  if (!average) return
  const rules = await loadMarketRules(db, g.symbol)
  if (!rules) return
  const first = filled[0]!
  const firstEntry = fromDbOrNull(g.firstEntryPrice) ?? fromDb(first.p.avgEntryPrice)
  const current = fromDbOrNull(g.stopLoss)
  // The aggregate target is over what is still held. Legs that have exited (HYBRID sells the
  // deepest first, at their own targets) no longer lower it: over the whole average, the legs
  // left would be sold below their own entries, and the group could close at a net loss.
  const heldAverage = groupAverage(held.map(({ p }) => ({ entryQty: fromDb(p.openQty), avgEntryPrice: fromDb(p.avgEntryPrice) }))) ?? average
  const computed = roundGroupPrices(side, {
    stop: groupStop({ side, basis: settings.stopBasis, average, firstEntry, stopPct: settings.stopPct, current }),
    targets: [aggregateTakeProfit(side, heldAverage, settings.aggregateTakeProfitPct)],
  }, rules.tickSize)
  // A stop the signal gave is the strategy's: the settings' distance does not move it (it would sit
  // above the DCA legs the planner accepted below that stop, and they would be refused).
  const stop = g.stopFromSignal && current ? current : computed.stop
  const aggregate = computed.targets[0]!
  const entryQty = filled.reduce((s, { p }) => s.plus(fromDb(p.entryQty)), fromDb('0'))
  // A trailing take-profit: the aggregate target starts it; the group sells once the mark falls
  // back from its best since by the deviation.
  const quote = settings.trailingDeviationPct && held.length ? await loadQuote(db, g.symbol) : null
  const trail = quote
    ? trailTakeProfit({ side, activation: aggregate, deviationPct: settings.trailingDeviationPct!, peak: fromDbOrNull(g.trailPeak), mark: exitPriceFor(side, quote) })
    : { peak: fromDbOrNull(g.trailPeak), exit: false }
  // Written only when something moved: the keeper passes every second over every open group.
  const figures = { avgEntryPrice: average, entryQty, firstEntryPrice: firstEntry, stopLoss: stop, aggregateTarget: aggregate, trailPeak: trail.peak }
  const moved = Object.entries(figures).some(([k, v]) => {
    const stored = fromDbOrNull(g[k as keyof typeof figures])
    return v === null ? stored !== null : stored === null || !stored.eq(v)
  })
  if (moved) {
    await db.positionGroup.update({
      where: { id: g.id },
      data: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v === null ? null : toDb(v)])),
    })
  }
  if (trail.exit) {
    const mark = exitPriceFor(side, quote!)
    const reason = `trailing take-profit: the price came back ${settings.trailingDeviationPct!.toFixed()}% from its best ${trail.peak!.toFixed()} since the target ${aggregate.toFixed()} (at ${mark.toFixed()})`
    // Closing, then the closing pass below: what rests is canceled, what is held sold.
    await db.positionGroup.updateMany({ where: { id: g.id, status: 'OPEN' }, data: { status: 'CLOSING', closeReason: reason } })
    return syncGroup(o)
  }

  for (const { leg, p } of working) {
    if (!PROTECTABLE.has(p.status)) continue
    const fillPrice = fromDb(p.entryQty).gt(0) ? fromDb(p.avgEntryPrice) : fromDb(leg.price)
    const own = legTakeProfit(side, fillPrice, fromDb(leg.takeProfitPct))
    const target = settings.trailingDeviationPct ? null : roundGroupPrices(side, { stop, targets: [legTarget(settings.takeProfitMode, side, own, aggregate)] }, rules.tickSize).targets[0]!
    const currentStop = fromDbOrNull(p.stopLoss)
    const currentTarget = p.takeProfits.length === 1 ? fromDb(p.takeProfits[0]!.price) : null
    const input: { stopLoss?: string; takeProfits?: { price: string; sharePct: string }[] } = {}
    if (!currentStop || !currentStop.eq(stop)) input.stopLoss = stop.toFixed()
    if (target ? !currentTarget || !currentTarget.eq(target) : p.takeProfits.length > 0) input.takeProfits = target ? [{ price: target.toFixed(), sharePct: '100' }] : []
    if (!input.stopLoss && !input.takeProfits) continue
    await modifyProtection({
      db, userId: g.userId, actor: o.actor, positionId: p.id, input, trigger: 'RULE_ENGINE',
      reason: `position group ${g.id}: average ${average.toFixed()}, stop ${stop.toFixed()}, ${target ? `target ${target.toFixed()} (${settings.takeProfitMode.toLowerCase().replace('_', '-')})` : `trailing from ${aggregate.toFixed()}`}`,
    }).catch(async (e: unknown) => {
      // E.g. the market is already past the new target: the leg keeps what it had, and says why.
      const why = knownError(e)?.message ?? (e as Error).message
      await db.groupLeg.update({ where: { id: leg.id }, data: { reason: `its stop/target could not follow the group: ${why}`.slice(0, 2000) } })
    })
  }
}

/** Ends one leg's position for a closing group: a resting entry canceled, what is held sold. */
async function wind(o: GroupSyncOptions, userId: string, p: { id: string; status: string; openQty: { toString(): string } }): Promise<void> {
  const attempt = async () => {
    if (p.status === 'CREATED' || (p.status === 'SUBMITTING' && fromDb(p.openQty).isZero())) {
      await cancelEntry({ db: o.db, userId, actor: o.actor, positionId: p.id, reason: 'its position group closed', exchange: o.exchange })
    } else if (p.status === 'OPEN' || p.status === 'MONITORING') {
      await requestExit({ db: o.db, positionId: p.id, size: { kind: 'ALL' }, purpose: 'MANUAL_EXIT', actor: o.actor, reason: 'Its position group closed', exchange: o.exchange, exchangeFor: o.exchangeFor })
    }
  }
  // A leg already on its way out, or a resting entry that filled meanwhile, is seen on the next
  // pass. A conflict means another pass (the keeper's and a close's can meet) got there first.
  await attempt().catch((e: unknown) => {
    const known = knownError(e)
    if (known?.code !== 'CONFLICT') o.log?.(`group leg ${p.id}: not wound down yet: ${known?.message ?? (e as Error).message}`)
  })
}

