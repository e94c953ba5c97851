import { dec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'

/**
 * How the decisions of each provider turned out, so a person can judge the AI: executed entries
 * grouped by provider × action × confidence bucket with the trades they opened, and how every
 * decision ended (executed, rejected by validation, failed, …) per provider.
 */

export const CONFIDENCE_BUCKETS = ['LOW', 'MID', 'HIGH'] as const
export type ConfidenceBucket = (typeof CONFIDENCE_BUCKETS)[number]

/** Display labels; the bounds are [0, 0.6), [0.6, 0.8) and [0.8, 1]. */
export const CONFIDENCE_BUCKET_LABELS: Record<ConfidenceBucket, string> = {
  LOW: '<0.6',
  MID: '0.6–0.8',
  HIGH: '≥0.8',
}

const MID_FROM = dec('0.6')
const HIGH_FROM = dec('0.8')

/** A lower bound belongs to its bucket: 0.6 is MID, 0.8 is HIGH. */
export function confidenceBucket(confidence: Decimal): ConfidenceBucket {
  if (confidence.gte(HIGH_FROM)) return 'HIGH'
  if (confidence.gte(MID_FROM)) return 'MID'
  return 'LOW'
}

/** EXECUTING: written before its steps were sent, for the moment they run (see settleDecision). */
export const DECISION_OUTCOMES = ['NO_ACTION', 'EXECUTING', 'EXECUTED', 'DRY_RUN', 'PENDING_APPROVAL', 'REJECTED', 'FAILED'] as const
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number]

const ENTRY_ACTIONS = ['LONG', 'SHORT'] as const
export type EntryAction = (typeof ENTRY_ACTIONS)[number]


export interface EntryDecisionInput {
  provider: string
  action: string | null
  outcome: string
  confidence: Decimal | null
  positionId: string | null
}

export interface PositionResultInput {
  status: string
  /** Net of fees, in the quote currency, from the fill ledger. */
  realizedPnl: Decimal
}

export interface OutcomeCountInput {
  provider: string
  outcome: string
  /** null: the provider's output was invalid (no action could be read). */
  action: string | null
  count: number
}

export interface EntryGroup {
  provider: string
  action: EntryAction
  bucket: ConfidenceBucket
  /** Executed entry decisions in this group. */
  decisions: number
  closedTrades: number
  wins: number
  losses: number
  /** wins / closed trades, 0..1; null with no closed trade. */
  winRate: Decimal | null
  /** Sum of the closed trades' realized PnL, exact. */
  totalPnl: Decimal
  /** totalPnl / closed trades; null with no closed trade. */
  avgPnl: Decimal | null
  openTrades: number
  /** Entries whose position never traded (FAILED). */
  failedTrades: number
}

export interface BucketTotal {
  bucket: ConfidenceBucket
  decisions: number
  closedTrades: number
  wins: number
  winRate: Decimal | null
  totalPnl: Decimal
}

export interface ProviderOutcomes {
  provider: string
  total: number
  /** Every outcome, zero when none. */
  byOutcome: Record<DecisionOutcome, number>
  /**
   * Decisions recorded with no action: the provider's output was invalid or missing (a model
   * error, or a failure before the provider was asked, such as a stale price).
   */
  withoutDecision: number
}

export interface DecisionPerformance {
  entries: EntryGroup[]
  byBucket: BucketTotal[]
  outcomes: ProviderOutcomes[]
}

interface Acc {
  decisions: number
  closed: number
  wins: number
  losses: number
  pnl: Decimal
  open: number
  failed: number
}

const emptyAcc = (): Acc => ({ decisions: 0, closed: 0, wins: 0, losses: 0, pnl: ZERO, open: 0, failed: 0 })

function isEntryAction(a: string | null): a is EntryAction {
  return a === 'LONG' || a === 'SHORT'
}

function ratio(part: number, whole: number): Decimal | null {
  return whole === 0 ? null : dec(part).div(whole)
}

