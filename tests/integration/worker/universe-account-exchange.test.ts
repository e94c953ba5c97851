import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createCcxtFeed } from '@/lib/market-data/ccxt-feed'
import type { MarketDataFeed } from '@/lib/market-data/feed'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { createTrader } from '@/lib/server/traders/create-trader'
import { UniverseRefresh } from '@/workers/universe/universe-refresh'
import { startFakeBinance, type FakeBinance, type FakeSymbolSpec } from '../../support/fake-binance'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '../../support/fake-binance-spot'
import { startFakeCoinbase, type FakeCoinbase, type FakeProductSpec } from '../../support/fake-coinbase'
import { createBinanceTestnetTrader } from '../../support/live-binance-account'
import { coinbaseTestKey, createCoinbaseLiveTrader } from '../../support/live-coinbase-account'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

// A top-N universe ranks the markets of the exchange the trader's account trades on: the real
// ccxt clients of the market-data feed and of each account, each against its own local server,
// every server ranking the same markets differently.
const market = (symbol: string, bid: string, quoteVolume: string): FakeSymbolSpec => ({
  symbol, tickSize: '0.01', stepSize: '0.0001', minQty: '0.0001', minNotional: '5', notionalFilter: 'NOTIONAL',
  bid, ask: (Number(bid) + 0.01).toFixed(2), quoteVolume,
})
const product = (symbol: string, bid: string, quoteVolume24h: string): FakeProductSpec => ({
  symbol, baseIncrement: '0.00000001', priceIncrement: '0.01', baseMinSize: '0.00001', quoteMinSize: '1', bid, ask: (Number(bid) + 0.01).toFixed(2), quoteVolume24h,
})
const TOP_2 = { kind: 'TOP' as const, n: 2 }

