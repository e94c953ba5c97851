// How long PANIC takes to flatten paper positions, end to end against a real PostgreSQL:
// halt, then one reduce-only market exit per position through the ordinary exit path (position
// lock, order persisted before sending, paper fill, ledger, audit), then the run's report.
// Uses a scratch database beside DATABASE_URL when set, else a temporary embedded cluster.
import { performance } from 'node:perf_hooks'
import { createDb, type Db } from '@/lib/db/client'
import { withBenchDatabase } from './bench-database'
import { dec } from '@/lib/domain/decimal'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { pressPanic } from '@/lib/server/panic/press-panic'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { RISK_LIMITS_OFF } from '@/tests/support/manual-trader-settings'

export interface PanicScenario {
  traders: number
  positionsPerTrader: number
}

/** `n` symbols with fresh quotes and a deep one-level book (every exit fills at one price). */
async function seedSymbols(db: Db, n: number): Promise<string[]> {
  const symbols = Array.from({ length: n }, (_, i) => `S${String(i).padStart(2, '0')}/USDT`)
  for (const symbol of symbols) {
    await saveMarketRules(db, { symbol, base: symbol.split('/')[0]!, quote: 'USDT', tickSize: dec('0.01'), stepSize: dec('0.001'), minQty: dec('0.001'), minNotional: dec('5') }, 'bench')
  }
  const now = Date.now()
  await saveQuotes(
    db,
    symbols.map((symbol) => ({ symbol, bid: dec('100'), ask: dec('100.01'), last: dec('100'), bids: [[dec('100'), dec('1000000')]], asks: [[dec('100.01'), dec('1000000')]], exchangeTs: now, receivedAt: now })),
    'bench',
  )
  return symbols
}

async function scenario(db: Db, s: PanicScenario, run: number) {
  const user = await db.user.create({ data: { email: `bench-${run}@example.com`, passwordHash: 'x' } })
  const symbols = await seedSymbols(db, s.positionsPerTrader)
  await db.user.update({ where: { id: user.id }, data: { riskLimits: RISK_LIMITS_OFF } })
  const actor = { kind: 'USER' as const, id: user.id }
  for (let t = 0; t < s.traders; t++) {
    const trader = await createTrader({ db, userId: user.id, input: { name: `T${t}`, quoteCurrency: 'USDT', startingBalance: '1000000', watchlist: symbols } })
    await db.trader.update({ where: { id: trader.id }, data: { riskLimits: RISK_LIMITS_OFF } })
    for (const [i, symbol] of symbols.entries()) {
      const side = i % 2 ? 'SHORT' : 'LONG'
      await openPosition({
        db,
        userId: user.id,
        actor,
        input: { traderId: trader.id, symbol, side, sizeMode: 'BASE', size: '1', entryType: 'MARKET', stopLoss: side === 'LONG' ? '90' : '110' },
      })
    }
  }
  const open = await db.position.count({ where: { trader: { userId: user.id }, status: 'MONITORING' } })
  const t0 = performance.now()
  const result = await pressPanic({ db, userId: user.id, actor, input: { confirm: true } })
  const ms = performance.now() - t0
  const stillOpen = await db.position.count({ where: { trader: { userId: user.id }, status: { notIn: ['CLOSED', 'FAILED'] } } })
  const closed = result.runs.flatMap((r) => r.positions).filter((p) => p.outcome === 'CLOSED').length
  return {
    accounts: s.traders,
    positions: open,
    closed,
    stillOpen,
    failed: result.failed,
    ms: Math.round(ms),
    msPerPosition: (ms / open).toFixed(1),
  }
}

/**
 * A panic pressed while one user's traders are entering: `traders` traders with the user-wide
 * limits on (their entries read the book, then take the book's turn one at a time), two positions
 * each, then 100 clients sending 6 entries per trader and the panic pressed `pressAfterMs` into
 * it. The halt waits for each account's entry in flight, which may be queued for the book's turn,
 * so it takes longer than in quiet; entries that commit before the halt reaches their account are
 * flattened by the panic, the rest are refused. `stillOpen` must be 0. Twice: in quiet and in the
 * burst, each on a user of its own.
 */
