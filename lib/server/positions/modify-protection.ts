import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { fromDb, fromDbOrNull, toDb } from '@/lib/db/decimal-columns'
import { dec, sumDec, type Decimal } from '@/lib/domain/decimal'
import { priceRoundingFor, roundPriceToTick } from '@/lib/domain/market/precision'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import { validateProtection } from '@/lib/domain/positions/protection-rules'
import type { ModificationTrigger } from '@/lib/domain/decisions/trade-decision'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordPositionEvent } from '@/lib/server/audit/record-position-event'
import { conflict, fromZodError, notFound, validationError } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { lockPosition } from './lock-position'
import { freshMarket } from './market-context'
import { ZTakeProfitInput } from './open-position'

export const ZModifyProtectionRequest = z
  .strictObject({
    stopLoss: ZPositiveDecimal.optional(),
    /** Replaces every take-profit level not yet filled. */
    takeProfits: z.array(ZTakeProfitInput).max(10, 'at most 10 take-profit levels').optional(),
  })
  .refine((v) => v.stopLoss !== undefined || v.takeProfits !== undefined, { message: 'give stopLoss and/or takeProfits', path: ['stopLoss'] })

/**
 * Moves the stop and/or replaces the active take-profits of a live position, validated
 * against the current market; before and after are recorded, and the worker re-arms on commit.
 */
