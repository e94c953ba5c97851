import { Decimal, dec } from '@/lib/domain/decimal'
import { formatAmount } from '@/lib/domain/risk/format-amount'
import { isEnabled, limitCheck, type LimitCheck } from '@/lib/domain/risk/limit-check'
import type { RiskLimits } from '@/lib/domain/risk/risk-limits'
import type { RiskSide, RiskState } from '@/lib/domain/risk/risk-state'

export type PaceState = Pick<RiskState, 'tradesToday' | 'lastEntryAtBySymbol' | 'recentEntries'>

export interface PacedEntry {
  symbol: string
  side: RiskSide
  /** Epoch ms. */
  at: number
}

const MS_PER_MINUTE = 60_000
const MS_PER_SECOND = 1_000

/**
 * The limits on how often entries may be made. Waiting exactly the cooldown or the duplicate
 * window is enough; an earlier entry dated after `at` (clock skew) counts as just made.
 */
export function checkPaceLimits(limits: RiskLimits, state: PaceState, entry: PacedEntry): LimitCheck[] {
  const { symbol, side, at } = entry
  const checks: LimitCheck[] = []

  if (isEnabled(limits.maxTradesPerDay)) {
    const max = limits.maxTradesPerDay
    // Reaching exactly the maximum number of entries today is allowed (<=).
    checks.push(
      limitCheck({
        limit: 'maxTradesPerDay',
        current: state.tradesToday + 1,
        comparison: '<=',
        allowed: max,
        detail: `${state.tradesToday} entries were already made today and at most ${max} may be`,
      }),
    )
  }
  if (isEnabled(limits.cooldownMinutes)) {
    const cooldown = limits.cooldownMinutes
    const last = state.lastEntryAtBySymbol[symbol] as number | undefined
    const minutes = last === undefined ? null : dec(at - last).div(MS_PER_MINUTE)
    // Rounded down, so a blocked entry never appears to have waited the full cooldown.
    const shown = minutes?.toDecimalPlaces(2, Decimal.ROUND_FLOOR).toFixed() ?? 'none'
    // An entry exactly `cooldown` minutes after the last one is allowed (>=).
    checks.push(
      limitCheck({
        limit: 'cooldownMinutes',
        current: minutes,
        comparison: '>=',
        allowed: cooldown,
        currentText: shown,
        detail: `the last ${symbol} entry was ${shown} minutes ago and entries on one symbol must be ${cooldown} minutes apart`,
      }),
    )
  }
  if (isEnabled(limits.duplicateWindowSeconds)) {
    const window = limits.duplicateWindowSeconds
    const latest = state.recentEntries
      .filter((e) => e.symbol === symbol && e.side === side)
      .reduce<number | null>((max, e) => (max === null || e.at > max ? e.at : max), null)
    const seconds = latest === null ? null : dec(at - latest).div(MS_PER_SECOND)
    // A same symbol and side entry exactly `window` seconds ago is no longer a duplicate (>=).
    checks.push(
      limitCheck({
        limit: 'duplicateWindowSeconds',
        current: seconds,
        comparison: '>=',
        allowed: window,
        detail: `a ${side} ${symbol} entry was made ${seconds === null ? 'none' : formatAmount(seconds, 3)} seconds ago, within the ${window}-second duplicate window`,
      }),
    )
  }
  return checks
}
