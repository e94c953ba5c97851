import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createCcxtFeed } from '@/lib/market-data/ccxt-feed'
import { QUOTES_CHANNEL } from '@/lib/server/events/notify'
import { createTrader } from '@/lib/server/traders/create-trader'
import { MarketLoop } from '@/workers/market/market-loop'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// The primary worker publishes every quote it stores for the other workers, stamped with when it
// began publishing by the database's clock: the other workers order a new primary's quotes after
// the last one's by that stamp, whatever each machine's clock says (see QuoteFollower).
let t: TestDatabase
let fake: FakeBinance
let listener: pg.Client
const published: { symbol: string; receivedAt: number; epoch: number }[][] = []
const markers: string[] = []
beforeAll(async () => {
  t = await createTestDatabase()
  fake = await startFakeBinance()
  listener = new pg.Client({ connectionString: t.url })
  await listener.connect()
  await listener.query(`LISTEN ${QUOTES_CHANNEL}`)
  listener.on('notification', (n) => {
    const v = JSON.parse(n.payload ?? '[]')
    if (Array.isArray(v)) published.push(v)
    else markers.push(v.marker)
  })
})
afterAll(async () => {
  await listener.end()
  await fake.close()
  await t.drop()
})

test("each loop's quotes carry its epoch, by the database's clock; a later loop's is later", async () => {
  const userId = (await t.db.user.create({ data: { email: 'publish@example.com', passwordHash: 'x' } })).id
  await createTrader({ db: t.db, userId, input: { name: 'P', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })
  const run = async () => {
    const from = published.length
    const [{ now }] = await t.db.$queryRaw<{ now: number }[]>`SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS now`
    const loop = new MarketLoop(t.db, createCcxtFeed({ baseUrl: fake.url }), { intervalMs: 50, log: () => {}, onQuote: async () => {} })
    loop.start()
    await waitFor(async () => published.length >= from + 3, 'three publications')
    await loop.stop()
    // Delivered after every publication the loop committed (PostgreSQL delivers notifications in
    // commit order): once it is here, the slice holds all of this loop's and none of the next's.
    const marker = `stopped ${markers.length}`
    await t.db.$executeRaw`SELECT pg_notify(${QUOTES_CHANNEL}, ${JSON.stringify({ marker })})`
    await waitFor(async () => markers.includes(marker), 'the marker notification')
    const rows = published.slice(from).flat()
    expect(new Set(rows.map((r) => r.symbol))).toEqual(new Set(['BTC/USDT', 'ETH/USDT']))
    const epochs = [...new Set(rows.map((r) => r.epoch))]
    expect(epochs).toHaveLength(1)
    expect(epochs[0]).toBeGreaterThanOrEqual(now)
    return epochs[0]!
  }
  const first = await run()
  const second = await run()
  expect(second).toBeGreaterThan(first)
})
