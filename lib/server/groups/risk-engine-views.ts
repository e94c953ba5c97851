import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import { roundQuoteAmount } from '@/lib/domain/quote-amount'
import type { RiskEngineRun, RiskEngineRunStatus } from '@/lib/generated/prisma/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { notFound, validationError } from '@/lib/server/errors/app-error'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { parseRequest, parseSettingsPatch } from '@/lib/server/traders/update-trader-settings'
import { assessGroups, runRiskEngine, type RunStep } from './risk-engine'
import { readRiskEngineSettings, storedRiskEngineSettings, ZRiskEngineSettings, type StoredRiskEngineSettings } from './risk-engine-settings'

export interface RiskEngineRunView {
  id: string
  trigger: string
  dryRun: boolean
  status: RiskEngineRunStatus
  loserGroupId: string
  loserSymbol: string
  loss: string
  lossPct: string
  covered: string
  steps: RunStep[]
  message: string
  createdAt: string
  finishedAt: string | null
}

export interface RiskEngineView {
  settings: StoredRiskEngineSettings
  /** The open groups (with a fill), each with its PnL now and whether it qualifies as the loser. */
  groups: {
    id: string
    traderName: string
    symbol: string
    timeframe: string
    side: PositionSide
    pnl: string
    pnlPct: string
    pyramids: number
    maxPyramids: number
    ageMinutes: number
    blocked: boolean
    skipOnce: boolean
    eligible: boolean
    notEligible: string | null
  }[]
  /** The last 20 decisions, newest first. */
  runs: RiskEngineRunView[]
}

export function runView(r: RiskEngineRun): RiskEngineRunView {
  return {
    id: r.id, trigger: r.trigger, dryRun: r.dryRun, status: r.status, loserGroupId: r.loserGroupId, loserSymbol: r.loserSymbol,
    loss: roundQuoteAmount(fromDb(r.loss)), lossPct: fromDb(r.lossPct).toFixed(2), covered: roundQuoteAmount(fromDb(r.covered)), steps: r.steps as RunStep[],
    message: r.message, createdAt: r.createdAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null,
  }
}

export async function loadRiskEngineView(db: Db, userId: string, now = new Date()): Promise<RiskEngineView> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { riskEngineSettings: true } })
  const settings = readRiskEngineSettings(user.riskEngineSettings)
  const [groups, runs] = await Promise.all([
    assessGroups(db, userId, settings, now),
    db.riskEngineRun.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 20 }),
  ])
  return {
    settings: storedRiskEngineSettings(settings),
    groups: groups.map((g) => ({
      id: g.id, traderName: g.traderName, symbol: g.symbol, timeframe: g.timeframe, side: g.side, pnl: roundQuoteAmount(g.pnl), pnlPct: g.pnlPct.toFixed(2),
      pyramids: g.pyramids, maxPyramids: g.maxPyramids, ageMinutes: g.ageMinutes, blocked: g.blocked, skipOnce: g.skipOnce, eligible: g.notEligible === null, notEligible: g.notEligible,
    })),
    runs: runs.map(runView),
  }
}

/** PATCH of the risk engine settings: the given fields over the current ones, each checked, unknown ones refused by name. */
export async function updateRiskEngineSettings(o: { db: Db; userId: string; input: Record<string, unknown> }): Promise<RiskEngineView> {
  await o.db.$transaction(async (tx) => {
    const [u] = await tx.$queryRaw<{ riskEngineSettings: unknown }[]>`SELECT "riskEngineSettings" FROM "User" WHERE id = ${o.userId} FOR UPDATE`
    const r = parseSettingsPatch({ prefix: 'riskEngine', schema: ZRiskEngineSettings, current: readRiskEngineSettings(u?.riskEngineSettings), patch: o.input })
    if (!r.ok) throw validationError(r.errors)
    await tx.user.update({ where: { id: o.userId }, data: { riskEngineSettings: storedRiskEngineSettings(r.value) } })
  })
  return loadRiskEngineView(o.db, o.userId)
}

const ZGroupRiskControls = z.strictObject({
  /** Never pick this group, as the loser or as a winner. */
  blocked: ZFormBoolean.optional(),
  /** Pass it over the next time it would be the loser; its timer then starts again. */
  skipOnce: ZFormBoolean.optional(),
})

/** A person's controls on one group: block it from the risk engine, or have it skipped once. */
export async function setGroupRiskControls(o: { db: Db; userId: string; groupId: string; input: unknown }): Promise<RiskEngineView> {
  const input = parseRequest(ZGroupRiskControls, o.input)
  const g = await o.db.positionGroup.findFirst({ where: { id: o.groupId, userId: o.userId }, select: { id: true } })
  if (!g) throw notFound('position group')
  await o.db.positionGroup.update({
    where: { id: g.id },
    data: { ...(input.blocked === undefined ? {} : { riskEngineBlocked: input.blocked }), ...(input.skipOnce === undefined ? {} : { riskEngineSkipOnce: input.skipOnce }) },
  })
  return loadRiskEngineView(o.db, o.userId)
}

/** "Run now": one decision at once, whatever the schedule; says so when no group qualifies. */
export async function runRiskEngineNow(o: { db: Db; userId: string; actor: ActorRef }): Promise<{ run: RiskEngineRunView | null; message: string }> {
  const run = await runRiskEngine({ db: o.db, userId: o.userId, actor: o.actor, trigger: 'MANUAL' })
  return { run: run ? runView(run) : null, message: run ? run.message : 'no group qualifies as the loser now: see why next to each group' }
}
