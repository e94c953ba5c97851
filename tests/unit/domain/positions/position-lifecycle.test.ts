import { describe, expect, test } from 'vitest'
import {
  isActivePositionStatus,
  isTerminalPositionStatus,
  POSITION_EVENTS,
  POSITION_STATUSES,
  transitionPosition,
  type PositionEvent,
  type PositionStatus,
} from '@/lib/domain/positions/position-lifecycle'

const LEGAL: [from: PositionStatus, event: PositionEvent, to: PositionStatus, why: string][] = [
  ['CREATED', 'ENTRY_SUBMITTED', 'SUBMITTING', 'entry order sent'],
  ['CREATED', 'ENTRY_FAILED', 'FAILED', 'entry could not be sent'],
  ['SUBMITTING', 'ENTRY_FILLED', 'OPEN', 'first entry fill'],
  ['SUBMITTING', 'ENTRY_FAILED', 'FAILED', 'entry ended with no fill'],
  ['FAILED', 'ENTRY_FILLED', 'OPEN', 'an entry declared lost filled after all'],
  ['CLOSED', 'ENTRY_FILLED', 'OPEN', 'a limit entry still working when its position closed filled after all'],
  ['SUBMITTING', 'EXIT_REQUESTED', 'CLOSING', 'user gives up on a partly filled limit entry'],
  ['OPEN', 'MONITOR_STARTED', 'MONITORING', 'triggers armed'],
  ['OPEN', 'ENTRY_FILLED', 'OPEN', 'further partial entry fills'],
  ['OPEN', 'EXIT_REQUESTED', 'CLOSING', 'closed before monitoring began'],
  ['MONITORING', 'MONITOR_PAUSED', 'OPEN', 'market data went stale'],
  ['MONITORING', 'ENTRY_FILLED', 'MONITORING', 'entry keeps filling while protected'],
  ['MONITORING', 'EXIT_REQUESTED', 'CLOSING', 'stop, target or user close'],
  ['MONITORING', 'MONITOR_STARTED', 'MONITORING', 'idempotent re-arm'],
  ['CLOSING', 'EXIT_PARTIAL', 'MONITORING', 'quantity remains and stays protected'],
  ['CLOSING', 'EXIT_COMPLETED', 'CLOSED', 'flat'],
  ['CLOSING', 'EXIT_REQUESTED', 'CLOSING', 'idempotent close'],
  ['CLOSING', 'ENTRY_FILLED', 'CLOSING', 'entry fill in flight when the entry was canceled'],
]

const isLegal = (s: PositionStatus, e: PositionEvent) => LEGAL.some(([from, event]) => from === s && event === e)
const ILLEGAL = POSITION_STATUSES.flatMap((s) => POSITION_EVENTS.filter((e) => !isLegal(s, e)).map((e) => ({ s, e })))

describe('transitionPosition', () => {
  test.each(LEGAL.map(([from, event, to, why]) => ({ from, event, to, why })))(
    '$from + $event → $to ($why)',
    ({ from, event, to }) => {
      expect(transitionPosition(from, event)).toEqual({ ok: true, value: to })
    },
  )

  test.each(ILLEGAL)('$s + $e is illegal', ({ s, e }) => {
    const result = transitionPosition(s, e)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('ILLEGAL_POSITION_TRANSITION')
    expect(result.error.message).toContain(s)
    expect(result.error.message).toContain(e)
  })

  test('the matrix covers every status × event pair', () => {
    expect(LEGAL.length + ILLEGAL.length).toBe(POSITION_STATUSES.length * POSITION_EVENTS.length)
  })

  test('CLOSED accepts only a late entry fill', () => {
    expect(POSITION_EVENTS.filter((e) => transitionPosition('CLOSED', e).ok)).toEqual(['ENTRY_FILLED'])
  })

  test('FAILED accepts only a late entry fill', () => {
    expect(POSITION_EVENTS.filter((e) => transitionPosition('FAILED', e).ok)).toEqual(['ENTRY_FILLED'])
  })
})

describe('position status predicates', () => {
  test.each([
    { status: 'CREATED', active: true },
    { status: 'SUBMITTING', active: true },
    { status: 'OPEN', active: true },
    { status: 'MONITORING', active: true },
    { status: 'CLOSING', active: true },
    { status: 'CLOSED', active: false },
    { status: 'FAILED', active: false },
  ] satisfies { status: PositionStatus; active: boolean }[])('$status: active=$active', ({ status, active }) => {
    expect(isActivePositionStatus(status)).toBe(active)
    expect(isTerminalPositionStatus(status)).toBe(!active)
  })
})
