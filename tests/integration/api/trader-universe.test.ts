import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let traders: typeof import('@/app/api/v1/traders/route')
let trader: typeof import('@/app/api/v1/traders/[id]/route')

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  traders = await import('@/app/api/v1/traders/route')
  trader = await import('@/app/api/v1/traders/[id]/route')
})
afterAll(() => t?.stop())

let seq = 0
const create = (body: Record<string, unknown>) => call(traders.POST, 'POST', '/api/v1/traders', { token: alice.token, body: { name: `U${++seq}`, quoteCurrency: 'USDT', startingBalance: '1000', ...body } })

describe('a trader universe through /api/v1/traders', () => {
  it('creates a top-N trader without a watchlist: defaults filled in, nothing resolved yet', async () => {
    const res = await create({ universe: { kind: 'TOP', n: 50, exclude: 'doge/usdt, PEPE/USDT' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      watchlist: [],
      universe: { kind: 'TOP', n: 50, excludeStablecoins: true, excludeLeveraged: true, exclude: ['DOGE/USDT', 'PEPE/USDT'] },
      universeRefreshedAt: null,
      universeError: null,
    })
    const stored = await t.db.trader.findUniqueOrThrow({ where: { id: res.body.id } })
    expect(stored.universe).toEqual({ kind: 'TOP', n: 50, excludeStablecoins: true, excludeLeveraged: true, exclude: ['DOGE/USDT', 'PEPE/USDT'] })
  })

  it.each([
    ['no watchlist with a fixed universe', { universe: { kind: 'FIXED' } }, ['watchlist']],
    ['no watchlist and no universe', {}, ['watchlist']],
    ['n of 0', { universe: { kind: 'TOP', n: 0 } }, ['universe.n']],
    ['n of 501', { universe: { kind: 'TOP', n: 501 } }, ['universe.n']],
    ['n not an integer', { universe: { kind: 'TOP', n: 2.5 } }, ['universe.n']],
    ['n missing', { universe: { kind: 'TOP' } }, ['universe.n']],
    ['an unknown kind', { watchlist: ['BTC/USDT'], universe: { kind: 'RANDOM' } }, ['universe.kind']],
    ['an excluded symbol that is not a symbol', { universe: { kind: 'TOP', n: 10, exclude: ['BTC-USDT'] } }, ['universe.exclude.0']],
    ['an unknown field', { universe: { kind: 'TOP', n: 10, minVolume: '1000' } }, ['universe.minVolume']],
    ['an unknown top-level field (a misspelt watchlist)', { watchList: ['BTC/USDT'], universe: { kind: 'FIXED' } }, ['watchList', 'watchlist']],
    ['a flag that is not a boolean', { universe: { kind: 'TOP', n: 10, excludeStablecoins: 'maybe' } }, ['universe.excludeStablecoins']],
  ])('answers 400 naming the field for %s', async (_label, body, fields) => {
    const res = await create(body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toEqual(fields)
  })

  it('PATCH switches a fixed trader to top N (nothing resolved until the worker has), and back', async () => {
    const created = await create({ watchlist: ['BTC/USDT'] })
    const patch = (body: unknown) => call(trader.PATCH, 'PATCH', `/api/v1/traders/${created.body.id}`, { token: alice.token, body, id: created.body.id })
    // As if the worker had resolved an earlier universe: a new one must not show that result.
    await t.db.trader.update({ where: { id: created.body.id }, data: { universeRefreshedAt: new Date(), universeError: 'old' } })

    const top = await patch({ universe: { kind: 'TOP', n: 10, excludeLeveraged: false } })
    expect(top.status).toBe(200)
    expect(top.body).toMatchObject({ watchlist: ['BTC/USDT'], universe: { kind: 'TOP', n: 10, excludeStablecoins: true, excludeLeveraged: false, exclude: [] }, universeRefreshedAt: null, universeError: null })

    const bad = await patch({ universe: { kind: 'TOP', n: 'ten' } })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['universe.n'])

    const fixed = await patch({ universe: { kind: 'FIXED' }, watchlist: 'ETH/USDT' })
    expect(fixed.status).toBe(200)
    expect(fixed.body).toMatchObject({ watchlist: ['ETH/USDT'], universe: { kind: 'FIXED' } })
  })
})
