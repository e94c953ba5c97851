import { beforeEach, describe, expect, test } from 'vitest'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { settleInterruptedDecisions } from '@/lib/server/decisions/settle-interrupted-decisions'
import { approveApproval, INTERRUPTED_AFTER_MS, rejectApproval } from '@/lib/server/approvals/decide-approval'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { finishDecision } from '@/lib/server/decisions/record-decision'
import type { PlanStep } from '@/lib/server/decisions/decision-plan'
import { fakeLlmTraderScenario } from '@/tests/support/fake-llm-trader'
import { seedMarket } from '@/tests/support/seed-market'

/**
 * A decision's journal entry (its prompt, the model's answer, the validation) is written before
 * anything is sent, as EXECUTING, and its outcome replaces that afterwards. Before, it was written
 * only after the trade: a database failure in a step lost the prompt and answer (the entry written
 * instead had neither, under another id than the one on the position), and a worker stopped
 * between the trade and the entry left a trade with no journal entry at all. Faults are real
 * PostgreSQL errors, raised by triggers.
 */
describe('the decision journal is written before the trade (real PostgreSQL, OpenAI-compatible server)', () => {
  const world = fakeLlmTraderScenario({ email: 'journal@example.com', watchlist: ['BTC/USDT'] })
  const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' } } })
  const cycle = () =>
    runAnalysisCycle({ db: world.t.db, traderId: world.traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'MANUAL', staleAfterMs: 60_000, symbol: 'BTC/USDT' })
  const long = () => world.llm.script([{ json: { symbol: 'BTC/USDT', reasoning: 'breakout', confidence: 0.8, action: 'LONG', stopLoss: 59000, takeProfits: [{ price: 61000, sharePct: 100 }] } }])
  /** A trigger that makes PostgreSQL refuse a statement on `table` (`op`: INSERT or UPDATE). */
  const fail = async (name: string, table: string, op: 'INSERT' | 'UPDATE') => {
    const { t } = world
    await t.db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '${name} (simulated)'; END $$ LANGUAGE plpgsql`)
    await t.db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE ${op} ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${name}()`)
    return () => t.db.$executeRawUnsafe(`DROP TRIGGER ${name} ON "${table}"`)
  }
  /** A cycle deciding LONG with the trader's entries waiting for approval, while `op` on `table` fails (see fail). */
  const approvalCycleWhile = async (name: string, table: string, op: 'INSERT' | 'UPDATE') => {
    const { t, traderId } = world
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: { entries: true } } })
    const restore = await fail(name, table, op)
    long()
    return cycle().finally(async () => {
      await restore()
      await t.db.trader.update({ where: { id: traderId }, data: { approvals: {} } })
    })
  }
  const journal = () => world.t.db.decision.findMany({ where: { traderId: world.traderId }, include: { call: true }, orderBy: { createdAt: 'asc' } })

  beforeEach(async () => {
    const { t, traderId } = world
    await t.db.$executeRaw`DELETE FROM "Decision"`
    await t.db.position.deleteMany({ where: { traderId } })
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
  })

  test('a database failure in a step: the entry keeps its prompt and answer, under the one id, FAILED with the step that failed', async () => {
    const { t, traderId } = world
    const restore = await fail('position_insert_fails', 'Position', 'INSERT')
    long()
    const r = await cycle().finally(restore)
    expect(r.decisions).toEqual([expect.objectContaining({ outcome: 'FAILED', action: 'LONG', error: expect.stringContaining('position_insert_fails (simulated)') })])
    const [d, ...more] = await journal()
    expect(more).toEqual([])
    expect(d).toMatchObject({ id: r.decisions[0]!.id, outcome: 'FAILED', action: 'LONG', reasoning: 'breakout' })
    expect(d!.call!.rawResponse).toContain('"LONG"')
    expect(d!.executed).toEqual({ sizing: expect.any(Object), steps: [{ step: expect.stringMatching(/^LONG /), status: 'FAILED', error: expect.stringContaining('position_insert_fails (simulated)') }] })
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })).lastCycleError).toMatch(/^BTC\/USDT: .*position_insert_fails \(simulated\)/)
  })

  test('the outcome cannot be written after the trade: the entry stays EXECUTING with its plan, and the worker settles it EXECUTED with the position', async () => {
    const { t, traderId } = world
    const restore = await fail('decision_update_fails', 'Decision', 'UPDATE')
    long()
    const r = await cycle().finally(restore)
    expect(r.decisions).toEqual([expect.objectContaining({ outcome: 'EXECUTING', error: expect.stringContaining('decision_update_fails (simulated)') })])
    // One entry, written before the trade, with what the model was shown and said.
    const [d, ...more] = await journal()
    expect(more).toEqual([])
    expect(d).toMatchObject({ id: r.decisions[0]!.id, outcome: 'EXECUTING', action: 'LONG' })
    expect(d!.call!.rawResponse).toContain('"LONG"')
    expect(d!.executed).toMatchObject({ steps: [{ step: expect.stringMatching(/^LONG /), status: 'PLANNED' }], plan: [expect.objectContaining({ kind: 'ENTRY', symbol: 'BTC/USDT' })] })
    const p = await t.db.position.findFirstOrThrow({ where: { traderId } })
    expect(p.status).toBe('MONITORING')

    // Not yet: it may still be running.
    expect(await settleInterruptedDecisions(t.db)).toBe(0)
    expect(await settleInterruptedDecisions(t.db, Date.now() + INTERRUPTED_AFTER_MS + 1000)).toBe(1)
    const settled = await t.db.decision.findUniqueOrThrow({ where: { id: d!.id } })
    expect(settled).toMatchObject({ outcome: 'EXECUTED', positionId: p.id, error: null })
    expect(settled.executed).toEqual({ sizing: expect.any(Object), steps: [{ step: expect.stringMatching(/^LONG /), status: 'EXECUTED', summary: expect.stringMatching(/^carried out; recorded after the worker stopped/), positionId: p.id }] })
    expect(await settleInterruptedDecisions(t.db, Date.now() + INTERRUPTED_AFTER_MS + 1000)).toBe(0)
  })

  test('stopped before anything was sent: the worker settles the entry FAILED, and nothing is sent', async () => {
    const { t, traderId } = world
    const since = new Date()
    const restorePosition = await fail('position_insert_fails', 'Position', 'INSERT')
    const restoreDecision = await fail('decision_update_fails', 'Decision', 'UPDATE')
    long()
    const r = await cycle().finally(async () => {
      await restorePosition()
      await restoreDecision()
    })
    expect(r.decisions).toEqual([expect.objectContaining({ outcome: 'EXECUTING' })])
    expect(await settleInterruptedDecisions(t.db, Date.now() + INTERRUPTED_AFTER_MS + 1000)).toBe(1)
    const [d] = await journal()
    expect(d).toMatchObject({ outcome: 'FAILED', error: 'interrupted: the worker stopped while carrying out this decision, before anything was sent', positionId: null })
    expect(d!.executed).toEqual({ sizing: expect.any(Object), steps: [{ step: expect.stringMatching(/^LONG /), status: 'FAILED', error: 'not sent: the worker stopped first' }] })
    expect(await t.db.position.count({ where: { traderId } })).toBe(0)
    expect(await t.db.order.count({ where: { traderId, createdAt: { gte: since } } })).toBe(0)
  })

  /**
   * A person answers the approval request in the moment between its insert and the decision's
   * outcome write: the cycle's write ("waits for approval") comes second. Here the cycle's own
   * write is held back by a failing trigger, and then made as the cycle makes it.
   */
  async function answeredBeforeTheOutcome(answer: (approvalId: string) => Promise<unknown>, queueAnother?: (decisionId: string, step: unknown) => Promise<string>) {
    const { t, traderId, userId } = world
    const r = await approvalCycleWhile('decision_update_fails', 'Decision', 'UPDATE')
    expect(r.decisions).toEqual([expect.objectContaining({ outcome: 'EXECUTING' })])
    const [d] = await journal()
    const approval = await t.db.approval.findFirstOrThrow({ where: { decisionId: d!.id } })
    await answer(approval.id)
    const steps = [{ step: 'LONG BTC/USDT', status: 'QUEUED', approvalId: approval.id }]
    // A second step of the decision queued after that answer, before the outcome is written.
    if (queueAnother) steps.push({ step: 'LONG BTC/USDT (again)', status: 'QUEUED', approvalId: await queueAnother(d!.id, approval.request) })
    const finished = await finishDecision({
      db: t.db, id: d!.id, trader: { id: traderId, userId, provider: 'OPENAI_COMPATIBLE' }, symbol: 'BTC/USDT', started: performance.now(), outcome: 'PENDING_APPROVAL',
      validation: d!.validation as never, executed: { steps }, positionId: null, error: null,
    })
    return { finished, decision: await t.db.decision.findUniqueOrThrow({ where: { id: d!.id } }), steps }
  }

  test('an approval approved before the decision records its outcome: the decision ends EXECUTED with the position, not waiting', async () => {
    const { t, traderId, userId } = world
    const { finished, decision, steps } = await answeredBeforeTheOutcome((approvalId) => approveApproval({ db: t.db, userId, approvalId, input: {} }))
    const p = await t.db.position.findFirstOrThrow({ where: { traderId } })
    expect(finished).toMatchObject({ outcome: 'EXECUTED', error: null })
    expect(decision).toMatchObject({ outcome: 'EXECUTED', positionId: p.id, error: null, executed: { steps } })
  })

  test('an approval rejected before the decision records its outcome: the decision ends REJECTED with the reason, not waiting', async () => {
    const { t, userId } = world
    const { finished, decision } = await answeredBeforeTheOutcome((approvalId) => rejectApproval({ db: t.db, userId, approvalId, input: { note: 'not now' } }))
    expect(finished).toMatchObject({ outcome: 'REJECTED', error: expect.stringMatching(/^Rejected by journal@example\.com: "not now": LONG /) })
    expect(decision).toMatchObject({ outcome: 'REJECTED', positionId: null, error: finished.error })
  })

  test('one step rejected while another was still being queued: the decision waits for the other', async () => {
    const { t, traderId, userId } = world
    const second = (decisionId: string, step: unknown) => createApproval({ db: t.db, traderId, userId, decisionId, step: step as PlanStep, expiryMinutes: 30, summary: {} })
    const { finished, decision, steps } = await answeredBeforeTheOutcome((approvalId) => rejectApproval({ db: t.db, userId, approvalId, input: {} }), second)
    expect(finished).toMatchObject({ outcome: 'PENDING_APPROVAL', error: null })
    expect(decision).toMatchObject({ outcome: 'PENDING_APPROVAL', error: null })
    // Approved, the second step makes the decision EXECUTED, as when both were queued before any answer.
    await approveApproval({ db: t.db, userId, approvalId: steps[1]!.approvalId, input: {} })
    const p = await t.db.position.findFirstOrThrow({ where: { traderId } })
    expect(await t.db.decision.findUniqueOrThrow({ where: { id: decision.id } })).toMatchObject({ outcome: 'EXECUTED', positionId: p.id })
  })

  test.each([
    ['rejected', 'REJECTED'],
    ['approved', 'EXECUTED'],
  ] as const)('answered (%s) while EXECUTING, with the worker stopped before it wrote what its steps did: the sweeper gives the entry its steps and keeps the answer', async (answer, outcome) => {
    const { t, traderId, userId } = world
    const r = await approvalCycleWhile('decision_update_fails', 'Decision', 'UPDATE')
    expect(r.decisions).toEqual([expect.objectContaining({ outcome: 'EXECUTING' })])
    const [d] = await journal()
    const approval = await t.db.approval.findFirstOrThrow({ where: { decisionId: d!.id } })
    if (answer === 'rejected') await rejectApproval({ db: t.db, userId, approvalId: approval.id, input: { note: 'not now' } })
    else await approveApproval({ db: t.db, userId, approvalId: approval.id, input: {} })
    const answered = await t.db.decision.findUniqueOrThrow({ where: { id: d!.id } })
    expect(answered).toMatchObject({ outcome, executed: { steps: [{ status: 'PLANNED' }] } })

    expect(await settleInterruptedDecisions(t.db)).toBe(0)
    expect(await settleInterruptedDecisions(t.db, Date.now() + INTERRUPTED_AFTER_MS + 1000)).toBe(1)
    const settled = await t.db.decision.findUniqueOrThrow({ where: { id: d!.id } })
    const positionId = answer === 'approved' ? (await t.db.position.findFirstOrThrow({ where: { traderId } })).id : null
    expect(settled).toMatchObject({ outcome, error: answered.error, positionId })
    expect(settled.executed).toEqual({ sizing: expect.any(Object), steps: [{ step: expect.stringMatching(/^LONG /), status: 'QUEUED', approvalId: approval.id }] })
    expect(await settleInterruptedDecisions(t.db, Date.now() + INTERRUPTED_AFTER_MS + 1000)).toBe(0)
  })

  test('an approval request that cannot be written ends the decision FAILED, in its one entry', async () => {
    const r = await approvalCycleWhile('approval_insert_fails', 'Approval', 'INSERT')
    expect(r.decisions).toEqual([expect.objectContaining({ outcome: 'FAILED', error: expect.stringContaining('approval_insert_fails (simulated)') })])
    const [d, ...more] = await journal()
    expect(more).toEqual([])
    expect(d).toMatchObject({ id: r.decisions[0]!.id, outcome: 'FAILED' })
    expect(d!.call!.rawResponse).toContain('"LONG"')
  })
})
