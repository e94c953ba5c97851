import { DomainError } from '@/lib/domain/errors'
import { err, ok, type Result } from '@/lib/domain/result'

export const ORDER_STATUSES = [
  'NEW',
  'SUBMITTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

export const ORDER_EVENTS = ['SUBMITTED', 'PARTIAL_FILL', 'FILL', 'CANCEL', 'REJECT', 'EXPIRE'] as const
export type OrderEvent = (typeof ORDER_EVENTS)[number]

type Transition = `${OrderStatus}:${OrderEvent}`

/**
 * The only place that decides how an order's status moves. Every (status, event) pair not
 * listed is illegal; case labels are type-checked against the two unions, so a typo fails to
 * compile.
 */
export function transitionOrder(status: OrderStatus, event: OrderEvent): Result<OrderStatus> {
  switch (`${status}:${event}` as Transition) {
    case 'NEW:SUBMITTED':
      return ok('SUBMITTED')
    case 'NEW:REJECT':
      return ok('REJECTED')
    case 'NEW:CANCEL': // canceled before it was ever sent
      return ok('CANCELED')

    case 'SUBMITTED:PARTIAL_FILL':
    case 'PARTIALLY_FILLED:PARTIAL_FILL':
      return ok('PARTIALLY_FILLED')
    case 'SUBMITTED:FILL':
    case 'PARTIALLY_FILLED:FILL':
      return ok('FILLED')
    case 'SUBMITTED:CANCEL':
    case 'PARTIALLY_FILLED:CANCEL':
      return ok('CANCELED')
    case 'SUBMITTED:REJECT':
      return ok('REJECTED')
    case 'SUBMITTED:EXPIRE':
    case 'PARTIALLY_FILLED:EXPIRE':
      return ok('EXPIRED')

    // Fills that were in flight when the cancel was acknowledged are real on exchanges: a late
    // partial fill is recorded and the order stays canceled; a late full fill means the cancel
    // lost the race and the order is in fact filled.
    case 'CANCELED:PARTIAL_FILL':
      return ok('CANCELED')
    case 'CANCELED:FILL':
      return ok('FILLED')
    case 'CANCELED:CANCEL': // retries of a cancel are harmless
      return ok('CANCELED')

    // REJECTED is also what we record for an order declared lost (the exchange did not know it
    // after repeated asks). A request that was in flight can still land late; what the exchange
    // then reports is the truth, so the order follows it and its fills are recorded.
    case 'REJECTED:SUBMITTED':
      return ok('SUBMITTED')
    case 'REJECTED:PARTIAL_FILL':
      return ok('PARTIALLY_FILLED')
    case 'REJECTED:FILL':
      return ok('FILLED')
    case 'REJECTED:REJECT': // the same refusal heard twice
      return ok('REJECTED')

    default:
      return err(
        new DomainError(
          'ILLEGAL_ORDER_TRANSITION',
          `an order in status ${status} cannot accept the event ${event}`,
          { status, event },
        ),
      )
  }
}

/** No further action is expected from the exchange (CANCELED, and REJECTED when declared lost, may still see a late fill). */
export function isTerminalOrderStatus(status: OrderStatus): boolean {
  return status === 'FILLED' || status === 'CANCELED' || status === 'REJECTED' || status === 'EXPIRED'
}

/** The order is, or is about to be, working on the exchange. */
export function isOpenOrderStatus(status: OrderStatus): boolean {
  return status === 'NEW' || status === 'SUBMITTED' || status === 'PARTIALLY_FILLED'
}
