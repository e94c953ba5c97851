import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { Quote } from '@/lib/market-data/quote'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { TriggerMonitor } from '@/workers/monitor/trigger-monitor'
import { FlakyExchange, type Misbehaviour } from '../panic/flaky-exchange'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// A tick can reach a worker before the position it crosses does (a second worker takes ticks over
// LISTEN and positions over their own notification; the several-workers test once waited 30 s on
// a stop that way): a position armed for the first time is checked against the last quote seen.
// Only the first time: a refused exit is tried again on the next tick, never in a loop.
describe('trigger monitor: a position armed after the tick that crossed its stop', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  const plan = new Map<string, Misbehaviour>()
  let monitor: TriggerMonitor
  const log: string[] = []

  const tick = (symbol: string, bid: string, ask: string): Quote => ({ symbol, bid: dec(bid), ask: dec(ask), last: dec(bid), exchangeTs: Date.now(), receivedAt: Date.now() })
  const open = async (symbol: string, size: string, stopLoss: string) =>
    (await openPosition({ db: t.db, userId, actor: { kind: 'USER', id: userId }, input: { traderId, symbol, side: 'LONG', sizeMode: 'BASE', size, entryType: 'MARKET', stopLoss } })).positionId
  const exits = (positionId: string) => t.db.order.findMany({ where: { positionId, purpose: 'STOP_LOSS' }, orderBy: { createdAt: 'asc' }, select: { status: true, filledQty: true } })

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'arming@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Arming', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
    monitor = new TriggerMonitor(t.db, { kind: 'WORKER', id: 'arming-test' }, (m) => log.push(m), (a) => new FlakyExchange(exchangeForAccount(t.db, a), plan))
  })
  afterAll(async () => {
    await t?.drop()
  })

  test('the stop already crossed when the position is armed: it exits at once, once', async () => {
    const positionId = await open('BTC/USDT', '0.01', '59000')
    // The tick comes first, while nothing of the position is armed here.
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '58000', ask: '58010' })
    expect(await monitor.onQuote(tick('BTC/USDT', '58000', '58010'))).toBe(0)
    await monitor.reload(positionId)
    expect((await exits(positionId)).map((o) => [o.status, o.filledQty.toString()])).toEqual([['FILLED', '0.01']])
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
  })

  test('a refused exit on arming is not retried by re-arming, only by the next tick', async () => {
    const positionId = await open('ETH/USDT', '0.1', '2900')
    plan.set('ETH/USDT', { mode: 'REJECT' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '2800', ask: '2801' })
    await monitor.onQuote(tick('ETH/USDT', '2800', '2801'))
    await monitor.reload(positionId)
    expect((await exits(positionId)).map((o) => o.status)).toEqual(['REJECTED'])
    // The position's own notifications re-arm it: nothing is sent again on the old quote.
    await monitor.reload(positionId)
    await monitor.reload(positionId)
    expect((await exits(positionId)).map((o) => o.status)).toEqual(['REJECTED'])
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('MONITORING')
    // The next tick tries again, and this time the exchange takes it.
    expect(await monitor.onQuote(tick('ETH/USDT', '2800', '2801'))).toBe(1)
    expect((await exits(positionId)).map((o) => o.status)).toEqual(['REJECTED', 'FILLED'])
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
  })
})
