import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { createTrader } from '@/lib/server/traders/create-trader'
import { apiUser, call, startApiDatabase } from '@/tests/integration/api/api-harness'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import type { TestDatabase } from '@/tests/support/test-db'

const TRADERS = 100
const START = '1000000'
const SYMBOL = 'L0/USDT'
// The burst: every trader opens one position in each of these at the same moment.
const BURST_SYMBOLS = Array.from({ length: 10 }, (_, i) => `LB${i}/USDT`)

/**
 * Many traders opening at once through the real route (bearer tokens, JSON, 201 with the
 * position): nothing answers 5xx (work waits for a connection or a lock instead of failing),
 * every open is either filled or refused with a reason, and afterwards the books are exact.
 */
describe('concurrent opens through POST /api/v1/positions', () => {
  let t: TestDatabase & { stop(): Promise<void> }
  let POST: Parameters<typeof call>[0]
  const traders: { id: string; token: string; accountId: string }[] = []
  let staleAfterBefore: string | undefined

  beforeAll(async () => {
    // The market is seeded once; the test is about the open path, not about quote freshness.
    staleAfterBefore = process.env.MARKET_STALE_AFTER_MS
    process.env.MARKET_STALE_AFTER_MS = '600000'
    t = await startApiDatabase()
    POST = (await import('@/app/api/v1/positions/route')).POST as unknown as typeof POST
    for (const symbol of [SYMBOL, ...BURST_SYMBOLS]) await seedMarket(t.db, { symbol, bid: '100', ask: '100.01', depth: '1000000000' })
    for (let i = 0; i < TRADERS; i++) {
      const user = await apiUser(t, `load-${i}@example.com`)
      const trader = await createTrader({ db: t.db, userId: user.id, input: { name: `Load ${i}`, quoteCurrency: 'USDT', startingBalance: START, watchlist: [SYMBOL, ...BURST_SYMBOLS] } })
      await useManualTraderSettings(t.db, trader.id) // risk limits relaxed: the refusals below are of another kind
      traders.push({ id: trader.id, token: user.token, accountId: trader.accountId })
    }
  }, 120_000)
  afterAll(async () => {
    await t?.stop()
    if (staleAfterBefore === undefined) delete process.env.MARKET_STALE_AFTER_MS
    else process.env.MARKET_STALE_AFTER_MS = staleAfterBefore
  })

  const open = (i: number, symbol: string, side: 'LONG' | 'SHORT' = i % 2 ? 'SHORT' : 'LONG') =>
    call(POST, 'POST', '/api/v1/positions', {
      token: traders[i]!.token,
      body: { traderId: traders[i]!.id, symbol, side, sizeMode: 'BASE', size: '0.5', entryType: 'MARKET', stopLoss: side === 'LONG' ? '90' : '110' },
    })

  const tally = (answers: { status: number; body: { error?: { message?: string }; position?: { status?: string } } }[]) => {
    const byStatus: Record<number, number> = {}
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1
    return byStatus
  }

  test('200 opens at once from 100 traders, two each for the same symbol: one filled, the other refused 409 with the reason, no 5xx', async () => {
    // Both requests of a trader race for the one position allowed per symbol: the check runs
    // under the trader's row lock, so exactly one wins whatever the interleaving.
    const answers = await Promise.all(traders.flatMap((_, i) => [open(i, SYMBOL), open(i, SYMBOL)]))
    expect(tally(answers)).toEqual({ 201: TRADERS, 409: TRADERS })
    for (const a of answers) {
      if (a.status === 201) expect(a.body.position.status).toBe('MONITORING')
      else expect(a.body.error.message).toMatch(/already has an active L0\/USDT position/)
    }
  }, 120_000)

  test('a burst of 1,000 opens at once (100 traders, 10 symbols each): every one filled, none answered 5xx', async () => {
    // Far more than the pool has connections: entries wait their turn (entry slots, then the
    // pool) instead of failing, and each commits its position with its entry filled.
    const answers = await Promise.all(BURST_SYMBOLS.flatMap((symbol) => traders.map((_, i) => open(i, symbol))))
    const failed = answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body.error?.message}`)
    expect(failed).toEqual([])
    expect(tally(answers)).toEqual({ 201: TRADERS * BURST_SYMBOLS.length })
    expect(answers.every((a) => a.body.position.status === 'MONITORING')).toBe(true)
  }, 600_000)

  test('the books are exact: balances = start + fills - fees, each position holds exactly its fills', async () => {
    const accountIds = traders.map((tr) => tr.accountId)
    const [paperFills, balances, positions, fills] = await Promise.all([
      t.db.paperFill.findMany({ where: { paperOrder: { accountId: { in: accountIds } } }, include: { paperOrder: { select: { accountId: true, side: true, symbol: true } } } }),
      t.db.accountBalance.findMany({ where: { accountId: { in: accountIds } } }),
      t.db.position.findMany({ where: { accountId: { in: accountIds } } }),
      t.db.fill.findMany({ where: { position: { accountId: { in: accountIds } } } }),
    ])
    expect(positions).toHaveLength(TRADERS * (1 + BURST_SYMBOLS.length))
    expect(positions.every((p) => p.status === 'MONITORING')).toBe(true)

    // The paper exchange's balances follow its fills to the last decimal.
    const expected = new Map<string, Decimal>()
    const add = (k: string, d: Decimal) => expected.set(k, (expected.get(k) ?? ZERO).plus(d))
    for (const a of accountIds) add(`${a}:USDT`, fromDb(START))
    for (const f of paperFills) {
      const notional = fromDb(f.price).mul(fromDb(f.qty))
      const buy = f.paperOrder.side === 'BUY'
      add(`${f.paperOrder.accountId}:USDT`, (buy ? notional.neg() : notional).minus(fromDb(f.fee)))
      add(`${f.paperOrder.accountId}:${f.paperOrder.symbol.split('/')[0]}`, buy ? fromDb(f.qty) : fromDb(f.qty).neg())
    }
    const actual = new Map(balances.map((b) => [`${b.accountId}:${b.asset}`, fromDb(b.amount)]))
    expect(actual.size).toBe(expected.size)
    for (const [k, v] of expected) expect(actual.get(k)?.toFixed(), k).toBe(v.toFixed())

    // Our ledger holds every exchange fill once, and each position's quantity is its fills.
    expect(fills).toHaveLength(paperFills.length)
    const qtyBy = new Map<string, Decimal>()
    for (const f of fills) qtyBy.set(f.positionId!, (qtyBy.get(f.positionId!) ?? ZERO).plus(fromDb(f.qty)))
    for (const p of positions) {
      expect(fromDb(p.openQty).toFixed(), p.id).toBe('0.5')
      expect(qtyBy.get(p.id)?.toFixed(), p.id).toBe('0.5')
    }
  }, 60_000)
})
