import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import {
  aggregateDecisionPerformance,
  confidenceBucket,
  type EntryDecisionInput,
  type PositionResultInput,
} from '@/lib/domain/performance/decision-performance'

describe('confidenceBucket', () => {
  test.each([
    ['0 is low', '0', 'LOW'],
    ['just under 0.6 is low', '0.5999', 'LOW'],
    ['0.6 opens the middle bucket', '0.6', 'MID'],
    ['0.7999 is still middle', '0.7999', 'MID'],
    ['0.8 opens the high bucket', '0.8', 'HIGH'],
    ['1 is high', '1', 'HIGH'],
  ])('%s', (_label, confidence, bucket) => {
    expect(confidenceBucket(dec(confidence))).toBe(bucket)
  })
})

const entry = (over: Partial<EntryDecisionInput> & { positionId: string | null }): EntryDecisionInput => ({
  provider: 'RULES',
  action: 'LONG',
  outcome: 'EXECUTED',
  confidence: dec('0.7'),
  ...over,
})
const pos = (status: string, pnl: string): PositionResultInput => ({ status, realizedPnl: dec(pnl) })

function run(decisions: EntryDecisionInput[], positions: Record<string, PositionResultInput | undefined>) {
  const known = Object.entries(positions).filter((e): e is [string, PositionResultInput] => e[1] !== undefined)
  return aggregateDecisionPerformance({ decisions, positions: new Map(known), outcomeCounts: [] })
}

/** One group's numbers with decimals as strings, for readable expectations. */
function plain(g: ReturnType<typeof run>['entries'][number]) {
  return {
    key: `${g.provider} ${g.action} ${g.bucket}`,
    decisions: g.decisions,
    closed: g.closedTrades,
    wins: g.wins,
    losses: g.losses,
    winRate: g.winRate?.toFixed(4) ?? null,
    total: g.totalPnl.toFixed(),
    avg: g.avgPnl?.toFixed() ?? null,
    open: g.openTrades,
    failed: g.failedTrades,
  }
}

describe('aggregateDecisionPerformance: executed entries', () => {
  test.each([
    {
      label: 'two wins and a loss in one group: exact totals, no float noise',
      decisions: [entry({ positionId: 'a' }), entry({ positionId: 'b' }), entry({ positionId: 'c' })],
      positions: { a: pos('CLOSED', '0.1'), b: pos('CLOSED', '0.2'), c: pos('CLOSED', '-0.05') },
      expected: [{ key: 'RULES LONG MID', decisions: 3, closed: 3, wins: 2, losses: 1, winRate: '0.6667', total: '0.25', avg: '0.08333333333333333333333333333333333333333', open: 0, failed: 0 }],
    },
    {
      label: 'open and failed positions count as decisions, not as closed trades; their PnL is left out',
      decisions: [entry({ positionId: 'a' }), entry({ positionId: 'b' }), entry({ positionId: 'c' }), entry({ positionId: 'd' })],
      positions: { a: pos('OPEN', '12.5'), b: pos('CLOSING', '3'), c: pos('FAILED', '0'), d: pos('CLOSED', '-2') },
      expected: [{ key: 'RULES LONG MID', decisions: 4, closed: 1, wins: 0, losses: 1, winRate: '0.0000', total: '-2', avg: '-2', open: 2, failed: 1 }],
    },
    {
      label: 'a break-even trade is closed but neither a win nor a loss',
      decisions: [entry({ positionId: 'a' }), entry({ positionId: 'b' })],
      positions: { a: pos('CLOSED', '0'), b: pos('CLOSED', '5') },
      expected: [{ key: 'RULES LONG MID', decisions: 2, closed: 2, wins: 1, losses: 0, winRate: '0.5000', total: '5', avg: '2.5', open: 0, failed: 0 }],
    },
    {
      label: 'groups split by provider, action and bucket, sorted provider → LONG, SHORT → low, mid, high',
      decisions: [
        entry({ provider: 'RULES', action: 'SHORT', confidence: dec('0.85'), positionId: 'a' }),
        entry({ provider: 'ANTHROPIC', action: 'LONG', confidence: dec('0.59'), positionId: 'b' }),
        entry({ provider: 'RULES', action: 'LONG', confidence: dec('0.8'), positionId: 'c' }),
        entry({ provider: 'RULES', action: 'LONG', confidence: dec('0.6'), positionId: 'd' }),
      ],
      positions: { a: pos('CLOSED', '1'), b: pos('CLOSED', '-1'), c: pos('CLOSED', '2'), d: pos('OPEN', '0') },
      expected: [
        { key: 'ANTHROPIC LONG LOW', decisions: 1, closed: 1, wins: 0, losses: 1, winRate: '0.0000', total: '-1', avg: '-1', open: 0, failed: 0 },
        { key: 'RULES LONG MID', decisions: 1, closed: 0, wins: 0, losses: 0, winRate: null, total: '0', avg: null, open: 1, failed: 0 },
        { key: 'RULES LONG HIGH', decisions: 1, closed: 1, wins: 1, losses: 0, winRate: '1.0000', total: '2', avg: '2', open: 0, failed: 0 },
        { key: 'RULES SHORT HIGH', decisions: 1, closed: 1, wins: 1, losses: 0, winRate: '1.0000', total: '1', avg: '1', open: 0, failed: 0 },
      ],
    },
    {
      label: 'only executed LONG/SHORT decisions with a position and a confidence count',
      decisions: [
        entry({ outcome: 'REJECTED', positionId: 'a' }),
        entry({ outcome: 'DRY_RUN', positionId: 'a' }),
        entry({ outcome: 'PENDING_APPROVAL', positionId: 'a' }),
        entry({ action: 'CLOSE', positionId: 'a' }),
        entry({ action: null, positionId: 'a' }),
        entry({ positionId: null }),
        entry({ confidence: null, positionId: 'a' }),
      ],
      positions: { a: pos('CLOSED', '9') },
      expected: [],
    },
    {
      label: 'a position named by two entry decisions is credited once, to the first',
      decisions: [entry({ confidence: dec('0.9'), positionId: 'a' }), entry({ confidence: dec('0.65'), positionId: 'a' })],
      positions: { a: pos('CLOSED', '4') },
      expected: [{ key: 'RULES LONG HIGH', decisions: 1, closed: 1, wins: 1, losses: 0, winRate: '1.0000', total: '4', avg: '4', open: 0, failed: 0 }],
    },
    {
      label: 'a decision whose position is missing still counts as a decision',
      decisions: [entry({ positionId: 'gone' })],
      positions: {},
      expected: [{ key: 'RULES LONG MID', decisions: 1, closed: 0, wins: 0, losses: 0, winRate: null, total: '0', avg: null, open: 0, failed: 0 }],
    },
  ])('$label', ({ decisions, positions, expected }) => {
    expect(run(decisions, positions).entries.map(plain)).toEqual(expected)
  })

  test('bucket totals add up across providers and actions, every bucket present', () => {
    const r = run(
      [
        entry({ provider: 'RULES', confidence: dec('0.5'), positionId: 'a' }),
        entry({ provider: 'ANTHROPIC', action: 'SHORT', confidence: dec('0.55'), positionId: 'b' }),
        entry({ provider: 'RULES', confidence: dec('0.95'), positionId: 'c' }),
      ],
      { a: pos('CLOSED', '1.1'), b: pos('CLOSED', '2.2'), c: pos('OPEN', '0') },
    )
    expect(r.byBucket.map((b) => ({ bucket: b.bucket, decisions: b.decisions, closed: b.closedTrades, wins: b.wins, total: b.totalPnl.toFixed(), winRate: b.winRate?.toFixed() ?? null }))).toEqual([
      { bucket: 'LOW', decisions: 2, closed: 2, wins: 2, total: '3.3', winRate: '1' },
      { bucket: 'MID', decisions: 0, closed: 0, wins: 0, total: '0', winRate: null },
      { bucket: 'HIGH', decisions: 1, closed: 0, wins: 0, total: '0', winRate: null },
    ])
  })
})

