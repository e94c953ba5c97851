import type { Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import type { ModificationTrigger } from '@/lib/domain/decisions/trade-decision'
import type { ActorRef } from '@/lib/server/audit/actor'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import type { OrderSource } from '@/lib/server/risk/entry-risk'
import type { PlanStep } from './decision-plan'

export interface StepContext {
  db: Db
  userId: string
  traderId: string
  actor: ActorRef
  source: OrderSource
  trigger: ModificationTrigger
  decisionId?: string
  reason: string
}

/**
 * Carries out one step through the same services a person uses, so every check (freshness,
 * precision, protection, risk limits, halts) applies again at execution time.
 * Throws the service's AppError when it refuses.
 */
export async function executeStep(c: StepContext, step: PlanStep): Promise<{ positionId: string; summary: string }> {
  switch (step.kind) {
    case 'ENTRY': {
      const { positionId } = await openPosition({
        db: c.db,
        userId: c.userId,
        actor: c.actor,
        source: c.source,
        decisionId: c.decisionId,
        input: {
          traderId: c.traderId,
          symbol: step.symbol,
          side: step.side,
          sizeMode: 'BASE',
          size: step.qty,
          entryType: step.entryType,
          limitPrice: step.limitPrice ?? undefined,
          stopLoss: step.stopLoss,
          takeProfits: step.takeProfits,
        },
      })
      return { positionId, summary: `opened ${step.side} ${step.qty} ${step.symbol}` }
    }
    case 'EXIT': {
      const pct = dec(step.sharePct)
      const r = await requestExit({
        db: c.db,
        userId: c.userId,
        positionId: step.positionId,
        actor: c.actor,
        purpose: 'MANUAL_EXIT',
        size: step.full || pct.gte(100) ? { kind: 'ALL' } : { kind: 'SHARE', pct },
        reason: c.reason,
      })
      if (r && 'dust' in r) return { positionId: step.positionId, summary: `closed ${step.symbol} as dust, nothing sold: ${r.dust}` }
      return { positionId: step.positionId, summary: r ? (step.full ? `closing ${step.symbol}` : `closing ${step.sharePct}% of ${step.symbol}`) : `${step.symbol} was already closing` }
    }
    case 'MODIFY': {
      await modifyProtection({
        db: c.db,
        userId: c.userId,
        actor: c.actor,
        positionId: step.positionId,
        trigger: c.trigger,
        decisionId: c.decisionId,
        reason: c.reason,
        input: { ...(step.stopLoss ? { stopLoss: step.stopLoss } : {}), ...(step.takeProfits ? { takeProfits: step.takeProfits } : {}) },
        expected: step.seen,
      })
      return { positionId: step.positionId, summary: `modified ${step.symbol}: ${[step.stopLoss && `stop ${step.stopLoss}`, step.takeProfits && 'take-profits replaced'].filter(Boolean).join(', ')}` }
    }
  }
}
