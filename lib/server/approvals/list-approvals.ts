import { z } from 'zod'
import type { DbTx } from '@/lib/db/client'
import type { Prisma } from '@/lib/generated/prisma/client'
import { readValidation, type ValidationView } from '@/lib/server/decisions/list-decisions'
import { loadQuotes } from '@/lib/market-data/quote-store'
import { notFound } from '@/lib/server/errors/app-error'
import { ZIdField } from '@/lib/server/validation/id-field'

export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'FAILED'] as const

/** GET /api/v1/approvals */
export const ZListApprovalsQuery = z.object({
  status: z.enum(APPROVAL_STATUSES, { error: `must be one of ${APPROVAL_STATUSES.join(', ')}` }).optional(),
  traderId: ZIdField.optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
})

/** The queued step, as proposed (decimal strings). */
export interface ApprovalRequestView {
  kind: 'ENTRY' | 'EXIT' | 'MODIFY'
  symbol: string
  side: 'LONG' | 'SHORT' | null
  entryType: 'MARKET' | 'LIMIT' | null
  limitPrice: string | null
  qty: string | null
  stopLoss: string | null
  takeProfits: { price: string; sharePct: string }[] | null
  positionId: string | null
  sharePct: string | null
  full: boolean | null
}

export interface ApprovalView {
  id: string
  traderId: string
  traderName: string
  decisionId: string | null
  positionId: string | null
  kind: 'ENTRY' | 'EXIT' | 'MODIFY'
  symbol: string
  status: (typeof APPROVAL_STATUSES)[number]
  request: ApprovalRequestView
  /** What the decision said when it was queued. */
  action: string | null
  confidence: string | null
  reasoning: string
  /** One line describing the step, e.g. "LONG 0.01 BTC/USDT at market, stop 59000". */
  step: string
  validation: ValidationView | null
  priceAtDecision: { bid: string; ask: string } | null
  /** The latest quote the web process knows (the page updates it live). */
  currentPrice: { bid: string; ask: string; receivedAt: string } | null
  expiresAt: string
  createdAt: string
  decidedAt: string | null
  decidedBy: string | null
  /** The email of the person who decided, when it was a person. */
  decidedByEmail: string | null
  note: string | null
  result: unknown
}

const text = z.string().nullish().transform((v) => v ?? null)
const num = z.union([z.string(), z.number()]).transform(String).nullish().transform((v) => v ?? null)
const ZLevels = z.array(z.object({ price: z.union([z.string(), z.number()]).transform(String), sharePct: z.union([z.string(), z.number()]).transform(String) })).nullish().transform((v) => v ?? null)
const ZStoredRequest = z.object({
  symbol: z.string(),
  side: z.enum(['LONG', 'SHORT']).nullish().transform((v) => v ?? null),
  entryType: z.enum(['MARKET', 'LIMIT']).nullish().transform((v) => v ?? null),
  limitPrice: num,
  qty: num,
  stopLoss: num,
  takeProfits: ZLevels,
  positionId: text,
  sharePct: num,
  full: z.boolean().nullish().transform((v) => v ?? null),
})
const ZStoredSummary = z.object({
  action: text.catch(null),
  confidence: num.catch(null),
  reasoning: z.string().catch(''),
  step: z.string().catch(''),
  validation: z.unknown(),
  priceAtDecision: z.object({ bid: z.coerce.string(), ask: z.coerce.string() }).nullish().transform((v) => v ?? null).catch(null),
})

const include = { trader: { select: { name: true } } } as const
type Row = Prisma.ApprovalGetPayload<{ include: typeof include }>

