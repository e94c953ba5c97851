import type { DbTx } from '@/lib/db/client'
import { listDecisions, ZListDecisionsQuery, type DecisionFilter, type DecisionView } from '@/lib/server/decisions/list-decisions'
import type { CsvColumn } from './csv-response'

/** GET /api/v1/decisions.csv: the journal's filters, without paging. */
export const ZExportDecisionsQuery = ZListDecisionsQuery.omit({ limit: true, cursor: true })

export const DECISION_COLUMNS: CsvColumn<DecisionView>[] = [
  { header: 'created_at', value: (d) => d.createdAt },
  { header: 'decision_id', value: (d) => d.id },
  { header: 'trader', value: (d) => d.traderName },
  { header: 'symbol', value: (d) => d.symbol },
  { header: 'position_id', value: (d) => d.positionId },
  { header: 'cycle_id', value: (d) => d.cycleId },
  { header: 'trigger', value: (d) => d.trigger },
  { header: 'provider', value: (d) => d.provider },
  { header: 'model', value: (d) => d.model },
  { header: 'prompt_version', value: (d) => d.promptVersion },
  // INVALID: the provider's output could not be read (the journal's own name for it).
  { header: 'action', value: (d) => d.action ?? 'INVALID' },
  { header: 'confidence', value: (d) => d.confidence },
  { header: 'outcome', value: (d) => d.outcome },
  { header: 'valid', value: (d) => d.validation?.isValid ?? null },
  { header: 'validation_errors', value: (d) => d.validation?.errors.join('; ') },
  { header: 'validation_warnings', value: (d) => d.validation?.warnings.join('; ') },
  { header: 'reasoning', value: (d) => d.reasoning },
  { header: 'error', value: (d) => d.error },
  { header: 'latency_ms', value: (d) => d.latencyMs },
  { header: 'model_latency_ms', value: (d) => d.modelLatencyMs },
  { header: 'prompt_tokens', value: (d) => d.promptTokens },
  { header: 'completion_tokens', value: (d) => d.completionTokens },
  { header: 'cost_usd', value: (d) => d.costUsd },
]

/** The journal with the journal's filters, newest first, through listDecisions a page at a time. */
export async function* exportDecisions(opts: { db: DbTx; userId: string; filter: Omit<Partial<DecisionFilter>, 'limit' | 'cursor'> }): AsyncGenerator<DecisionView> {
  let cursor: string | undefined
  for (;;) {
    const page = await listDecisions({ db: opts.db, userId: opts.userId, filter: { ...opts.filter, limit: 500, cursor } })
    yield* page.decisions
    if (!page.nextCursor) return
    cursor = page.nextCursor
  }
}
