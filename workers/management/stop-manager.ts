import type { Db } from '@/lib/db/client'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import type { Decimal } from '@/lib/domain/decimal'
import { atr } from '@/lib/domain/indicators/atr'
import type { Timeframe } from '@/lib/domain/market/candle'
import { manageStop, type ManagementRules } from '@/lib/domain/management/stop-management'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { Quote } from '@/lib/market-data/quote'
import type { ActorRef } from '@/lib/server/audit/actor'
import type { CandleSource } from '@/lib/server/decisions/run-analysis-cycle'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { readTraderSettings } from '@/lib/server/traders/trader-settings'
import { ALL_ACCOUNTS, type AccountScope } from '@/workers/lease/account-lease'

interface Managed {
  positionId: string
  userId: string
  side: PositionSide
  avgEntryPrice: Decimal
  stop: Decimal | null
  openedAt: number
  tickSize: Decimal
  rules: ManagementRules
  timeframe: Timeframe
}

const ATR_TTL_MS = 60_000
// Positions loaded per query at start and on taking accounts over.
const LOAD_BATCH = 1000
// Trailing moves smaller than this share of the price are not worth a write per tick.
const MIN_TRAIL_STEP = 0.0005
// The positions the rules manage: protected ones, except a position group's legs, whose stop is
// the group's (see syncGroup); a trader's breakeven or trailing stop on one leg would fight it.
const MANAGED = { status: 'MONITORING' as const, groupId: null }

/**
 * Rule-based management on every tick, independent of any AI: breakeven, trailing (% or ATR)
 * and time-based tightening from each trader's settings. Stops only ever tighten, and every
 * move goes through modifyProtection with trigger RULE_ENGINE, so it is validated against the
 * live market and recorded with before/after and the reason.
 */
export class StopManager {
  private readonly bySymbol = new Map<string, Map<string, Managed>>()
  private readonly inFlight = new Set<string>()
  private readonly atrCache = new Map<string, { at: number; value: Decimal | null }>()

  constructor(
    private readonly db: Db,
    private readonly actor: ActorRef,
    private readonly log: (m: string) => void,
    private readonly candles: CandleSource,
    private readonly now: () => number = Date.now,
    /** Only positions of the accounts this worker owns are managed. */
    private readonly scope: AccountScope = ALL_ACCOUNTS,
  ) {}

  async loadAll(): Promise<void> {
    this.bySymbol.clear()
    const rows = await this.db.position.findMany({ where: MANAGED, select: { id: true, accountId: true } })
    await this.reloadMany(rows.filter((p) => this.scope.owns(p.accountId)).map((p) => p.id))
  }

  /** After the accounts owned changed: drops the positions given up, loads those taken over. */
  async rescope(): Promise<void> {
    const rows = await this.db.position.findMany({ where: MANAGED, select: { id: true, accountId: true } })
    const wanted = new Set(rows.filter((p) => this.scope.owns(p.accountId)).map((p) => p.id))
    const managed = new Set<string>()
    for (const list of this.bySymbol.values()) {
      for (const id of list.keys()) {
        if (wanted.has(id)) managed.add(id)
        else list.delete(id)
      }
    }
    await this.reloadMany([...wanted].filter((id) => !managed.has(id)))
  }

  async reload(positionId: string): Promise<void> {
    await this.reloadMany([positionId])
  }

  /** One query per LOAD_BATCH positions (and one for their symbols' rules), not one per position: see TriggerMonitor. */
  private async reloadMany(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += LOAD_BATCH) {
      const batch = ids.slice(i, i + LOAD_BATCH)
      const rows = await this.db.position.findMany({ where: { id: { in: batch } }, include: { trader: true } })
      const rules = await this.db.marketRule.findMany({ where: { symbol: { in: [...new Set(rows.map((p) => p.symbol))] } } })
      const tickSizes = new Map(rules.map((r) => [r.symbol, fromDb(r.tickSize)]))
      const byId = new Map(rows.map((p) => [p.id, p]))
      for (const id of batch) {
        for (const m of this.bySymbol.values()) m.delete(id)
        const p = byId.get(id)
        if (!p || p.status !== 'MONITORING' || p.groupId || !this.scope.owns(p.accountId)) continue
        const tickSize = tickSizes.get(p.symbol)
        if (!tickSize) continue
        const settings = readTraderSettings(p.trader)
        const managed: Managed = {
          positionId: p.id,
          userId: p.trader.userId,
          side: p.side,
          avgEntryPrice: fromDb(p.avgEntryPrice),
          stop: fromDbOrNull(p.stopLoss),
          openedAt: (p.openedAt ?? p.createdAt).getTime(),
          tickSize,
          rules: settings.management,
          timeframe: settings.ai.timeframes[0] ?? '1m',
        }
        if (!this.bySymbol.has(p.symbol)) this.bySymbol.set(p.symbol, new Map())
        this.bySymbol.get(p.symbol)!.set(p.id, managed)
      }
    }
  }

  size(): number {
    let n = 0
    for (const m of this.bySymbol.values()) n += m.size
    return n
  }

  /** Tightens whatever the rules say should tighten at this quote; returns how many moved. */
  async onQuote(q: Quote): Promise<number> {
    const list = this.bySymbol.get(q.symbol)
    if (!list?.size) return 0
    const moves: Promise<boolean>[] = []
    for (const m of list.values()) {
      if (this.inFlight.has(m.positionId)) continue
      const exitPrice = m.side === 'LONG' ? q.bid : q.ask
      const usesAtr = m.rules.trailingAtrMult !== null
      const adj = manageStop({
        side: m.side,
        avgEntryPrice: m.avgEntryPrice,
        currentStop: m.stop,
        exitPrice,
        openedAt: m.openedAt,
        now: this.now(),
        atr: usesAtr ? await this.atrFor(q.symbol, m.timeframe) : null,
        tickSize: m.tickSize,
        rules: m.rules,
      })
      if (!adj) continue
      if (adj.rule === 'TRAILING' && m.stop && adj.stop.minus(m.stop).abs().lt(exitPrice.mul(MIN_TRAIL_STEP))) continue
      moves.push(this.apply(m, adj.stop, adj.reason))
    }
    return (await Promise.all(moves)).filter(Boolean).length
  }

  private async apply(m: Managed, stop: Decimal, reason: string): Promise<boolean> {
    this.inFlight.add(m.positionId)
    try {
      const { applied } = await modifyProtection({ db: this.db, userId: m.userId, actor: this.actor, positionId: m.positionId, trigger: 'RULE_ENGINE', reason, input: { stopLoss: stop.toFixed() }, tightenOnly: true })
      if (applied) {
        m.stop = stop
        return true
      }
      // The stored stop is already tighter (someone moved it since this copy was read): take it up.
      await this.reload(m.positionId)
      return false
    } catch (e) {
      this.log(`rule stop for position ${m.positionId} not moved: ${(e as Error).message}`)
      await this.reload(m.positionId)
      return false
    } finally {
      this.inFlight.delete(m.positionId)
    }
  }

  private async atrFor(symbol: string, tf: Timeframe): Promise<Decimal | null> {
    const key = `${symbol}|${tf}`
    const hit = this.atrCache.get(key)
    if (hit && this.now() - hit.at < ATR_TTL_MS) return hit.value
    const value = await this.candles(symbol, tf, 50).then((c) => atr(c, 14).at(-1) ?? null, () => null)
    this.atrCache.set(key, { at: this.now(), value })
    return value
  }
}
