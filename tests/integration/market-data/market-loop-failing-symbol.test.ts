import { afterAll, beforeAll, expect, test } from 'vitest'
import { createCcxtFeed } from '@/lib/market-data/ccxt-feed'
import { createTrader } from '@/lib/server/traders/create-trader'
import { MarketLoop } from '@/workers/market/market-loop'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// Real ccxt (REST polling) against the fake Binance, real PostgreSQL.
let t: TestDatabase
let fake: FakeBinance
let loop: MarketLoop | null = null
beforeAll(async () => {
  t = await createTestDatabase()
  fake = await startFakeBinance()
})
afterAll(async () => {
  await loop?.stop()
  await fake.close()
  await t.drop()
})

test('a symbol delisted on the exchange is left out of the poll and reported; the other symbols keep their prices current', async () => {
  const userId = (await t.db.user.create({ data: { email: 'loop@example.com', passwordHash: 'x' } })).id
  await createTrader({ db: t.db, userId, input: { name: 'L', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })
  const log: string[] = []
  // Ticks handled slowly, as when they fire exits: the status must name the symbol left out as
  // soon as it is, not only once the poll cycle (which waits for the handling) ends.
  const onQuote = () => new Promise<void>((r) => setTimeout(r, 300))
  loop = new MarketLoop(t.db, createCcxtFeed({ baseUrl: fake.url }), { intervalMs: 100, log: (m) => log.push(m), onQuote })
  loop.start()
  const bid = async (symbol: string) => (await t.db.marketQuote.findUnique({ where: { symbol } }))?.bid.toString()
  await waitFor(async () => (await bid('BTC/USDT')) && (await bid('ETH/USDT')), 'both quotes')

  fake.removeSymbol('ETH/USDT')
  fake.setPrice('BTC/USDT', '61234.5', '61234.51')
  await waitFor(async () => (await bid('BTC/USDT')) === '61234.5', 'BTC keeps ticking')
  expect(loop.status.error).toMatch(/^ETH\/USDT: .*ETH\/USDT/)
  expect(log.filter((m) => m.startsWith('market data: ETH/USDT left out for 30 s'))).toHaveLength(1)

  fake.setPrice('BTC/USDT', '61300', '61300.01')
  await waitFor(async () => (await bid('BTC/USDT')) === '61300', 'and again, with ETH still left out')
  expect(log.filter((m) => m.startsWith('market data: ETH/USDT left out'))).toHaveLength(1)
})