describe('universe: ranked on the trader\'s own exchange', () => {
  let t: TestDatabase
  let feedServer: FakeBinance
  let binance: FakeBinanceSpot
  let coinbase: FakeCoinbase
  let feed: MarketDataFeed
  const key = coinbaseTestKey('organizations/org-test/apiKeys/key-universe')
  const ids = { paper: '', binance: '', coinbase: '' }
  const log: string[] = []
  const trader = (id: string) => t.db.trader.findUniqueOrThrow({ where: { id } })
  const refresh = () => new UniverseRefresh(t.db, () => feed, (m) => log.push(m), { intervalMs: 60_000 }).runOnce()
  // Requests for every market's 24 h ticker (Coinbase's market/products also loads its markets, once).
  const tickerRequests = () => ({
    feed: feedServer.requests.filter((r) => r.startsWith('/api/v3/ticker/24hr')).length,
    binance: binance.requests.filter((r) => r.path === '/api/v3/ticker/24hr').length,
    coinbase: coinbase.requests.filter((r) => r.path === '/api/v3/brokerage/market/products').length,
  })

  beforeAll(async () => {
    t = await createTestDatabase()
    // The market-data feed: ETH and SOL lead.
    feedServer = await startFakeBinance({
      symbols: [market('BTC/USDT', '60000.00', '100'), market('ETH/USDT', '3000.00', '900000000'), market('SOL/USDT', '150.00', '800000000'), market('XRP/USDT', '0.50', '200')],
    })
    // The Binance account's exchange (its testnet, say): BTC and XRP lead, ETH and SOL barely trade.
    binance = await startFakeBinanceSpot({
      symbols: [market('BTC/USDT', '60000.00', '700000000'), market('ETH/USDT', '3000.00', '5'), market('SOL/USDT', '150.00', '6'), market('XRP/USDT', '0.50', '500000000')],
    })
    // Coinbase, in USD: SOL then BTC.
    coinbase = await startFakeCoinbase({
      apiKey: key.name,
      publicKeyPem: key.publicKey,
      products: [product('BTC/USD', '60000.00', '40000000'), product('ETH/USD', '3000.00', '1000'), product('SOL/USD', '150.00', '90000000')],
    })
    feed = createCcxtFeed({ baseUrl: feedServer.url, wsUrl: 'off' })

    const userId = (await t.db.user.create({ data: { email: 'paper@example.com', passwordHash: 'x' } })).id
    ids.paper = (await createTrader({ db: t.db, userId, input: { name: 'Paper', quoteCurrency: 'USDT', startingBalance: '10000', universe: TOP_2 } })).id
    ids.binance = (await createBinanceTestnetTrader(t.db, binance, { watchlist: ['BTC/USDT'] })).traderId
    ids.coinbase = (await createCoinbaseLiveTrader(t.db, coinbase, key, { watchlist: ['BTC/USD'] })).traderId
    await t.db.trader.updateMany({ where: { id: { in: [ids.binance, ids.coinbase] } }, data: { universe: TOP_2 } })
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await feed?.close()
    await Promise.all([feedServer?.close(), binance?.close(), coinbase?.close()])
    await t?.drop()
  })

  test('a Binance or Coinbase account ranks on its own exchange\'s tickers, a paper account on the market-data feed', async () => {
    await refresh()
    const [paper, bin, cb] = await Promise.all([trader(ids.paper), trader(ids.binance), trader(ids.coinbase)])
    expect(paper).toMatchObject({ watchlist: ['ETH/USDT', 'SOL/USDT'], universeError: null })
    expect(bin).toMatchObject({ watchlist: ['BTC/USDT', 'XRP/USDT'], universeError: null })
    expect(cb).toMatchObject({ watchlist: ['SOL/USD', 'BTC/USD'], universeError: null })
    expect([paper, bin, cb].every((x) => x.universeRefreshedAt !== null)).toBe(true)
  })

  test('the ranking follows the account\'s exchange as its volumes change; one ticker request per exchange a pass', async () => {
    // Only the Binance account's exchange changes: ETH leads there now; the feed is as it was.
    binance.setQuoteVolume('ETH/USDT', '900000000')
    const before = tickerRequests()
    await refresh()
    expect((await trader(ids.binance)).watchlist).toEqual(['ETH/USDT', 'BTC/USDT'])
    expect((await trader(ids.paper)).watchlist).toEqual(['ETH/USDT', 'SOL/USDT'])
    expect(tickerRequests()).toEqual({ feed: before.feed + 1, binance: before.binance + 1, coinbase: before.coinbase + 1 })
    binance.setQuoteVolume('ETH/USDT', '5')
  })

  test('when the account\'s exchange fails, that trader keeps its watchlist and says why; the others are refreshed', async () => {
    const before = await trader(ids.binance)
    const paperBefore = await trader(ids.paper)
    binance.injectFault({ method: 'GET', path: '/api/v3/ticker/24hr' }, { kind: 'http5xx', status: 503, execute: false })
    await refresh()
    const failed = await trader(ids.binance)
    expect(failed.universeError).toMatch(/^cannot read 24 h volumes: .*Binance.*; the watchlist is kept$/)
    expect(failed.watchlist).toEqual(before.watchlist)
    expect(failed.universeRefreshedAt).toEqual(before.universeRefreshedAt)
    const paper = await trader(ids.paper)
    expect(paper.universeError).toBeNull()
    expect(paper.universeRefreshedAt!.getTime()).toBeGreaterThan(paperBefore.universeRefreshedAt!.getTime())
    expect((await trader(ids.coinbase)).universeError).toBeNull()

    // The next pass reads the exchange again and clears the error.
    await refresh()
    expect(await trader(ids.binance)).toMatchObject({ watchlist: ['BTC/USDT', 'XRP/USDT'], universeError: null })
  })

  test('an account with no market in the trader\'s quote currency says so, naming its exchange', async () => {
    await t.db.trader.update({ where: { id: ids.coinbase }, data: { quoteCurrency: 'EUR' } })
    await refresh()
    const cb = await trader(ids.coinbase)
    expect(cb.universeError).toBe('Coinbase Advanced Trade has no spot market in EUR with a 24 h volume that the exclusions leave in; the watchlist is kept')
    expect(cb.watchlist).toEqual(['SOL/USD', 'BTC/USD'])
  })
})
