import type { DbTx } from '@/lib/db/client'
import { notFound } from '@/lib/server/errors/app-error'
import { decisionInclude, toDecisionView, type DecisionView } from './list-decisions'

export interface DecisionDetail extends DecisionView {
  /** The provider's decision as parsed (decimals as strings); null when the output was invalid. */
  decision: unknown
  /** Exactly what the provider was given and what it answered; null when no call was made. */
  call: { prompt: unknown; rawResponse: string | null; attempts: number } | null
  /** Approval requests this decision queued. */
  approvals: { id: string; kind: string; status: string; expiresAt: string; decidedAt: string | null; note: string | null }[]
}

/** One journal entry with its prompt and raw response; NOT_FOUND unless it is the user's. */
export async function getDecision(opts: { db: DbTx; userId: string; decisionId: string }): Promise<DecisionDetail> {
  const d = await opts.db.decision.findFirst({
    where: { id: opts.decisionId, trader: { userId: opts.userId } },
    include: { ...decisionInclude, call: true },
  })
  if (!d) throw notFound('decision')
  const approvals = await opts.db.approval.findMany({ where: { decisionId: d.id }, orderBy: { createdAt: 'asc' } })
  return {
    ...toDecisionView(d),
    decision: d.decision ?? null,
    call: d.call ? { prompt: d.call.prompt, rawResponse: d.call.rawResponse, attempts: d.call.attempts } : null,
    approvals: approvals.map((a) => ({
      id: a.id,
      kind: a.kind,
      status: a.status,
      expiresAt: a.expiresAt.toISOString(),
      decidedAt: a.decidedAt?.toISOString() ?? null,
      note: a.note,
    })),
  }
}
