import type { Db } from '@/lib/db/client'
import type { PlanStep } from '@/lib/server/decisions/decision-plan'

export const approvalKind = (step: PlanStep) => (step.kind === 'ENTRY' ? 'ENTRY' : step.kind === 'EXIT' ? 'EXIT' : 'MODIFY')

type Levels = { price: string; sharePct: string }[] | null
const sameLevels = (a: Levels, b: Levels) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((t, i) => t.price === b[i]!.price && t.sharePct === b[i]!.sharePct)

/**
 * The request a person has yet to answer that already asks for this step, if any: an entry on the
 * same symbol in the same direction, an exit of the same share of the same position, or the very
 * same change to the same position. A cycle that proposes it again (each candle close, or
 * "Analyze now" twice) must not queue a second one that could be approved too; anything that
 * differs (a SHORT after a LONG, closing all after closing a quarter) is a request of its own.
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
  const same = rows.find((r) => {
    const q = r.request as PlanStep
    if (step.kind === 'ENTRY') return q.kind === 'ENTRY' && q.side === step.side
    if (step.kind === 'EXIT') return q.kind === 'EXIT' && q.full === step.full && q.sharePct === step.sharePct
    return q.kind === 'MODIFY' && q.stopLoss === step.stopLoss && sameLevels(q.takeProfits, step.takeProfits)
  })
  return same?.id ?? null
}