export async function modifyProtection(opts: {
  db: Db
  userId: string
  actor: ActorRef
  positionId: string
  input: unknown
  /** What caused the change; a person's edit unless the AI or the rule engine says otherwise. */
  trigger?: ModificationTrigger
  decisionId?: string
  /** Why, in words, recorded with the before/after values. */
  reason?: string
  /**
   * The stop may only tighten against the stop stored now, read under the lock (the rule engine's
   * copy of it may be stale: a person may have tightened it a moment ago). A stop that would not
   * is left as it is, and the call returns `{ applied: false }`.
   */
  tightenOnly?: boolean
  /**
   * The stop and active targets the change was decided against (a model's answer takes seconds,
   * an approval longer). If the position's differ now (the rule engine moved the stop, a target
   * filled, a person changed them), the change is refused: applied, it would undo what happened
   * meanwhile (loosen a stop just tightened, put back a target just sold).
   */
  expected?: { stopLoss: string | null; takeProfits: { price: string; sharePct: string }[] }
}): Promise<{ applied: boolean }> {
  const trigger = opts.trigger ?? 'USER_MANUAL'
  const why = opts.reason ? ` (${opts.reason})` : ''
  const parsed = ZModifyProtectionRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const req = parsed.data
  return opts.db.$transaction(async (tx) => {
    const p = await lockPosition(tx, opts.positionId)
    if (!p || p.trader.userId !== opts.userId) throw notFound('position')
    if (!['SUBMITTING', 'OPEN', 'MONITORING'].includes(p.status)) throw conflict(`a ${p.status.toLowerCase()} position cannot be modified`)
    const { quote, rules } = await freshMarket(tx, p.symbol)
    // Levels are judged against the price the position would exit at.
    const exitPrice = exitPriceFor(p.side, quote)
    const current = await tx.takeProfit.findMany({ where: { positionId: p.id }, orderBy: { price: 'asc' } })
    const filled = current.filter((t) => t.status === 'FILLED')
    const active = current.filter((t) => t.status === 'ACTIVE')

    const stopLoss = req.stopLoss ? roundPriceToTick(req.stopLoss, rules.tickSize, priceRoundingFor(p.side, 'STOP')) : fromDbOrNull(p.stopLoss)
    const stored = fromDbOrNull(p.stopLoss)
    if (opts.expected) {
      const changed = changedSince(opts.expected, { stopLoss: stored, takeProfits: active.map((t) => ({ price: fromDb(t.price), sharePct: fromDb(t.sharePct) })) })
      if (changed) throw conflict(`the position changed after this was decided (${changed}): not applied`)
    }
    if (opts.tightenOnly && stored && stopLoss && !(p.side === 'LONG' ? stopLoss.gt(stored) : stopLoss.lt(stored))) return { applied: false }
    const newTps = req.takeProfits?.map((t) => ({ price: roundPriceToTick(t.price, rules.tickSize, priceRoundingFor(p.side, 'TAKE_PROFIT')), sharePct: t.sharePct }))
    // Only the levels being set are judged against the market: a level the price has reached
    // (its exit on the way, or refused) must not stop the stop from moving.
    const referenceName = exitPriceFor(p.side, { bid: 'the current bid', ask: 'the current ask' })
    const errors = validateProtection({ side: p.side, referencePrice: exitPrice, referenceName, stopLoss, takeProfits: newTps ?? [] })
    const filledShare = sumDec(filled.map((t) => fromDb(t.sharePct)))
    if (newTps && filledShare.plus(sumDec(newTps.map((t) => t.sharePct))).gt(100)) {
      errors.push({ field: 'takeProfits', message: `with ${filledShare.toFixed()}% already taken, the new levels may add up to at most ${dec(100).minus(filledShare).toFixed()}%` })
    }
    if (errors.length) throw validationError(errors)

    const userId = p.trader.userId
    if (req.stopLoss && !fromDbOrNull(p.stopLoss)?.eq(stopLoss!)) {
      await tx.position.update({ where: { id: p.id }, data: { stopLoss: toDb(stopLoss!) } })
      await recordPositionEvent(tx, {
        positionId: p.id,
        userId,
        type: 'SL_CHANGED',
        actor: opts.actor,
        message: `Stop loss moved from ${fromDbOrNull(p.stopLoss)?.toFixed() ?? 'none'} to ${stopLoss!.toFixed()}${why}`,
        trigger,
        decisionId: opts.decisionId,
        before: { stopLoss: p.stopLoss?.toString() ?? null },
        after: { stopLoss: stopLoss!.toFixed() },
      })
    }
    if (newTps) {
      await tx.takeProfit.updateMany({ where: { positionId: p.id, status: 'ACTIVE' }, data: { status: 'CANCELED' } })
      await tx.takeProfit.createMany({ data: newTps.map((t) => ({ positionId: p.id, price: toDb(t.price), sharePct: toDb(t.sharePct) })) })
      const fmt = (l: { price: { toString(): string }; sharePct: { toString(): string } }[]) => l.map((t) => `${t.price.toString()} (${t.sharePct.toString()}%)`).join(', ') || 'none'
      await recordPositionEvent(tx, {
        positionId: p.id,
        userId,
        type: 'TP_CHANGED',
        actor: opts.actor,
        message: `Take-profits changed from ${fmt(active)} to ${fmt(newTps.map((t) => ({ price: t.price.toFixed(), sharePct: t.sharePct.toFixed() })))}${why}`,
        trigger,
        decisionId: opts.decisionId,
        before: { takeProfits: active.map((t) => ({ price: t.price.toString(), sharePct: t.sharePct.toString() })) },
        after: { takeProfits: newTps.map((t) => ({ price: t.price.toFixed(), sharePct: t.sharePct.toFixed() })) },
      })
    }
    await notify(tx, { kind: 'protection', positionId: p.id })
    return { applied: true }
  })
}

/** What differs between the protection a change was decided against and the position's now; null when nothing does. */
function changedSince(seen: { stopLoss: string | null; takeProfits: { price: string; sharePct: string }[] }, now: { stopLoss: Decimal | null; takeProfits: { price: Decimal; sharePct: Decimal }[] }): string | null {
  const what: string[] = []
  if ((seen.stopLoss === null) !== (now.stopLoss === null) || (seen.stopLoss !== null && !now.stopLoss!.eq(seen.stopLoss))) {
    what.push(`stop ${seen.stopLoss ?? 'none'} → ${now.stopLoss?.toFixed() ?? 'none'}`)
  }
  const key = (l: { price: { toString(): string }; sharePct: { toString(): string } }[]) =>
    l.map((t) => `${dec(t.price.toString()).toFixed()}@${dec(t.sharePct.toString()).toFixed()}`).sort().join(', ')
  if (key(seen.takeProfits) !== key(now.takeProfits)) what.push(`take-profits ${key(seen.takeProfits) || 'none'} → ${key(now.takeProfits) || 'none'}`)
  return what.length ? what.join('; ') : null
}