function toView(a: Row, extra: { emails: Map<string, string>; quotes: Map<string, { bid: string; ask: string; receivedAt: string }> }): ApprovalView {
  const req = ZStoredRequest.safeParse(a.request)
  const sum = ZStoredSummary.safeParse(a.summary ?? {})
  const s = sum.success ? sum.data : { action: null, confidence: null, reasoning: '', step: '', validation: null, priceAtDecision: null }
  return {
    id: a.id,
    traderId: a.traderId,
    traderName: a.trader.name,
    decisionId: a.decisionId,
    positionId: a.positionId,
    kind: a.kind,
    symbol: a.symbol,
    status: a.status,
    request: req.success
      ? { kind: a.kind, ...req.data }
      : { kind: a.kind, symbol: a.symbol, side: null, entryType: null, limitPrice: null, qty: null, stopLoss: null, takeProfits: null, positionId: a.positionId, sharePct: null, full: null },
    action: s.action,
    confidence: s.confidence,
    reasoning: s.reasoning,
    step: s.step,
    validation: readValidation(s.validation),
    priceAtDecision: s.priceAtDecision,
    currentPrice: extra.quotes.get(a.symbol) ?? null,
    expiresAt: a.expiresAt.toISOString(),
    createdAt: a.createdAt.toISOString(),
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decidedBy: a.decidedBy,
    decidedByEmail: a.decidedBy ? (extra.emails.get(a.decidedBy) ?? null) : null,
    note: a.note,
    result: a.result ?? null,
  }
}

async function toViews(db: DbTx, rows: Row[]): Promise<ApprovalView[]> {
  const deciders = [...new Set(rows.map((r) => r.decidedBy).filter((x): x is string => Boolean(x)))]
  const [users, quotes] = await Promise.all([
    deciders.length ? db.user.findMany({ where: { id: { in: deciders } }, select: { id: true, email: true } }) : Promise.resolve([]),
    rows.length ? loadQuotes(db, [...new Set(rows.map((r) => r.symbol))]) : Promise.resolve([]),
  ])
  const emails = new Map(users.map((u) => [u.id, u.email]))
  const quoteMap = new Map(quotes.map((q) => [q.symbol, { bid: q.bid.toFixed(), ask: q.ask.toFixed(), receivedAt: q.receivedAt.toISOString() }]))
  return rows.map((r) => toView(r, { emails, quotes: quoteMap }))
}

/**
 * The user's approval requests. PENDING ones come soonest-expiring first (what needs an answer
 * first); decided ones most recently decided first.
 */
export async function listApprovals(opts: { db: DbTx; userId: string; status?: (typeof APPROVAL_STATUSES)[number]; traderId?: string; limit?: number }): Promise<ApprovalView[]> {
  const rows = await opts.db.approval.findMany({
    where: { trader: { userId: opts.userId }, status: opts.status, traderId: opts.traderId },
    include,
    orderBy: opts.status === 'PENDING' ? [{ expiresAt: 'asc' }, { id: 'asc' }] : [{ decidedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit ?? 50,
  })
  return toViews(opts.db, rows)
}

/** Requests decided (or expired, or failed), most recent first. */
export async function listDecidedApprovals(opts: { db: DbTx; userId: string; limit?: number }): Promise<ApprovalView[]> {
  const rows = await opts.db.approval.findMany({
    where: { trader: { userId: opts.userId }, status: { not: 'PENDING' } },
    include,
    orderBy: [{ decidedAt: { sort: 'desc', nulls: 'last' } }, { createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit ?? 20,
  })
  return toViews(opts.db, rows)
}

/** One approval of the user; NOT_FOUND otherwise. */
export async function getApproval(opts: { db: DbTx; userId: string; approvalId: string }): Promise<ApprovalView> {
  const row = await opts.db.approval.findFirst({ where: { id: opts.approvalId, trader: { userId: opts.userId } }, include })
  if (!row) throw notFound('approval')
  return (await toViews(opts.db, [row]))[0]!
}

/**
 * How many requests wait for an answer and can still get one (not past their expiry even if the
 * worker has not marked them expired yet): the number on the navigation badge.
 */
export async function countPendingApprovals(opts: { db: DbTx; userId: string; now?: Date }): Promise<number> {
  return opts.db.approval.count({ where: { trader: { userId: opts.userId }, status: 'PENDING', expiresAt: { gt: opts.now ?? new Date() } } })
}


/** Everything the approvals page shows: its first render and its refetches. */
export async function loadApprovalsPage(db: DbTx, userId: string) {
  const [pending, decided] = await Promise.all([listApprovals({ db, userId, status: 'PENDING', limit: 100 }), listDecidedApprovals({ db, userId, limit: 20 })])
  return { pending, decided }
}
export type ApprovalsPageData = Awaited<ReturnType<typeof loadApprovalsPage>>
