import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { saveQuotes } from '@/lib/market-data/quote-store'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

// GET /api/v1/markets/{symbol}/quote through the route handler and a real PostgreSQL holding the
// prices the worker stores (saveQuotes is the worker's own write).

let t: Awaited<ReturnType<typeof startApiDatabase>>
let token: string
let route: typeof import('@/app/api/v1/markets/[symbol]/quote/route')

beforeAll(async () => {
  t = await startApiDatabase()
  token = (await apiUser(t, 'quotes@example.com')).token
  route = await import('@/app/api/v1/markets/[symbol]/quote/route')
})
afterAll(async () => {
  await t?.stop()
})

const get = (symbol: string, o: { token?: string | null } = {}) =>
  call(
    ((req: Request) => route.GET(req, { params: Promise.resolve({ symbol }) } as never)) as never,
    'GET',
    `/api/v1/markets/${encodeURIComponent(symbol)}/quote`,
    { token: o.token === undefined ? token : o.token },
  )

const quote = (symbol: string, bid: string, ask: string, ageMs: number) => {
  const receivedAt = Date.now() - ageMs
  return { symbol, bid: dec(bid), ask: dec(ask), last: dec(bid), exchangeTs: receivedAt - 5, receivedAt }
}

describe('GET /api/v1/markets/{symbol}/quote', () => {
  it('answers the last stored price exactly, with its age, and not stale within MARKET_STALE_AFTER_MS (10 s)', async () => {
    await saveQuotes(t.db, [quote('BTC/USDT', '60010.12345678', '60010.2', 2_000)], 'Simulated: random walk (seed 42)')
    const res = await get('btc-usdt')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('no-store')
    expect(res.body).toMatchObject({
      symbol: 'BTC/USDT',
      bid: '60010.12345678',
      ask: '60010.2',
      last: '60010.12345678',
      source: 'Simulated: random walk (seed 42)',
      staleAfterMs: 10_000,
      stale: false,
    })
    // Stored 2 s ago: its age is at least that, and well under the stale limit.
    expect(res.body.ageMs).toBeGreaterThanOrEqual(2_000)
    expect(res.body.ageMs).toBeLessThan(10_000)
    expect(Date.parse(res.body.receivedAt) - Date.parse(res.body.exchangeTs)).toBe(5)
  })

  it('says stale for a price older than MARKET_STALE_AFTER_MS, as an open would find it', async () => {
    await saveQuotes(t.db, [quote('ETH/USDT', '3000', '3000.5', 11_000)], 'Binance (api.binance.com)')
    const res = await get('ETH-USDT')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ symbol: 'ETH/USDT', bid: '3000', ask: '3000.5', stale: true })
    expect(res.body.ageMs).toBeGreaterThanOrEqual(11_000)
  })

  it('is 404 naming the market when nothing prices it, 400 naming symbol when it is not BASE-QUOTE, 401 without a token', async () => {
    const none = await get('DOGE-USDT')
    expect(none.status).toBe(404)
    expect(none.body.error.message).toContain('no price for DOGE/USDT')
    const bad = await get('BTCUSDT')
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['symbol'])
    expect((await get('BTC-USDT', { token: null })).status).toBe(401)
  })

  it('answers other methods with 405 naming GET', async () => {
    const res = await call(route.POST as never, 'POST', '/api/v1/markets/BTC-USDT/quote', { token, body: {} })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toContain('GET')
  })
})
