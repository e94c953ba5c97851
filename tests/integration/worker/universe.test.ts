import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { createTrader } from '@/lib/server/traders/create-trader'
import { updateTrader } from '@/lib/server/traders/update-trader'
import { UniverseRefresh } from '@/workers/universe/universe-refresh'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance, type FakeSymbolSpec } from '../../support/fake-binance'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// The real worker and ccxt against a Binance-compatible server whose 24 h tickers rank the markets.
const market = (symbol: string, bid: string, quoteVolume: string): FakeSymbolSpec => ({
  symbol, tickSize: '0.01', stepSize: '0.0001', minQty: '0.0001', minNotional: '5', notionalFilter: 'NOTIONAL',
  bid, ask: (Number(bid) + 0.01).toFixed(2), quoteVolume,
})

describe('worker: a top-N universe is resolved into the watchlist from 24 h volumes', () => {
  let t: TestDatabase
  let fake: FakeBinance
  let worker: Worker | null = null
  let userId: string
  let topId: string
  let fixedId: string
  const log: string[] = []
  const trader = (id: string) => t.db.trader.findUniqueOrThrow({ where: { id } })

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinance({
      symbols: [
        market('BTC/USDT', '60000.00', '900000000.12345678'),
        market('ETH/USDT', '3000.00', '800000000'),
        market('SOL/USDT', '150.00', '700000000'),
        market('XRP/USDT', '0.50', '600000000'),
        market('USDC/USDT', '1.00', '2000000000'),
        market('BTCUP/USDT', '10.00', '1500000000'),
        market('BTC/USDC', '60000.00', '5000000000'),
      ],
    })
    userId = (await t.db.user.create({ data: { email: 'u@example.com', passwordHash: 'x' } })).id
    const top = await createTrader({ db: t.db, userId, input: { name: 'Top', quoteCurrency: 'USDT', startingBalance: '10000', universe: { kind: 'TOP', n: 2, exclude: ['BTC/USDT'] } } })
    await useManualTraderSettings(t.db, top.id)
    topId = top.id
    fixedId = (await createTrader({ db: t.db, userId, input: { name: 'Fixed', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['XRP/USDT'] } })).id
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500', UNIVERSE_REFRESH_INTERVAL_MS: '300' })
    worker = await startWorker({ db: t.db, cfg, databaseUrl: t.url, log: (m) => log.push(m) })
  })
  afterAll(async () => {
    await worker?.stop()
    await fake.close()
    await t.drop()
  })

  test('at start: the top 2 in USDT, stablecoins, leveraged tokens, other quotes and the user list left out; a fixed trader untouched', async () => {
    const tr = await waitFor(async () => {
      const x = await trader(topId)
      return x.universeRefreshedAt ? x : null
    }, 'first resolution')
    expect(tr.watchlist).toEqual(['ETH/USDT', 'SOL/USDT'])
    expect(tr.universeError).toBeNull()
    expect((await trader(fixedId)).watchlist).toEqual(['XRP/USDT'])
    // The resolved symbols are fed: the market loop quotes them.
    await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: 'SOL/USDT' } }), 'SOL quoted')
  })

  test('a changed universe is resolved again with its new settings', async () => {
    await updateTrader({ db: t.db, userId, traderId: topId, input: { universe: { kind: 'TOP', n: 3, exclude: 'BTC/USDT' } } })
    await waitFor(async () => (await trader(topId)).watchlist.length === 3, 'three symbols')
    expect((await trader(topId)).watchlist).toEqual(['ETH/USDT', 'SOL/USDT', 'XRP/USDT'])
    await updateTrader({ db: t.db, userId, traderId: topId, input: { universe: { kind: 'TOP', n: 2, exclude: 'BTC/USDT' } } })
    await waitFor(async () => (await trader(topId)).watchlist.length === 2, 'back to two')
  })

  test('a symbol that leaves the universe keeps its open position watched: its stop still fires', async () => {
    await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: 'ETH/USDT' } }), 'ETH quoted')
    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor: { kind: 'USER', id: userId },
      input: { traderId: topId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.1', entryType: 'MARKET', stopLoss: '2900' },
    })
    expect((await getPositionDetail(t.db, userId, positionId)).position.status).toBe('MONITORING')

    fake.setQuoteVolume('ETH/USDT', '100')
    await waitFor(async () => !(await trader(topId)).watchlist.includes('ETH/USDT'), 'ETH out of the universe')
    expect((await trader(topId)).watchlist).toEqual(['SOL/USDT', 'XRP/USDT'])
    // No watchlist names ETH/USDT any more.
    expect(await t.db.trader.count({ where: { watchlist: { has: 'ETH/USDT' } } })).toBe(0)

    fake.setPrice('ETH/USDT', '2890.00', '2890.01')
    await waitFor(async () => (await getPositionDetail(t.db, userId, positionId)).position.status === 'CLOSED', 'stop-loss exit')
    const exit = await t.db.fill.findFirstOrThrow({ where: { positionId, side: 'SELL' } })
    expect(exit.price.toString()).toBe('2890')
  })

  test('when the exchange fails, the watchlist is kept and the error shown; the next good pass clears it', async () => {
    const before = await trader(topId)
    fake.setFailing('http500')
    const failed = await waitFor(async () => {
      const x = await trader(topId)
      return x.universeError ? x : null
    }, 'an error on the trader')
    expect(failed.universeError).toMatch(/cannot read 24 h volumes: .+; the watchlist is kept/)
    expect(failed.watchlist).toEqual(before.watchlist)
    expect(failed.universeRefreshedAt).toEqual(before.universeRefreshedAt)
    fake.setFailing('none')
    await waitFor(async () => (await trader(topId)).universeError === null, 'error cleared')
    expect((await trader(topId)).universeRefreshedAt!.getTime()).toBeGreaterThan(before.universeRefreshedAt!.getTime())
  })

  test('simulated prices have no volumes to rank: the trader says so and keeps its watchlist', async () => {
    await worker?.stop()
    worker = null
    const before = await trader(topId)
    const feed = createSimulatedFeed({ seed: 1 })
    await new UniverseRefresh(t.db, () => feed, () => {}, { intervalMs: 60_000 }).runOnce()
    const after = await trader(topId)
    expect(after.universeError).toMatch(/^Simulated.* has no 24 h volumes to rank: a top-N universe needs exchange market data/)
    expect(after.watchlist).toEqual(before.watchlist)
  })
})
