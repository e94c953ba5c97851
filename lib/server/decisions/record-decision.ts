import { randomUUID } from 'node:crypto'
import type { Db } from '@/lib/db/client'
import { toJsonColumn } from '@/lib/db/json-column'
import type { Prisma } from '@/lib/generated/prisma/client'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'
import type { ValidationResult } from '@/lib/domain/decisions/validation-result'
import { notify } from '@/lib/server/events/notify'
import type { ProviderAnswer } from './ask-provider'

export type DecisionOutcome = 'NO_ACTION' | 'EXECUTED' | 'DRY_RUN' | 'PENDING_APPROVAL' | 'REJECTED' | 'FAILED'

export interface DecisionRecord {
  id: string
  symbol: string
  action: string | null
  outcome: DecisionOutcome
  error: string | null
  /** Whole time spent on this symbol, and the part of it the model took. */
  latencyMs: number
  modelLatencyMs: number
}

export interface RecordInput {
  db: Db
  trader: { id: string; userId: string; provider: 'RULES' | 'OPENAI_COMPATIBLE' | 'ANTHROPIC' }
  cycleId: string
  symbol: string
  trigger: string
  /** performance.now() when work on this symbol began. */
  started: number
  outcome: DecisionOutcome
  id?: string
  answer?: ProviderAnswer
  decision?: TradeDecision
  validation?: ValidationResult
  executed?: Prisma.InputJsonValue
  positionId?: string | null
  error?: string | null
  /** When the validated decision was ready to act on (the entry is written after acting on it). */
  decidedAt?: Date
}

/** Writes one journal entry (and the exact prompt and raw answer) and notifies on commit. */
export async function recordDecision(r: RecordInput): Promise<DecisionRecord> {
  const id = r.id ?? randomUUID()
  const latencyMs = Math.round(performance.now() - r.started)
  const a = r.answer
  await r.db.$transaction(async (tx) => {
    await tx.decision.create({
      data: {
        id,
        traderId: r.trader.id,
        cycleId: r.cycleId,
        symbol: r.symbol,
        positionId: r.positionId ?? null,
        provider: r.trader.provider,
        model: a?.model ?? '',
        promptVersion: a?.promptVersion ?? '',
        trigger: r.trigger,
        action: r.decision?.action ?? null,
        confidence: r.decision ? r.decision.confidence.toFixed() : null,
        reasoning: r.decision?.reasoning ?? '',
        decision: r.decision ? toJsonColumn(r.decision) : undefined,
        validation: r.validation ? toJsonColumn(r.validation) : undefined,
        outcome: r.outcome,
        executed: r.executed,
        error: r.error ?? null,
        latencyMs,
        modelLatencyMs: a?.modelLatencyMs ?? 0,
        decidedAt: r.decidedAt ?? null,
        promptTokens: a?.promptTokens ?? 0,
        completionTokens: a?.completionTokens ?? 0,
        costUsd: a?.costUsd ?? '0',
      },
      // Nothing read back (a nested create of the call would cost a read of the decision after both inserts).
      select: { id: true },
    })
    if (a) await tx.decisionCall.create({ data: { decisionId: id, prompt: toJsonColumn(a.prompt), rawResponse: a.raw, attempts: a.attempts }, select: { decisionId: true } })
    await notify(tx, { kind: 'decision', userId: r.trader.userId, traderId: r.trader.id, decisionId: id })
  })
  return { id, symbol: r.symbol, action: r.decision?.action ?? null, outcome: r.outcome, error: r.error ?? null, latencyMs, modelLatencyMs: a?.modelLatencyMs ?? 0 }
}
