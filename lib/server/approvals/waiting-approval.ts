import type { Db } from '@/lib/db/client'
import type { PlanStep } from '@/lib/server/decisions/decision-plan'

export const approvalKind = (step: PlanStep) => (step.kind === 'ENTRY' ? 'ENTRY' : step.kind === 'EXIT' ? 'EXIT' : 'MODIFY')

type Levels = { price: string; sharePct: string }[] | null
const sameLevels = (a: Levels, b: Levels) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((t, i) => t.price === b[i]!.price && t.sharePct === b[i]!.sharePct)

/**
 * The request a person has yet to answer that already asks for this step, if any: an entry on the
 * same symbol, an exit of the same position, or the very same change to the same position. A
 * cycle that proposes it again (each candle close, or "Analyze now" twice) must not queue a second
 * one that could be approved too. A trader's cycles never overlap, so reading first is enough.
 */
export async function waitingApproval(db: Db, traderId: string, step: PlanStep, now = Date.now()): Promise<string | null> {
  const rows = await db.approval.findMany({
    where: {
      traderId,
      status: 'PENDING',
      expiresAt: { gt: new Date(now) },
      kind: approvalKind(step),
      symbol: step.symbol,
      ...(step.kind === 'ENTRY' ? {} : { positionId: step.positionId }),
    },
    orderBy: { createdAt: 'asc' },
    select: { id: true, request: true },
  })
  if (step.kind !== 'MODIFY') return rows[0]?.id ?? null
  const same = rows.find((r) => {
    const q = r.request as { stopLoss: string | null; takeProfits: Levels }
    return q.stopLoss === step.stopLoss && sameLevels(q.takeProfits, step.takeProfits)
  })
  return same?.id ?? null
}
