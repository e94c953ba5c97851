import type { Db } from '@/lib/db/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { fromDb } from '@/lib/db/decimal-columns'
import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { checkOrderRisk, type RiskCheck, type RiskState, type RiskViolation } from '@/lib/domain/risk/check-order-risk'
import { needsRiskState } from '@/lib/domain/risk/risk-limits'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { AppError } from '@/lib/server/errors/app-error'
import { readRiskLimits, readUserRiskLimits } from '@/lib/server/traders/trader-settings'
import type { AccountMode } from '@/lib/generated/prisma/enums'
import { bookLabel, loadTraderAndUserRiskState } from './load-risk-state'

/** Where an order came from, for the risk log: every path goes through the same check. */
export type OrderSource = 'UI' | 'API' | 'AI' | 'RULES' | 'APPROVAL' | 'WEBHOOK'

export interface EntryIntent {
  symbol: string
  side: 'LONG' | 'SHORT'
  notional: Decimal
  /** Quote lost if the stop is hit, fees included. */
  riskAmount: Decimal
  /** False for a pyramid added to an open position group: the group already counts as one open position. */
  opensPosition?: boolean
}

export interface ScopedViolation extends RiskViolation {
  scope: 'trader' | 'all traders'
}

/** A refused entry: 422 with one field error per violated limit, named after the limit. */
export class RiskRejection extends AppError {
  constructor(public violations: ScopedViolation[]) {
    super(
      'RISK_LIMIT',
      violations.length === 1 ? `risk limit: ${violations[0]!.message}` : `${violations.length} risk limits refuse this order: ${violations.map((v) => v.label).join(', ')}`,
      undefined,
      violations.map((v) => ({ field: `risk.${v.limit}`, message: v.message })),
    )
  }
}

type TraderRow = { id: string; userId: string; quoteCurrency: string; mode: AccountMode; riskLimits: unknown; pnlPeak: { toString(): string } }
type UserRow = { timeZone: string; riskLimits: unknown; pnlPeak: { toString(): string } }

// What limits that only look at the order are checked against: nothing of the ledger is read.
const NO_STATE: RiskState = {
  equity: ZERO, openPositions: 0, exposureQuote: ZERO, dailyPnl: ZERO, drawdownPct: ZERO,
  tradesToday: 0, lastEntryAtBySymbol: {}, consecutiveLosses: 0, recentEntries: [],
}

/** Advisory locks of a user's entries while user-wide limits that read the ledger are set. */
const USER_ENTRY_LOCK_CLASS = 7_316

/**
 * Checks an entry against the trader's limits and the user-wide limits over its book (see Book), from the ledger as it
 * stands inside the caller's transaction (which holds the trader's row lock; with user-wide
 * limits set, also the user's entry lock), so two entries cannot both squeeze under a limit.
 * Throws RiskRejection; the caller records it after rollback.
 */
export async function assertEntryWithinLimits(tx: SqlTx, trader: TraderRow, user: UserRow, intent: EntryIntent, now = Date.now()): Promise<{ trader: RiskCheck; user: RiskCheck }> {
  const traderLimits = readRiskLimits(trader.riskLimits)
  const userLimits = readUserRiskLimits(user.riskLimits)
  const order = { kind: 'ENTRY' as const, symbol: intent.symbol, side: intent.side, notional: intent.notional, riskAmount: intent.riskAmount, opensPosition: intent.opensPosition, at: now }

  // The caller holds the trader's row lock, which keeps that trader's entries in turn; the
  // user-wide limits count every trader of the user, whose entries share no lock: they take
  // turns here, so that two traders cannot both squeeze under one of them (the state is read by
  // a later statement, which sees what the entry before committed).
  if (needsRiskState(userLimits)) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${USER_ENTRY_LOCK_CLASS}::int, hashtext(${trader.userId}))`
  // The ledger is read only when some limit looks at it (with every such limit off, an entry
  // costs no risk query at all).
  const states = needsRiskState(traderLimits) || needsRiskState(userLimits)
    ? await loadTraderAndUserRiskState(tx, {
        userId: trader.userId, traderId: trader.id, timeZone: user.timeZone, now,
        trader: { pnlPeak: fromDb(trader.pnlPeak), duplicateWindowSeconds: traderLimits.duplicateWindowSeconds, cooldownMinutes: traderLimits.cooldownMinutes },
        user: { pnlPeak: fromDb(user.pnlPeak), duplicateWindowSeconds: userLimits.duplicateWindowSeconds, cooldownMinutes: userLimits.cooldownMinutes },
      })
    : { trader: { state: NO_STATE }, user: { state: NO_STATE } }
  const checks = {
    trader: checkOrderRisk({ scope: 'trader', limits: traderLimits, state: states.trader.state, intent: order, quoteCurrency: trader.quoteCurrency }),
    user: checkOrderRisk({ scope: { userBook: bookLabel({ mode: trader.mode, quoteCurrency: trader.quoteCurrency }) }, limits: userLimits, state: states.user.state, intent: order, quoteCurrency: trader.quoteCurrency }),
  }
  const violations: ScopedViolation[] = [
    ...checks.trader.violations.map((v) => ({ ...v, scope: 'trader' as const })),
    ...checks.user.violations.map((v) => ({ ...v, scope: 'all traders' as const })),
  ]
  if (violations.length) throw new RiskRejection(violations)
  return checks
}

/** Logs a refusal (after the refused transaction rolled back) and tells the user. */
export async function recordRiskRejection(db: Db, opts: { userId: string; traderId: string; accountId: string; source: OrderSource; symbol: string; rejection: RiskRejection }): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.riskEvent.createMany({
      data: opts.rejection.violations.map((v) => ({
        accountId: opts.accountId,
        traderId: opts.traderId,
        limit: v.limit,
        currentValue: v.currentValue,
        allowedValue: v.allowedValue,
        message: `${opts.symbol}: ${v.message}`,
        source: opts.source,
      })),
    })
    await recordActivity(tx, {
      userId: opts.userId,
      traderId: opts.traderId,
      type: 'LIMIT_BREACHED',
      severity: 'warning',
      symbol: opts.symbol,
      message: `${opts.symbol} entry refused (${opts.source.toLowerCase()}): ${opts.rejection.violations.map((v) => v.message).join('; ')}`,
    })
  })
}
