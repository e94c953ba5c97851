import { describe, expect, test } from 'vitest'
import { notificationKind, type ActivityFacts } from '@/lib/server/notifications/notifiable-events'

const info = { severity: 'info' }

describe('notificationKind', () => {
  test.each<[string, ActivityFacts, string | null]>([
    ['first entry fill', { ...info, type: 'STATUS_CHANGED', fromStatus: 'SUBMITTING', toStatus: 'OPEN' }, 'POSITION_OPENED'],
    ['monitor paused (MONITORING → OPEN)', { ...info, type: 'STATUS_CHANGED', fromStatus: 'MONITORING', toStatus: 'OPEN' }, null],
    ['protection armed', { ...info, type: 'STATUS_CHANGED', fromStatus: 'OPEN', toStatus: 'MONITORING' }, null],
    ['exit requested', { ...info, type: 'STATUS_CHANGED', fromStatus: 'MONITORING', toStatus: 'CLOSING' }, null],
    ['closed by a manual exit', { ...info, type: 'STATUS_CHANGED', toStatus: 'CLOSED', closeReason: 'MANUAL_EXIT' }, 'POSITION_CLOSED'],
    ['closed by the last take-profit', { ...info, type: 'STATUS_CHANGED', toStatus: 'CLOSED', closeReason: 'TAKE_PROFIT' }, 'POSITION_CLOSED'],
    ['closed by the stop', { ...info, type: 'STATUS_CHANGED', toStatus: 'CLOSED', closeReason: 'STOP_LOSS' }, 'STOPPED_OUT'],
    ['entry failed', { ...info, type: 'STATUS_CHANGED', fromStatus: 'SUBMITTING', toStatus: 'FAILED' }, 'ENTRY_FAILED'],
    ['stop moved', { ...info, type: 'SL_CHANGED' }, 'STOP_MOVED'],
    ['take-profits edited', { ...info, type: 'TP_CHANGED' }, null],
    ['take-profit order filled', { ...info, type: 'ORDER_STATUS', toStatus: 'FILLED', orderPurpose: 'TAKE_PROFIT' }, 'TP_HIT'],
    ['stop order filled (the close says it)', { ...info, type: 'ORDER_STATUS', toStatus: 'FILLED', orderPurpose: 'STOP_LOSS' }, null],
    ['exit order rejected', { ...info, type: 'ORDER_STATUS', toStatus: 'REJECTED', orderPurpose: 'STOP_LOSS' }, 'ORDER_REJECTED'],
    ['entry order rejected (ENTRY_FAILED follows)', { ...info, type: 'ORDER_STATUS', toStatus: 'REJECTED', orderPurpose: 'ENTRY' }, null],
    ['a fill', { ...info, type: 'FILL' }, null],
    ['position created', { ...info, type: 'CREATED' }, null],
    ['approval needed', { severity: 'warning', type: 'APPROVAL_NEEDED' }, 'APPROVAL_NEEDED'],
    ['approval expired', { severity: 'warning', type: 'APPROVAL_EXPIRED' }, 'APPROVAL_EXPIRED'],
    ['approval rejected', { severity: 'warning', type: 'APPROVAL_REJECTED' }, null],
    ['limit breached', { severity: 'warning', type: 'LIMIT_BREACHED' }, 'LIMIT_BREACHED'],
    ['breaker tripped', { severity: 'warning', type: 'BREAKER_TRIPPED' }, 'BREAKER_TRIPPED'],
    ['panic run', { severity: 'warning', type: 'PANIC' }, 'PANIC'],
    ['panic row of one position', { severity: 'warning', type: 'PANIC', positionId: 'p1' }, null],
    ['any error', { severity: 'error', type: 'DECISION_FAILED' }, 'ERROR'],
    ['a warning of another type', { severity: 'warning', type: 'TRADER_PAUSED' }, null],
  ])('%s', (_label, facts, kind) => {
    expect(notificationKind(facts)).toBe(kind)
  })
})
