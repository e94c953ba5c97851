import type { Db } from '@/lib/db/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { fromDb } from '@/lib/db/decimal-columns'
import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { entriesBetween, entryTotals, readsEntryTimes, withEntriesSince } from '@/lib/domain/risk/entries-since'
import { checkOrderRisk, type RiskCheck, type RiskState, type RiskViolation } from '@/lib/domain/risk/check-order-risk'
import { limitReads, needsRiskState } from '@/lib/domain/risk/risk-limits'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { AppError } from '@/lib/server/errors/app-error'
import { readRiskLimits, readUserRiskLimits } from '@/lib/server/traders/trader-settings'
import type { AccountMode } from '@/lib/generated/prisma/enums'
import { takeBookTurn } from './book-entry-turn'
import { bookLabel, loadTraderAndUserRiskState, type Book } from './load-risk-state'

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

/**
 * Checks an entry against the trader's limits and the user-wide limits over its book (see Book),
 * from the ledger as it stands once the caller holds its trader's lock, so that two entries cannot
 * both squeeze under a limit. Throws RiskRejection (which rolls the caller's transaction back, this
 * entry's turn included); the caller records it after rollback. Callers check before their
 * transaction writes anything the ledger read looks at: that read may run on another entry's
 * transaction, and this one's on theirs.
 *
 * The caller holds the trader's row lock, which keeps that trader's entries in turn: its own
 * figures are read as they stand. The user-wide limits count every trader of the book, whose
 * entries share no lock. They read the book without waiting for each other's locks (entries made
 * at once share one read, see loadTraderAndUserRiskState), then take the book's turn
 * (takeBookTurn: a row lock held until commit), which tells what the entries that committed in
 * between added. Those are counted into what was read (withEntriesSince). Only when a user-wide
 * limit looks at when each symbol was entered is the book read again, in turn and alone. So the
 * book's entries wait for each other's writes and commits only, not for each other's reads.
 */
export async function assertEntryWithinLimits(tx: SqlTx, trader: TraderRow, user: UserRow, intent: EntryIntent, now = Date.now()): Promise<{ trader: RiskCheck; user: RiskCheck }> {
  const traderLimits = readRiskLimits(trader.riskLimits)
  const userLimits = readUserRiskLimits(user.riskLimits)
  const order = { kind: 'ENTRY' as const, symbol: intent.symbol, side: intent.side, notional: intent.notional, riskAmount: intent.riskAmount, opensPosition: intent.opensPosition, at: now }
  const book = { userId: trader.userId, mode: trader.mode, quoteCurrency: trader.quoteCurrency }

  // The ledger is read only when some limit looks at it (with every such limit off, an entry
  // costs no risk query at all).
  // The first read is shared with the book's other entries made at once (nothing is written yet);
  // the one after the book's turn, which has written to the book's totals, reads alone.
  const read = (sharedIn?: Book) =>
    loadTraderAndUserRiskState(tx, {
      userId: trader.userId, traderId: trader.id, sharedIn, timeZone: user.timeZone, now,
      trader: { pnlPeak: fromDb(trader.pnlPeak), duplicateWindowSeconds: traderLimits.duplicateWindowSeconds, cooldownMinutes: traderLimits.cooldownMinutes, reads: limitReads(traderLimits) },
      user: { pnlPeak: fromDb(user.pnlPeak), duplicateWindowSeconds: userLimits.duplicateWindowSeconds, cooldownMinutes: userLimits.cooldownMinutes, reads: limitReads(userLimits) },
    })
  const states = needsRiskState(traderLimits) || needsRiskState(userLimits) ? await read(book) : null
  let userState = states?.user.state ?? NO_STATE
  if (states && needsRiskState(userLimits)) {
    const since = entriesBetween(states.bookEntries, await takeBookTurn(tx, book, entryTotals(intent)))
    if (since.entries > 0) userState = readsEntryTimes(userLimits) ? (await read()).user.state : withEntriesSince(userState, since)
  }
  const checks = {
    trader: checkOrderRisk({ scope: 'trader', limits: traderLimits, state: states?.trader.state ?? NO_STATE, intent: order, quoteCurrency: trader.quoteCurrency }),
    user: checkOrderRisk({ scope: { userBook: bookLabel(book) }, limits: userLimits, state: userState, intent: order, quoteCurrency: trader.quoteCurrency }),
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