function addTrade(acc: Acc, position: PositionResultInput | undefined): void {
  acc.decisions += 1
  if (!position) return
  if (position.status === 'CLOSED') {
    acc.closed += 1
    acc.pnl = acc.pnl.plus(position.realizedPnl)
    if (position.realizedPnl.gt(0)) acc.wins += 1
    else if (position.realizedPnl.lt(0)) acc.losses += 1
  } else if (position.status === 'FAILED') {
    acc.failed += 1
  } else if ((ACTIVE_POSITION_STATUSES as readonly string[]).includes(position.status)) {
    acc.open += 1
  }
}

/**
 * Aggregates executed entry decisions (LONG/SHORT, outcome EXECUTED, with a position) and the
 * outcome counts. `decisions` come oldest first: a position is credited to the first entry
 * decision that names it, so one trade is never counted twice. A decision whose position is not
 * in `positions` still counts as a decision, with no trade. A trade with zero PnL is neither a
 * win nor a loss, but it is a closed trade (it lowers the win rate).
 */
export function aggregateDecisionPerformance(input: {
  decisions: readonly EntryDecisionInput[]
  positions: ReadonlyMap<string, PositionResultInput>
  outcomeCounts: readonly OutcomeCountInput[]
}): DecisionPerformance {
  const groups = new Map<string, { provider: string; action: EntryAction; bucket: ConfidenceBucket; acc: Acc }>()
  const buckets = new Map<ConfidenceBucket, Acc>(CONFIDENCE_BUCKETS.map((b) => [b, emptyAcc()]))
  const credited = new Set<string>()

  for (const d of input.decisions) {
    if (d.outcome !== 'EXECUTED' || !isEntryAction(d.action) || !d.positionId || !d.confidence) continue
    if (credited.has(d.positionId)) continue
    credited.add(d.positionId)
    const bucket = confidenceBucket(d.confidence)
    const key = `${d.provider}\u0000${d.action}\u0000${bucket}`
    let g = groups.get(key)
    if (!g) {
      g = { provider: d.provider, action: d.action, bucket, acc: emptyAcc() }
      groups.set(key, g)
    }
    const position = input.positions.get(d.positionId)
    addTrade(g.acc, position)
    addTrade(buckets.get(bucket)!, position)
  }

  const bucketRank = (b: ConfidenceBucket) => CONFIDENCE_BUCKETS.indexOf(b)
  const entries: EntryGroup[] = [...groups.values()]
    .sort((a, b) => a.provider.localeCompare(b.provider) || ENTRY_ACTIONS.indexOf(a.action) - ENTRY_ACTIONS.indexOf(b.action) || bucketRank(a.bucket) - bucketRank(b.bucket))
    .map(({ provider, action, bucket, acc }) => ({
      provider,
      action,
      bucket,
      decisions: acc.decisions,
      closedTrades: acc.closed,
      wins: acc.wins,
      losses: acc.losses,
      winRate: ratio(acc.wins, acc.closed),
      totalPnl: acc.pnl,
      avgPnl: acc.closed === 0 ? null : acc.pnl.div(acc.closed),
      openTrades: acc.open,
      failedTrades: acc.failed,
    }))

  const byBucket: BucketTotal[] = CONFIDENCE_BUCKETS.map((bucket) => {
    const acc = buckets.get(bucket)!
    return { bucket, decisions: acc.decisions, closedTrades: acc.closed, wins: acc.wins, winRate: ratio(acc.wins, acc.closed), totalPnl: acc.pnl }
  })

  const outcomes = new Map<string, ProviderOutcomes>()
  for (const row of input.outcomeCounts) {
    let p = outcomes.get(row.provider)
    if (!p) {
      p = { provider: row.provider, total: 0, byOutcome: Object.fromEntries(DECISION_OUTCOMES.map((o) => [o, 0])) as Record<DecisionOutcome, number>, withoutDecision: 0 }
      outcomes.set(row.provider, p)
    }
    p.total += row.count
    if ((DECISION_OUTCOMES as readonly string[]).includes(row.outcome)) p.byOutcome[row.outcome as DecisionOutcome] += row.count
    if (row.action === null) p.withoutDecision += row.count
  }

  return { entries, byBucket, outcomes: [...outcomes.values()].sort((a, b) => a.provider.localeCompare(b.provider)) }
}
