import { describe, expect, test } from 'vitest'
import {
  isOpenOrderStatus,
  isTerminalOrderStatus,
  ORDER_EVENTS,
  ORDER_STATUSES,
  transitionOrder,
  type OrderEvent,
  type OrderStatus,
} from '@/lib/domain/orders/order-lifecycle'

// Every legal move, written out independently of the implementation.
const LEGAL: [from: OrderStatus, event: OrderEvent, to: OrderStatus, why: string][] = [
  ['NEW', 'SUBMITTED', 'SUBMITTED', 'sent to the exchange'],
  ['NEW', 'REJECT', 'REJECTED', 'rejected on submission'],
  ['NEW', 'CANCEL', 'CANCELED', 'canceled before it was sent'],
  ['SUBMITTED', 'PARTIAL_FILL', 'PARTIALLY_FILLED', 'first partial fill'],
  ['SUBMITTED', 'FILL', 'FILLED', 'filled in one go'],
  ['SUBMITTED', 'CANCEL', 'CANCELED', 'canceled while working'],
  ['SUBMITTED', 'REJECT', 'REJECTED', 'exchange rejects after ack'],
  ['SUBMITTED', 'EXPIRE', 'EXPIRED', 'time in force ran out'],
  ['PARTIALLY_FILLED', 'PARTIAL_FILL', 'PARTIALLY_FILLED', 'more partial fills'],
  ['PARTIALLY_FILLED', 'FILL', 'FILLED', 'final fill'],
  ['PARTIALLY_FILLED', 'CANCEL', 'CANCELED', 'rest canceled'],
  ['PARTIALLY_FILLED', 'EXPIRE', 'EXPIRED', 'rest expired'],
  ['CANCELED', 'PARTIAL_FILL', 'CANCELED', 'late partial fill after cancel'],
  ['CANCELED', 'FILL', 'FILLED', 'cancel lost the race with the fill'],
  ['CANCELED', 'CANCEL', 'CANCELED', 'idempotent cancel'],
  ['REJECTED', 'SUBMITTED', 'SUBMITTED', 'declared lost, then found working on the book'],
  ['REJECTED', 'PARTIAL_FILL', 'PARTIALLY_FILLED', 'declared lost, then found partly filled'],
  ['REJECTED', 'FILL', 'FILLED', 'declared lost, then found filled'],
  ['REJECTED', 'REJECT', 'REJECTED', 'the same refusal heard twice'],
]

const isLegal = (s: OrderStatus, e: OrderEvent) => LEGAL.some(([from, event]) => from === s && event === e)
const ILLEGAL = ORDER_STATUSES.flatMap((s) => ORDER_EVENTS.filter((e) => !isLegal(s, e)).map((e) => ({ s, e })))

describe('transitionOrder', () => {
  test.each(LEGAL.map(([from, event, to, why]) => ({ from, event, to, why })))(
    '$from + $event → $to ($why)',
    ({ from, event, to }) => {
      expect(transitionOrder(from, event)).toEqual({ ok: true, value: to })
    },
  )

  test.each(ILLEGAL)('$s + $e is illegal', ({ s, e }) => {
    const result = transitionOrder(s, e)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('ILLEGAL_ORDER_TRANSITION')
    expect(result.error.message).toContain(s)
    expect(result.error.message).toContain(e)
    expect(result.error.details).toEqual({ status: s, event: e })
  })

  test('a REJECTED order cannot be canceled or expired (only the exchange reporting it alive or filled moves it)', () => {
    expect(transitionOrder('REJECTED', 'CANCEL').ok).toBe(false)
    expect(transitionOrder('REJECTED', 'EXPIRE').ok).toBe(false)
  })

  test('the matrix covers every status × event pair', () => {
    expect(LEGAL.length + ILLEGAL.length).toBe(ORDER_STATUSES.length * ORDER_EVENTS.length)
    expect(ILLEGAL.length).toBe(42 - 19)
  })

  test.each(['FILLED', 'EXPIRED'] as const)('%s accepts no event at all', (status) => {
    expect(ORDER_EVENTS.filter((e) => transitionOrder(status, e).ok)).toEqual([])
  })
})

describe('order status predicates', () => {
  test.each([
    { status: 'NEW', terminal: false, open: true },
    { status: 'SUBMITTED', terminal: false, open: true },
    { status: 'PARTIALLY_FILLED', terminal: false, open: true },
    { status: 'FILLED', terminal: true, open: false },
    { status: 'CANCELED', terminal: true, open: false },
    { status: 'REJECTED', terminal: true, open: false },
    { status: 'EXPIRED', terminal: true, open: false },
  ] satisfies { status: OrderStatus; terminal: boolean; open: boolean }[])(
    '$status: terminal=$terminal open=$open',
    ({ status, terminal, open }) => {
      expect(isTerminalOrderStatus(status)).toBe(terminal)
      expect(isOpenOrderStatus(status)).toBe(open)
    },
  )
})
