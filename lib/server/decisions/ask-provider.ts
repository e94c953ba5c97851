import type { DecisionContext } from '@/lib/ai/decision-context'
import { callDecisionModel } from '@/lib/ai/call-decision-model'
import type { ProviderConfig } from '@/lib/ai/provider-config'
import type { Decimal } from '@/lib/domain/decimal'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'
import type { Candle } from '@/lib/domain/market/candle'
import { DEFAULT_RULES_STRATEGY_PARAMS, decideByRules } from '@/lib/domain/strategy/rules-strategy'
import type { OpenPositionState } from '@/lib/domain/decisions/decision-context'

export const RULES_VERSION = 'rules.ema-atr.v1'

interface CallFacts {
  /** What the provider was given: the prompt for a model, the context and parameters for the rules. */
  prompt: unknown
  raw: string | null
  model: string
  promptVersion: string
  promptTokens: number
  completionTokens: number
  costUsd: string
  modelLatencyMs: number
  attempts: number
}

export type ProviderAnswer = ({ ok: true; decision: TradeDecision } | { ok: false; error: string }) & CallFacts

export type ProviderChoice =
  | { kind: 'RULES'; candles: Candle[]; bid: Decimal; ask: Decimal; tickSize: Decimal; canShort: boolean }
  | { kind: 'LLM'; config: ProviderConfig }

/** Asks the trader's provider for one decision; never throws for a provider failure. */
export async function askProvider(choice: ProviderChoice, ctx: DecisionContext, position: OpenPositionState | null): Promise<ProviderAnswer> {
  if (choice.kind === 'RULES') {
    const decision = decideByRules({
      symbol: ctx.symbol,
      candles: choice.candles,
      bid: choice.bid,
      ask: choice.ask,
      tickSize: choice.tickSize,
      position: position ? { side: position.side, avgEntryPrice: position.avgEntryPrice, stopLoss: position.stopLoss } : null,
      canShort: choice.canShort,
    })
    return {
      ok: true,
      decision,
      prompt: { provider: 'RULES', version: RULES_VERSION, params: DEFAULT_RULES_STRATEGY_PARAMS, context: ctx },
      raw: JSON.stringify(decision),
      model: 'built-in rules',
      promptVersion: RULES_VERSION,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: '0',
      modelLatencyMs: 0,
      attempts: 1,
    }
  }
  const r = await callDecisionModel(choice.config, ctx)
  const facts: CallFacts = {
    prompt: r.prompt,
    raw: r.raw,
    model: choice.config.model,
    promptVersion: r.prompt.promptVersion,
    promptTokens: r.usage.promptTokens,
    completionTokens: r.usage.completionTokens,
    costUsd: r.costUsd,
    modelLatencyMs: r.modelLatencyMs,
    attempts: r.attempts,
  }
  return r.ok ? { ok: true, decision: r.decision, ...facts } : { ok: false, error: `${r.error.kind}: ${r.error.message}`, ...facts }
}
