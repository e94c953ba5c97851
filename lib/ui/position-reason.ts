/** What a closing order's purpose (the status reason a closed position keeps) means, in words. */
const CLOSED_BY: Record<string, string> = { STOP_LOSS: 'Stop loss', TAKE_PROFIT: 'Take-profit', MANUAL_EXIT: 'Manual exit' }

/**
 * A position's status reason as a person reads it: a closed position's is the purpose of the
 * order that closed it (MANUAL_EXIT), shown in words; any other (why an entry failed) is already
 * a sentence and is shown as written.
 */
export function positionReasonText(reason: string): string {
  return CLOSED_BY[reason] ?? reason
}
