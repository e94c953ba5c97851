import { DomainError } from '@/lib/domain/errors'
import { err, ok, type Result } from '@/lib/domain/result'

export const POSITION_STATUSES = [
  'CREATED',
  'SUBMITTING',
  'OPEN',
  'MONITORING',
  'CLOSING',
  'CLOSED',
  'FAILED',
] as const
export type PositionStatus = (typeof POSITION_STATUSES)[number]

export const POSITION_EVENTS = [
  'ENTRY_SUBMITTED',
  'ENTRY_FILLED',
  'ENTRY_FAILED',
  'MONITOR_STARTED',
  'MONITOR_PAUSED',
  'EXIT_REQUESTED',
  'EXIT_PARTIAL',
  'EXIT_COMPLETED',
] as const
export type PositionEvent = (typeof POSITION_EVENTS)[number]

type Transition = `${PositionStatus}:${PositionEvent}`

/**
 * The only place that decides how a position's status moves. Every (status, event) pair not
 * listed is illegal. CLOSED and FAILED accept only a late entry fill.
 */
export function transitionPosition(status: PositionStatus, event: PositionEvent): Result<PositionStatus> {
  switch (`${status}:${event}` as Transition) {
    case 'CREATED:ENTRY_SUBMITTED':
      return ok('SUBMITTING')
    case 'CREATED:ENTRY_FAILED':
    case 'SUBMITTING:ENTRY_FAILED': // the entry order ended without any fill
      return ok('FAILED')

    case 'SUBMITTING:ENTRY_FILLED':
    // An entry we declared lost (the exchange did not know it) that filled after all: the
    // exposure is real, so the position comes back to be protected rather than stay FAILED.
    case 'FAILED:ENTRY_FILLED':
    // A limit entry that was still working when its position closed (its cancel failed or crossed
    // a fill): the new exposure is real too, and is protected like any other.
    case 'CLOSED:ENTRY_FILLED':
    case 'OPEN:ENTRY_FILLED': // further partial fills of the entry order
    case 'MONITORING:MONITOR_PAUSED': // e.g. market data went stale; triggers are not armed
      return ok('OPEN')

    case 'OPEN:MONITOR_STARTED':
    case 'MONITORING:MONITOR_STARTED': // idempotent re-arm
    case 'MONITORING:ENTRY_FILLED': // a resting entry keeps filling while protected
    case 'CLOSING:EXIT_PARTIAL': // quantity remains, so it must stay protected
      return ok('MONITORING')

    // SUBMITTING: the user gives up on a resting limit entry that has already partly filled,
    // so the filled part has to be closed.
    case 'SUBMITTING:EXIT_REQUESTED':
    case 'OPEN:EXIT_REQUESTED':
    case 'MONITORING:EXIT_REQUESTED':
    case 'CLOSING:EXIT_REQUESTED': // repeated close clicks or retries
    case 'CLOSING:ENTRY_FILLED': // an entry fill in flight when the entry was canceled; exit it too
      return ok('CLOSING')

    case 'CLOSING:EXIT_COMPLETED':
      return ok('CLOSED')

    default:
      return err(
        new DomainError(
          'ILLEGAL_POSITION_TRANSITION',
          `a position in status ${status} cannot accept the event ${event}`,
          { status, event },
        ),
      )
  }
}

export function isTerminalPositionStatus(status: PositionStatus): boolean {
  return status === 'CLOSED' || status === 'FAILED'
}

/**
 * Everything not terminal. CREATED counts: it is about to put on exposure, so risk limits and
 * "open positions" views must already see it.
 */
export function isActivePositionStatus(status: PositionStatus): boolean {
  return !isTerminalPositionStatus(status)
}

/** The active statuses as a list, for database filters (`status: { in: [...] }`). */
export const ACTIVE_POSITION_STATUSES: readonly PositionStatus[] = POSITION_STATUSES.filter(isActivePositionStatus)
