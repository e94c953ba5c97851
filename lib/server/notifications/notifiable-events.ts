/**
 * Which activity-feed events go out to webhooks, and as what.
 *
 * Position events reach the feed through recordPositionEvent with the audit trail's own types
 * (CREATED, STATUS_CHANGED, FILL, ORDER_STATUS, SL_CHANGED, TP_CHANGED). "Opened", "closed",
 * "TP hit" and "stopped out" are therefore not types of their own: they are read from the
 * mirrored PositionEvent's statuses, the position's close reason and the order's purpose,
 * which the loader (load-notifiable-events.ts) supplies as facts.
 */
export const NOTIFICATION_KINDS = [
  'POSITION_OPENED',
  'POSITION_CLOSED',
  'STOPPED_OUT',
  'TP_HIT',
  'STOP_MOVED',
  'ENTRY_FAILED',
  'ORDER_REJECTED',
  'APPROVAL_NEEDED',
  'APPROVAL_EXPIRED',
  'LIMIT_BREACHED',
  'BREAKER_TRIPPED',
  'PANIC',
  'ORDER_STUCK',
  'HIGH_SLIPPAGE',
  'EXCHANGE_ERRORS',
  'DAILY_SUMMARY',
  'ERROR',
] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export const NOTIFICATION_TITLES: Record<NotificationKind | 'TEST', string> = {
  POSITION_OPENED: 'Position opened',
  POSITION_CLOSED: 'Position closed',
  STOPPED_OUT: 'Stopped out',
  TP_HIT: 'Take-profit hit',
  STOP_MOVED: 'Stop moved',
  ENTRY_FAILED: 'Entry failed',
  ORDER_REJECTED: 'Order rejected',
  APPROVAL_NEEDED: 'Approval needed',
  APPROVAL_EXPIRED: 'Approval expired',
  LIMIT_BREACHED: 'Risk limit breached',
  BREAKER_TRIPPED: 'Circuit breaker tripped',
  PANIC: 'Panic',
  ORDER_STUCK: 'Order stuck',
  HIGH_SLIPPAGE: 'Unusual slippage',
  EXCHANGE_ERRORS: 'High exchange error rate',
  DAILY_SUMMARY: 'Daily summary',
  ERROR: 'Error',
  TEST: 'Test notification',
}

/** Activity types written by recordActivity that are sent as they are. */
const ACTIVITY_KINDS = ['APPROVAL_NEEDED', 'APPROVAL_EXPIRED', 'LIMIT_BREACHED', 'BREAKER_TRIPPED', 'PANIC', 'ORDER_STUCK', 'HIGH_SLIPPAGE', 'EXCHANGE_ERRORS', 'DAILY_SUMMARY'] as const

/**
 * The event types that can be notifiable (plus any event of severity 'error'): a cheap
 * pre-filter for the database before the facts are loaded and `notificationKind` decides.
 */
export const CANDIDATE_TYPES: readonly string[] = ['STATUS_CHANGED', 'ORDER_STATUS', 'SL_CHANGED', ...ACTIVITY_KINDS]

export interface ActivityFacts {
  type: string
  severity: string
  positionId?: string | null
  /** From the PositionEvent this activity row mirrors (STATUS_CHANGED, ORDER_STATUS). */
  fromStatus?: string | null
  toStatus?: string | null
  /** Position.statusReason: for a closed position, the purpose of the order that closed it. */
  closeReason?: string | null
  /** For ORDER_STATUS: the purpose of the order the message names (ENTRY, STOP_LOSS, TAKE_PROFIT, MANUAL_EXIT). */
  orderPurpose?: string | null
}

/** The notification an activity event becomes, or null when it is not sent out. */
export function notificationKind(f: ActivityFacts): NotificationKind | null {
  const kind = positionKind(f) ?? activityKind(f)
  if (kind) return kind
  return f.severity === 'error' ? 'ERROR' : null
}

function activityKind(f: ActivityFacts): NotificationKind | null {
  // A panic also writes one PANIC audit row per position it closes; the run's own rows (no
  // position) and the positions' close notifications already say it all.
  if (f.type === 'PANIC' && f.positionId) return null
  return (ACTIVITY_KINDS as readonly string[]).includes(f.type) ? (f.type as NotificationKind) : null
}

function positionKind(f: ActivityFacts): NotificationKind | null {
  switch (f.type) {
    case 'SL_CHANGED':
      return 'STOP_MOVED'
    case 'STATUS_CHANGED':
      // SUBMITTING → OPEN is the first entry fill; MONITORING → OPEN is only a paused monitor.
      if (f.toStatus === 'OPEN' && f.fromStatus === 'SUBMITTING') return 'POSITION_OPENED'
      if (f.toStatus === 'CLOSED') return f.closeReason === 'STOP_LOSS' ? 'STOPPED_OUT' : 'POSITION_CLOSED'
      if (f.toStatus === 'FAILED') return 'ENTRY_FAILED'
      return null
    case 'ORDER_STATUS':
      if (f.toStatus === 'FILLED' && f.orderPurpose === 'TAKE_PROFIT') return 'TP_HIT'
      // A rejected entry already ends as ENTRY_FAILED; a rejected exit leaves exposure unprotected.
      if (f.toStatus === 'REJECTED' && f.orderPurpose && f.orderPurpose !== 'ENTRY') return 'ORDER_REJECTED'
      return null
    default:
      return null
  }
}
