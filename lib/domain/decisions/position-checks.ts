import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { OpenPositionState } from './decision-context'
import type { Check } from './validation-result'

function describePosition(position: OpenPositionState | null): string {
  return position === null ? 'none' : `${position.side} ${position.openQty.toFixed()}`
}

/** Exits and modifications act on an open position. `purpose` names what needs it: 'CLOSE', 'modifications'. */
export function checkOpenPosition(purpose: string, symbol: string, position: OpenPositionState | null): Check {
  return {
    name: 'open position',
    satisfied: position !== null,
    currentValue: describePosition(position),
    requiredValue: 'an open position',
    message: `${purpose} needs an open position for ${symbol}; there is none`,
  }
}

/** One position per symbol: an entry is refused while one is open. */
export function checkNoOpenPosition(side: PositionSide, symbol: string, position: OpenPositionState | null): Check {
  return {
    name: 'no open position',
    satisfied: position === null,
    currentValue: describePosition(position),
    requiredValue: 'none',
    message: `a ${side} entry needs no open position for ${symbol}; ${describePosition(position)} is already open`,
  }
}
