import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buildOpenApiDocument } from '@/lib/server/openapi/openapi-document'
import { startFakeBinance, type FakeBinance } from '@/tests/support/fake-binance'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

// GET /api/v1/markets/{symbol}/candles through the route handler, a real PostgreSQL (the
// market-data setting) and the real ccxt client against a local Binance-compatible server.

let t: Awaited<ReturnType<typeof startApiDatabase>>
let fake: FakeBinance
let token: string
let route: typeof import('@/app/api/v1/markets/[symbol]/candles/route')
let candles: typeof import('@/lib/server/markets/load-candles')
let feed: typeof import('@/lib/server/markets/web-market-feed')
const savedEnv = { source: process.env.MARKET_DATA_SOURCE, url: process.env.MARKET_DATA_URL }

beforeAll(async () => {
  fake = await startFakeBinance()
  // Before the first env() of this file: the web builds its feed from the same settings as the worker.
  process.env.MARKET_DATA_SOURCE = 'exchange'
  process.env.MARKET_DATA_URL = fake.url
  t = await startApiDatabase()
  token = (await apiUser(t, 'viewer@example.com')).token
  route = await import('@/app/api/v1/markets/[symbol]/candles/route')
  candles = await import('@/lib/server/markets/load-candles')
  feed = await import('@/lib/server/markets/web-market-feed')
})
afterAll(async () => {
  await feed?.closeWebMarketFeed()
  await t?.stop()
  await fake?.close()
  for (const [k, v] of [['MARKET_DATA_SOURCE', savedEnv.source], ['MARKET_DATA_URL', savedEnv.url]] as const) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
})
beforeEach(async () => {
  candles.clearCandleCache()
  fake.setFailing('none')
  await t.db.setting.deleteMany({ where: { key: 'marketData' } })
})

const get = (symbol: string | undefined, query = '', o: { token?: string | null } = {}) =>
  call(
    ((req: Request) => route.GET(req, { params: Promise.resolve(symbol === undefined ? {} : { symbol }) } as never)) as never,
    'GET',
    `/api/v1/markets/${encodeURIComponent(symbol ?? '')}/candles${query}`,
    { token: o.token === undefined ? token : o.token },
  )
const klineRequests = () => fake.requests.filter((r) => r.startsWith('/api/v3/klines'))

