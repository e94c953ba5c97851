import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec, sumDec } from '@/lib/domain/decimal'
import { matchRestingPaperOrders } from '@/lib/exchange/paper/paper-exchange'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { closePosition } from '@/lib/server/positions/close-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { StopManager } from '@/workers/management/stop-manager'
import { TriggerMonitor } from '@/workers/monitor/trigger-monitor'
import { applyExchangeUpdates } from '@/workers/reconcile/reconcile-orders'

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']
const TARGET_TRADES = 100
const MAX_TICKS = Number(process.env.RULES_RUN_MAX_TICKS ?? 6000)
const CYCLE_EVERY_TICKS = 2

/**
 * The built-in rules provider trading on its own on the seeded simulated market, through the
 * worker's real components: quotes → paper matching → SL/TP monitor → rule-based stop management,
 * and an analysis cycle every other one-minute bar. After 100 closed trades the books must agree
 * to the last decimal: every balance equals the start plus the recorded fills and fees.
 */
describe('100 paper trades by the built-in rules provider', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.drop())

  test('trades on its own; final balances equal the sum of recorded fills and fees exactly', { timeout: 300_000 }, async () => {
    const userId = (await t.db.user.create({ data: { email: 'rules@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Rules', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: SYMBOLS } })
    // Limits off so the run is about the strategy and the books, not about the risk gate (tested elsewhere).
    await useManualTraderSettings(t.db, trader.id)
    await t.db.trader.update({
      where: { id: trader.id },
      data: { autoTrade: true, provider: 'RULES', aiSettings: { timeframes: ['1m'], minConfidence: '0.5' }, sizing: { mode: 'FIXED_QUOTE', amount: '1000' }, management: { breakevenAtPct: '1', breakevenOffsetPct: '0.2', trailingPct: '2' } },
    })

    // Simulated time runs ahead of the wall clock (one minute per bar), so no quote is ever stale.
    let now = Date.now()
    const feed = createSimulatedFeed({ seed: 7, volatilityBpsPerTick: 40, clock: () => now })
    for (const s of SYMBOLS) await saveMarketRules(t.db, await feed.marketRules(s), feed.label)
    const actor = { kind: 'WORKER' as const, id: 'rules-run' }
    const log: string[] = []
    const candles = (s: string, tf: '1m', n: number) => feed.fetchCandles(s, tf, n)
    const monitor = new TriggerMonitor(t.db, actor, (m) => log.push(m))
    const stops = new StopManager(t.db, actor, (m) => log.push(m), candles as never, () => now)
    const closedCount = () => t.db.position.count({ where: { traderId: trader.id, status: 'CLOSED' } })

    let ticks = 0
    let cycleMs = 0
    let cycles = 0
    for (; ticks < MAX_TICKS && (await closedCount()) < TARGET_TRADES; ticks++) {
      now += 60_000
      const quotes = await feed.fetchQuotes(SYMBOLS)
      await saveQuotes(t.db, quotes, feed.label)
      for (const q of quotes) {
        await applyExchangeUpdates(t.db, await matchRestingPaperOrders(t.db, q.symbol), actor)
        await monitor.onQuote(q)
        await stops.onQuote(q)
      }
      if (ticks % CYCLE_EVERY_TICKS === 0) {
        const started = performance.now()
        await runAnalysisCycle({ db: t.db, traderId: trader.id, candles: candles as never, actor, trigger: 'SCHEDULE', staleAfterMs: Number.MAX_SAFE_INTEGER, now: () => now })
        cycleMs += performance.now() - started
        cycles++
        // The cycle opened or closed positions: re-arm the in-process monitors as the worker does on NOTIFY.
        await monitor.loadAll()
        await stops.loadAll()
      }
    }

    // Flatten what is still open, then check the books.
    for (const p of await t.db.position.findMany({ where: { traderId: trader.id, status: { in: ['OPEN', 'MONITORING'] } } })) {
      await closePosition({ db: t.db, userId, actor: { kind: 'USER', id: userId }, positionId: p.id, input: {} })
    }
    const closed = await t.db.position.findMany({ where: { traderId: trader.id, status: 'CLOSED' } })
    expect(closed.length).toBeGreaterThanOrEqual(TARGET_TRADES)
    expect(await t.db.position.count({ where: { traderId: trader.id, status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(0)

    const fills = await t.db.fill.findMany({ where: { order: { accountId: trader.accountId } } })
    const expected = new Map<string, ReturnType<typeof dec>>([['USDT', dec(10000)]])
    const orders = new Map((await t.db.order.findMany({ where: { accountId: trader.accountId } })).map((o) => [o.id, o]))
    for (const f of fills) {
      const asset = orders.get(f.orderId)!.symbol.split('/')[0]!
      const notional = dec(f.price.toString()).mul(f.qty.toString())
      const qty = dec(f.qty.toString())
      expected.set('USDT', expected.get('USDT')!.plus(f.side === 'BUY' ? notional.neg() : notional))
      expected.set(asset, (expected.get(asset) ?? dec(0)).plus(f.side === 'BUY' ? qty : qty.neg()))
      expected.set(f.feeAsset, (expected.get(f.feeAsset) ?? dec(0)).minus(f.fee.toString()))
    }
    const balances = await t.db.accountBalance.findMany({ where: { accountId: trader.accountId } })
    for (const b of balances) expect(`${b.asset} ${b.amount.toString()}`).toBe(`${b.asset} ${(expected.get(b.asset) ?? dec(0)).toFixed()}`)
    for (const [asset, amount] of expected) if (!amount.isZero()) expect(balances.some((b) => b.asset === asset)).toBe(true)

    // Flat: the cash moved by exactly the realized PnL of all trades.
    const realized = sumDec(closed.map((p) => dec(p.realizedPnl.toString())))
    const usdt = balances.find((b) => b.asset === 'USDT')!
    expect(dec(usdt.amount.toString()).minus(10000).eq(realized)).toBe(true)

    const decisions = await t.db.decision.groupBy({ by: ['action', 'outcome'], where: { traderId: trader.id }, _count: true })
    const wins = closed.filter((p) => dec(p.realizedPnl.toString()).gt(0)).length
    const ruleMoves = await t.db.positionEvent.count({ where: { trigger: 'RULE_ENGINE', position: { traderId: trader.id } } })
    console.log(
      `[rules run] ${closed.length} trades in ${ticks} one-minute bars; wins ${wins} (${((wins / closed.length) * 100).toFixed(1)}%); realized PnL ${realized.toFixed(2)} USDT; ` +
        `final USDT ${usdt.amount.toString()}; rule-engine stop moves ${ruleMoves}; cycles ${cycles}, mean cycle ${(cycleMs / cycles).toFixed(1)} ms for ${SYMBOLS.length} symbols; ` +
        `decisions ${decisions.map((d) => `${d.action}/${d.outcome}=${d._count}`).join(' ')}`,
    )
    expect(ruleMoves).toBeGreaterThan(0)
    // Each move says which rule moved the stop, once: "(trailing 2% below bid …: stop …)".
    const moveMessages = await t.db.positionEvent.findMany({ where: { trigger: 'RULE_ENGINE', position: { traderId: trader.id } }, select: { message: true } })
    const unexplained = moveMessages.map((e) => e.message).filter((m) => !/^Stop loss moved from \S+ to (\S+) \((trailing [^:]+: stop \1|profit [^:]+: stop to breakeven \1.*|open \d+ min [^:]+: stop tightened to [^:]+: \1)\)$/.test(m))
    expect(unexplained).toEqual([])
    expect(log.filter((l) => /failed/.test(l))).toEqual([])
  })
})