describe('aggregateDecisionPerformance: outcomes per provider', () => {
  test.each([
    {
      label: 'counts are summed per provider and outcome; every outcome is listed',
      rows: [
        { provider: 'RULES', outcome: 'EXECUTED', action: 'LONG', count: 3 },
        { provider: 'RULES', outcome: 'EXECUTED', action: 'SHORT', count: 2 },
        { provider: 'RULES', outcome: 'REJECTED', action: 'LONG', count: 4 },
        { provider: 'RULES', outcome: 'NO_ACTION', action: 'NO_TRADE', count: 10 },
      ],
      expected: [{ provider: 'RULES', total: 19, withoutDecision: 0, byOutcome: { NO_ACTION: 10, EXECUTING: 0, EXECUTED: 5, DRY_RUN: 0, PENDING_APPROVAL: 0, REJECTED: 4, FAILED: 0 } }],
    },
    {
      label: 'decisions without an action (invalid output or failures before the provider) are counted apart, too',
      rows: [
        { provider: 'OPENAI_COMPATIBLE', outcome: 'FAILED', action: null, count: 2 },
        { provider: 'OPENAI_COMPATIBLE', outcome: 'REJECTED', action: 'LONG', count: 1 },
        { provider: 'ANTHROPIC', outcome: 'PENDING_APPROVAL', action: 'SHORT', count: 1 },
      ],
      expected: [
        { provider: 'ANTHROPIC', total: 1, withoutDecision: 0, byOutcome: { NO_ACTION: 0, EXECUTING: 0, EXECUTED: 0, DRY_RUN: 0, PENDING_APPROVAL: 1, REJECTED: 0, FAILED: 0 } },
        { provider: 'OPENAI_COMPATIBLE', total: 3, withoutDecision: 2, byOutcome: { NO_ACTION: 0, EXECUTING: 0, EXECUTED: 0, DRY_RUN: 0, PENDING_APPROVAL: 0, REJECTED: 1, FAILED: 2 } },
      ],
    },
    { label: 'no decisions, no providers', rows: [], expected: [] },
  ])('$label', ({ rows, expected }) => {
    expect(aggregateDecisionPerformance({ decisions: [], positions: new Map(), outcomeCounts: rows }).outcomes).toEqual(expected)
  })
})
