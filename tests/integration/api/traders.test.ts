import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let traders: typeof import('@/app/api/v1/traders/route')
let trader: typeof import('@/app/api/v1/traders/[id]/route')

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  traders = await import('@/app/api/v1/traders/route')
  trader = await import('@/app/api/v1/traders/[id]/route')
})
afterAll(() => t?.stop())

const create = (body: unknown, token = alice.token) => call(traders.POST, 'POST', '/api/v1/traders', { token, body })

describe('/api/v1/traders', () => {
  it.each([
    ['no credentials', null],
    ['an unknown token', 'tl_not-a-real-token'],
    ['a malformed token', 'garbage'],
  ])('answers 401 with %s', async (_label, token) => {
    const res = await call(traders.GET, 'GET', '/api/v1/traders', { token })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
  })

  it('creates a funded trader (201) that GET returns with balances and equity', async () => {
    const res = await create({ name: 'Momentum', quoteCurrency: 'usdt', startingBalance: '10000', watchlist: 'btc/usdt, ETH/USDT' })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Momentum',
      quoteCurrency: 'USDT',
      watchlist: ['BTC/USDT', 'ETH/USDT'],
      universe: { kind: 'FIXED' },
      universeRefreshedAt: null,
      universeError: null,
      exchange: 'PAPER',
      mode: 'PAPER',
      balances: [{ asset: 'USDT', amount: '10000' }],
      equity: '10000.00',
    })
    const one = await call(trader.GET, 'GET', `/api/v1/traders/${res.body.id}`, { token: alice.token, id: res.body.id })
    expect(one.status).toBe(200)
    expect(one.body).toEqual(res.body)
    const list = await call(traders.GET, 'GET', '/api/v1/traders', { token: alice.token })
    expect(list.body.traders.map((x: { name: string }) => x.name)).toEqual(['Momentum'])
    // Another user sees neither the list entry nor the trader.
    expect((await call(traders.GET, 'GET', '/api/v1/traders', { token: bob.token })).body).toEqual({ traders: [] })
    expect((await call(trader.GET, 'GET', '/', { token: bob.token, id: res.body.id })).status).toBe(404)
  })

  it('gives a BTC-quoted trader its equity to six significant digits, not two places', async () => {
    const res = await create({ name: 'Sats', quoteCurrency: 'BTC', startingBalance: '0.0512345678', watchlist: 'ETH/BTC' })
    expect(res.status).toBe(201)
    expect([res.body.balances, res.body.equity]).toEqual([[{ asset: 'BTC', amount: '0.0512345678' }], '0.0512346'])
  })

  it('values what a trader holds at the bid (a short at the ask) of its own market; a holding with no market leaves the equity unknown', async () => {
    const res = await create({ name: 'Holder', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' })
    const { accountId } = await t.db.trader.findUniqueOrThrow({ where: { id: res.body.id } })
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
    // Another market in the same base, which must not value it.
    await seedMarket(t.db, { symbol: 'BTC/EUR', bid: '1', ask: '1' })
    await t.db.accountBalance.create({ data: { accountId, asset: 'BTC', amount: '0.5' } })
    await t.db.accountBalance.create({ data: { accountId, asset: 'ETH', amount: '-2' } })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
    const one = async () => (await call(trader.GET, 'GET', '/', { token: alice.token, id: res.body.id })).body
    // 1000 + 0.5 x 60000 - 2 x 3001
    expect((await one()).equity).toBe('24998.00')
    await t.db.accountBalance.create({ data: { accountId, asset: 'DOGE', amount: '10' } })
    expect((await one()).equity).toBeNull()
  })

  it.each([
    ['a watchlist symbol in another currency', { name: 'X', quoteCurrency: 'USDT', startingBalance: '100', watchlist: ['BTC/USDT', 'ETH/BTC'] }, ['watchlist.1']],
    ['a missing name and a negative balance', { quoteCurrency: 'USDT', startingBalance: '-5', watchlist: ['BTC/USDT'] }, ['name', 'startingBalance']],
    ['a body that is not an object', ['BTC/USDT'], ['']],
  ])('answers 400 naming the field for %s', async (_label, body, fields) => {
    const res = await create(body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body).sort()).toEqual(fields)
  })

  it('answers 400 for malformed JSON and 409 for a duplicate name', async () => {
    const bad = await call(traders.POST, 'POST', '/api/v1/traders', { token: alice.token, rawBody: '{"name": "x",' })
    expect(bad.status).toBe(400)
    expect(bad.body).toEqual({ error: { code: 'VALIDATION', message: 'request body is not valid JSON' } })
    const dup = await create({ name: 'Dup', quoteCurrency: 'USDT', startingBalance: '1', watchlist: 'BTC/USDT' })
    expect(dup.status).toBe(201)
    expect((await create({ name: 'Dup', quoteCurrency: 'USDT', startingBalance: '1', watchlist: 'BTC/USDT' })).status).toBe(409)
  })

  it('PATCH renames and changes the watchlist; refuses a symbol in another currency; 404 for another user', async () => {
    const { body: created } = await create({ name: 'Swing', quoteCurrency: 'USDT', startingBalance: '500', watchlist: ['BTC/USDT'] })
    const patch = (body: unknown, token = alice.token) => call(trader.PATCH, 'PATCH', `/api/v1/traders/${created.id}`, { token, body, id: created.id })

    const ok = await patch({ name: 'Swing 2', watchlist: ['SOL/USDT', 'BTC/USDT'] })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ id: created.id, name: 'Swing 2', watchlist: ['SOL/USDT', 'BTC/USDT'] })

    const wrong = await patch({ watchlist: ['SOL/USDT', 'SOL/EUR'] })
    expect(wrong.status).toBe(400)
    expect(fieldsOf(wrong.body)).toEqual(['watchlist.1'])

    expect((await patch({ name: 'Stolen' }, bob.token)).status).toBe(404)
    const after = await call(trader.GET, 'GET', '/', { token: alice.token, id: created.id })
    expect(after.body.name).toBe('Swing 2')
  })
})