describe('GET /api/v1/markets/{symbol}/candles', () => {
  it('answers the exchange\'s bars, oldest first, aligned to the timeframe, decimals as strings, ending at the last price', async () => {
    fake.setPrice('BTC/USDT', '60123.45', '60123.46')
    const res = await get('BTC-USDT', '?timeframe=15m&limit=50')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ symbol: 'BTC/USDT', timeframe: '15m' })
    expect(res.body.source).toContain('Binance')
    const bars = res.body.candles as { openTime: number; open: string; high: string; low: string; close: string; volume: string }[]
    expect(bars).toHaveLength(50)
    const step = 15 * 60_000
    bars.forEach((b, i) => {
      expect(b.openTime % step).toBe(0)
      if (i > 0) expect(b.openTime - bars[i - 1]!.openTime).toBe(step)
      for (const v of [b.open, b.high, b.low, b.close, b.volume]) expect(v).toMatch(/^\d+(\.\d+)?$/)
      expect(Number(b.high)).toBeGreaterThanOrEqual(Math.max(Number(b.open), Number(b.close)))
      expect(Number(b.low)).toBeLessThanOrEqual(Math.min(Number(b.open), Number(b.close)))
    })
    // The last bar is the forming one, closing at the exchange's last trade.
    expect(bars.at(-1)!.openTime).toBe(Math.floor(Date.now() / step) * step)
    expect(bars.at(-1)!.close).toBe('60123.45')
    expect(klineRequests().at(-1)).toContain('symbol=BTCUSDT')
    expect(klineRequests().at(-1)).toContain('interval=15m')
  })

  it('defaults to 200 bars of 1h', async () => {
    const res = await get('ETH-USDT')
    expect(res.status).toBe(200)
    expect(res.body.timeframe).toBe('1h')
    expect(res.body.candles).toHaveLength(200)
    expect(res.body.candles[1].openTime - res.body.candles[0].openTime).toBe(3_600_000)
  })

  it('asks the exchange once for many viewers within the cache time, and again after it', async () => {
    const before = klineRequests().length
    const answers = await Promise.all(Array.from({ length: 8 }, () => get('SOL-USDT', '?timeframe=5m&limit=20')))
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200))
    await get('SOL-USDT', '?timeframe=5m&limit=20')
    expect(klineRequests().length - before).toBe(1)
    // A different timeframe is a different question.
    await get('SOL-USDT', '?timeframe=1h&limit=20')
    expect(klineRequests().length - before).toBe(2)
    candles.clearCandleCache()
    await get('SOL-USDT', '?timeframe=5m&limit=20')
    expect(klineRequests().length - before).toBe(3)
  })

  it.each([
    ['an unknown timeframe', 'BTC-USDT', '?timeframe=2m', 'timeframe'],
    ['limit 0', 'BTC-USDT', '?limit=0', 'limit'],
    ['limit above 1000', 'BTC-USDT', '?limit=1001', 'limit'],
    ['a limit that is not a number', 'BTC-USDT', '?limit=abc', 'limit'],
    ['a fractional limit', 'BTC-USDT', '?limit=2.5', 'limit'],
    ['a symbol without the dash', 'BTCUSDT', '', 'symbol'],
    ['a symbol with two dashes', 'BTC-USDT-X', '', 'symbol'],
    ['no symbol', undefined, '', 'symbol'],
  ])('answers 400 naming the field for %s, without asking the exchange', async (_label, symbol, query, field) => {
    const before = klineRequests().length
    const res = await get(symbol, query)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toEqual([field])
    expect(klineRequests().length).toBe(before)
  })

  it('answers a slash (BTC/USDT, decoded from %2F) as no such market, saying the path takes BTC-USDT', async () => {
    const res = await get('BTC/USDT')
    expect(res.status).toBe(404)
    expect(res.body.error).toEqual({ code: 'NOT_FOUND', message: 'no market "BTC/USDT": a market in a path is written BASE-QUOTE, e.g. BTC-USDT' })
  })

  it('accepts lower case', async () => {
    const res = await get('btc-usdt', '?limit=3')
    expect(res.status).toBe(200)
    expect(res.body.symbol).toBe('BTC/USDT')
  })

  it('answers 404 for a market the exchange does not list', async () => {
    const res = await get('DOGE-USDT', '?limit=3')
    expect(res.status).toBe(404)
    expect(res.body.error).toEqual({ code: 'NOT_FOUND', message: 'market DOGE/USDT not found' })
  })

  it('answers 503 with Retry-After while the exchange fails, and bars again once it answers', async () => {
    fake.setFailing('http500')
    const res = await get('BTC-USDT', '?timeframe=4h&limit=10')
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('MARKET_UNAVAILABLE')
    expect(res.body.error.message).toMatch(/temporarily unavailable/)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    fake.setFailing('none')
    candles.clearCandleCache()
    const again = await get('BTC-USDT', '?timeframe=4h&limit=10')
    expect(again.status).toBe(200)
    expect(again.body.candles).toHaveLength(10)
  })

  it('answers 409 when the market-data source is simulated (its prices live in the worker)', async () => {
    await t.db.setting.create({ data: { key: 'marketData', value: { kind: 'simulated' } } })
    const before = klineRequests().length
    const res = await get('BTC-USDT', '?limit=3')
    expect(res.status).toBe(409)
    expect(res.body.error.message).toMatch(/simulated/)
    expect(klineRequests().length).toBe(before)
  })

  it('requires credentials', async () => {
    const res = await get('BTC-USDT', '', { token: null })
    expect(res.status).toBe(401)
  })

  it('is documented with its path parameter, query and 503 Retry-After', () => {
    const doc = buildOpenApiDocument() as unknown as { paths: Record<string, { parameters: { name: string; in: string }[]; get: { parameters: { name: string }[]; responses: Record<string, { headers?: object }> } }> }
    const item = doc.paths['/api/v1/markets/{symbol}/candles']!
    expect(item.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:symbol'])
    expect(item.get.parameters.map((p) => p.name)).toEqual(['timeframe', 'limit'])
    expect(Object.keys(item.get.responses).sort()).toEqual(['200', '400', '401', '404', '409', '503'])
    expect(item.get.responses['503']!.headers).toHaveProperty('Retry-After')
  })
})
