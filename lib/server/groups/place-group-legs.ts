import type { Db } from '@/lib/db/client'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import { aggregateTakeProfit, legTakeProfit, legTarget } from '@/lib/domain/groups/group-targets'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { knownError } from '@/lib/server/errors/known-error'
import { openPosition } from '@/lib/server/positions/open-position'
import { readGroupSettings } from './group-settings'

// A refusal (the leg cannot be placed as it is) fails the leg; anything else leaves it to try again.
const REFUSALS = new Set(['VALIDATION', 'CONFLICT', 'RISK_LIMIT', 'EXCHANGE_REJECTED', 'NOT_FOUND', 'FORBIDDEN'])
// A leg claimed (PLACED) whose position never appeared: its placer stopped between the claim and
// the entry's transaction. After this long it is planned again (groupLegId is unique, so a placer
// that was only slow cannot place it a second time).
const ABANDONED_CLAIM_MS = 60_000
// Legs being placed by this process, so a pass does not take a claim of its own for abandoned.
const inFlight = new Set<string>()

/** A leg claimed for placement whose placer stopped before the entry's transaction: it never gets its position. */
export const abandonedClaim = (l: { id: string; status: string; updatedAt: Date; position: unknown }, now: number) =>
  l.status === 'PLACED' && !l.position && !inFlight.has(l.id) && now - l.updatedAt.getTime() > ABANDONED_CLAIM_MS

export interface PlacedLeg { legId: string; positionId: string | null; status: 'PLACED' | 'FAILED' | 'PLANNED'; reason?: string }

/**
 * Sends what an open group has planned, in order: each pyramid's base leg at market at once, then
 * its DCA legs as resting limit entries once the base leg has filled, never more resting at once
 * than the settings' maxActiveLegs (the rest are sent as earlier ones fill). Each leg goes through
 * openPosition (validation, halts, precision, the exchange port) as a position of its own, with
 * the group's stop and the leg's target. Safe to run again at any time: a leg is claimed before it
 * is sent and its position carries the leg's id (unique).
 */
export async function placeGroupLegs(o: { db: Db; groupId: string; actor: ActorRef; exchange?: ExchangePort; now?: number }): Promise<PlacedLeg[]> {
  const { db } = o
  const g = await db.positionGroup.findUnique({
    where: { id: o.groupId },
    include: {
      legs: { include: { pyramid: { select: { index: true } }, position: { select: { id: true, status: true, openQty: true, entryQty: true } } } },
    },
  })
  if (!g || g.status !== 'OPEN') return []
  const now = o.now ?? Date.now()
  const settings = readGroupSettings(g.settings)
  const order = (l: (typeof g.legs)[number]) => l.pyramid.index * 1000 + l.index
  const legs = [...g.legs].sort((a, b) => order(a) - order(b))

  // Claims whose placer stopped before the entry's transaction: planned again.
  for (const l of legs) {
    if (abandonedClaim(l, now)) {
      await db.groupLeg.updateMany({ where: { id: l.id, status: 'PLACED', position: null }, data: { status: 'PLANNED', reason: 'its placement stopped part way; planned again' } })
      l.status = 'PLANNED'
    }
  }

  const baseFilled = new Set(legs.filter((l) => l.index === 0 && l.position && fromDb(l.position.entryQty).gt(0)).map((l) => l.pyramidId))
  const resting = legs.filter((l) => l.index > 0 && (l.status === 'PLACED' && (!l.position || (['CREATED', 'SUBMITTING'].includes(l.position.status) && fromDb(l.position.openQty).isZero())))).length
  let slots = settings.maxActiveLegs - resting
  const due = legs.filter((l) => {
    if (l.status !== 'PLANNED') return false
    if (l.index === 0) return true
    if (!baseFilled.has(l.pyramidId) || slots <= 0) return false
    slots--
    return true
  })

  const placed: PlacedLeg[] = []
  for (const l of due) {
    const claimed = await db.groupLeg.updateMany({ where: { id: l.id, status: 'PLANNED' }, data: { status: 'PLACED', reason: null } })
    if (claimed.count !== 1) continue
    inFlight.add(l.id)
    try {
      const side = g.side as PositionSide
      const price = fromDb(l.price)
      const own = legTakeProfit(side, price, fromDb(l.takeProfitPct))
      const aggregate = fromDbOrNull(g.aggregateTarget) ?? aggregateTakeProfit(side, fromDbOrNull(g.avgEntryPrice) ?? price, settings.aggregateTakeProfitPct)
      const target = legTarget(settings.takeProfitMode, side, own, aggregate)
      const { positionId } = await openPosition({
        db,
        userId: g.userId,
        actor: o.actor,
        source: 'WEBHOOK',
        exchange: o.exchange,
        groupLeg: { legId: l.id, groupId: g.id },
        input: {
          traderId: g.traderId,
          symbol: g.symbol,
          side,
          sizeMode: 'BASE',
          size: fromDb(l.qty).toFixed(),
          entryType: l.index === 0 ? 'MARKET' : 'LIMIT',
          ...(l.index === 0 ? {} : { limitPrice: price.toFixed() }),
          stopLoss: fromDb(g.stopLoss!).toFixed(),
          // With a trailing take-profit the group sells (see syncGroup), not each leg at a price.
          takeProfits: settings.trailingDeviationPct ? [] : [{ price: target.toFixed(), sharePct: '100' }],
        },
      })
      placed.push({ legId: l.id, positionId, status: 'PLACED' })
    } catch (e) {
      const known = knownError(e)
      const made = await db.position.findUnique({ where: { groupLegId: l.id }, select: { id: true } })
      const message = known?.message ?? (e instanceof Error ? e.message : String(e))
      const reason = known?.fieldErrors?.length ? `${message}: ${known.fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ')}` : message
      if (made) {
        // The entry was written and then not confirmed: its position says how it ends.
        await db.groupLeg.update({ where: { id: l.id }, data: { reason: reason.slice(0, 2000) } })
        placed.push({ legId: l.id, positionId: made.id, status: 'PLACED', reason })
      } else if (known && REFUSALS.has(known.code)) {
        await db.groupLeg.update({ where: { id: l.id }, data: { status: 'FAILED', reason: reason.slice(0, 2000) } })
        placed.push({ legId: l.id, positionId: null, status: 'FAILED', reason })
      } else {
        await db.groupLeg.update({ where: { id: l.id }, data: { status: 'PLANNED', reason: `not sent yet: ${reason}`.slice(0, 2000) } })
        placed.push({ legId: l.id, positionId: null, status: 'PLANNED', reason })
      }
    } finally {
      inFlight.delete(l.id)
    }
  }
  return placed
}
