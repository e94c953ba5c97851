import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, test } from 'vitest'
import { DecisionBreakdown } from '@/components/performance/decision-breakdown'
import type { DecisionPerformanceView } from '@/lib/server/decisions/decision-performance'

const counts = (o: Partial<DecisionPerformanceView['outcomes'][number]['byOutcome']>) => ({ NO_ACTION: 0, EXECUTING: 0, EXECUTED: 0, DRY_RUN: 0, PENDING_APPROVAL: 0, REJECTED: 0, FAILED: 0, ...o })
const view = (byOutcome: DecisionPerformanceView['outcomes'][number]['byOutcome']): DecisionPerformanceView => ({
  entries: [],
  byBucket: [],
  outcomes: [{ provider: 'RULES', total: Object.values(byOutcome).reduce((a, b) => a + b, 0), byOutcome, withoutDecision: 0 }],
})
/** The outcome table's header cells, in order. */
const headers = (html: string) => [...html.slice(html.indexOf('Decision outcomes by provider')).matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]!.trim())

describe('DecisionBreakdown: outcomes by provider', () => {
  test('a decision still executing has its column, so the columns add up to the total', () => {
    const html = renderToStaticMarkup(createElement(DecisionBreakdown, { view: view(counts({ EXECUTING: 1, EXECUTED: 2 })), traderId: '' }))
    expect(headers(html)).toEqual(['Provider', 'Total', 'Executing', 'Executed', 'Dry run', 'Pending approval', 'No action', 'Rejected', 'Failed', 'No decision'])
    expect(html).toContain('href="/decisions?outcome=EXECUTING"')
  })

  test('with none executing, the column is left out', () => {
    const html = renderToStaticMarkup(createElement(DecisionBreakdown, { view: view(counts({ EXECUTED: 2 })), traderId: '' }))
    expect(headers(html)).not.toContain('Executing')
    expect(headers(html)).toHaveLength(9)
  })
})