export async function benchPanicDuringBurst(traders = 100, pressAfterMs = 300) {
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    try {
      const symbols = await seedSymbols(db, 8)
      const limits = { ...RISK_LIMITS_OFF, maxConcurrentPositions: 1000, maxExposurePctEquity: '100', dailyLossLimitPct: '50', maxDrawdownPct: '50', maxTradesPerDay: 100_000 }
      const rows = []
      for (const burst of [false, true]) {
        const user = await db.user.create({ data: { email: `bench-burst-${burst}@example.com`, passwordHash: 'x', riskLimits: limits } })
        const actor = { kind: 'USER' as const, id: user.id }
        const ids: string[] = []
        for (let t = 0; t < traders; t++) {
          const trader = await createTrader({ db, userId: user.id, input: { name: `T${t}`, quoteCurrency: 'USDT', startingBalance: '1000000', watchlist: symbols } })
          await db.trader.update({ where: { id: trader.id }, data: { riskLimits: limits } })
          ids.push(trader.id)
        }
        // Entry i: trader i mod traders, in the next symbol each round.
        let next = 0
        const enter = (i: number) =>
          openPosition({ db, userId: user.id, actor, input: { traderId: ids[i % traders]!, symbol: symbols[Math.floor(i / traders)]!, side: 'LONG', sizeMode: 'BASE', size: '1', entryType: 'MARKET', stopLoss: '90' } })
        const clients = (n: number, until: number, each: (i: number) => Promise<void>) =>
          Promise.all(Array.from({ length: n }, async () => {
            for (let i = next++; i < until; i = next++) await each(i)
          }))
        await clients(20, traders * 2, async (i) => void (await enter(i)))
        // Each client's last look moved the counter past the end: the burst starts in the third symbol.
        next = traders * 2
        let pressedAt = 0
        const entries = { filled: 0, afterPress: 0, refused: 0 }
        const sending = burst
          ? clients(100, traders * symbols.length, async (i) => {
              try {
                await enter(i)
                entries.filled++
                if (pressedAt) entries.afterPress++
              } catch {
                entries.refused++
              }
            })
          : Promise.resolve()
        if (burst) await new Promise((r) => setTimeout(r, pressAfterMs))
        const openNow = () => db.position.count({ where: { trader: { userId: user.id }, status: { notIn: ['CLOSED', 'FAILED'] } } })
        const openAtPress = await openNow()
        pressedAt = performance.now()
        const result = await pressPanic({ db, userId: user.id, actor, input: { confirm: true } })
        const ms = performance.now() - pressedAt
        await sending
        rows.push({
          during: burst ? `a burst (100 clients, pressed ${pressAfterMs} ms in)` : 'quiet',
          accounts: traders,
          openAtPress,
          closed: result.runs.flatMap((r) => r.positions).filter((p) => p.outcome === 'CLOSED').length,
          ms: Math.round(ms),
          'entries filled during the burst (after the press)': burst ? `${entries.filled} (${entries.afterPress})` : '-',
          'entries refused': burst ? entries.refused : '-',
          stillOpen: await openNow(),
        })
      }
      return rows
    } finally {
      await db.$disconnect()
    }
  })
}

/** Flattens each scenario's positions once, on a fresh database, and reports the wall time of the panic alone. */
export async function benchPanic(scenarios: PanicScenario[]) {
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    try {
      const rows = []
      // A tiny warm-up run, so the first scenario does not pay for connecting and query planning.
      await scenario(db, { traders: 1, positionsPerTrader: 2 }, 0)
      for (const [i, s] of scenarios.entries()) rows.push(await scenario(db, s, i + 1))
      return rows
    } finally {
      await db.$disconnect()
    }
  })
}
