import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

// A client that repeats an open or a (partial) close after a timeout, with the same
// Idempotency-Key, gets the first attempt's outcome: never a second order.
let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let positions: typeof import('@/app/api/v1/positions/route')
let close: typeof import('@/app/api/v1/positions/[id]/close/route')
let n = 0

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  positions = await import('@/app/api/v1/positions/route')
  close = await import('@/app/api/v1/positions/[id]/close/route')
})
afterAll(() => t?.stop())

async function newTrader(startingBalance = '100000') {
  const trader = await createTrader({ db: t.db, userId: alice.id, input: { name: `K${++n}`, quoteCurrency: 'USDT', startingBalance, watchlist: 'BTC/USDT, ETH/USDT' } })
  await useManualTraderSettings(t.db, trader.id)
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60000.01' })
  await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000.01' })
  return trader
}
const entry = (traderId: string, change: Record<string, unknown> = {}) => ({ traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.1', entryType: 'MARKET', stopLoss: '59000', ...change })
const open = (body: unknown, key?: string, token = alice.token) => call(positions.POST, 'POST', '/api/v1/positions', { token, body, headers: key === undefined ? undefined : { 'Idempotency-Key': key } })
const closeBy = (id: string, body: unknown, key?: string) => call(close.POST, 'POST', `/api/v1/positions/${id}/close`, { token: alice.token, id, body, headers: key === undefined ? undefined : { 'Idempotency-Key': key } })
const usdt = async (accountId: string) => (await t.db.accountBalance.findUniqueOrThrow({ where: { accountId_asset: { accountId, asset: 'USDT' } } })).amount.toString()

describe('Idempotency-Key on POST /api/v1/positions', () => {
  it('a repeat answers with the position the first attempt opened, places nothing and moves no money', async () => {
    const trader = await newTrader()
    const first = await open(entry(trader.id), 'open-1')
    expect(first.status).toBe(201)
    expect(first.headers.get('Idempotent-Replayed')).toBeNull()
    const balance = await usdt(trader.accountId)
    // The market has moved below the stop since: a new entry would be refused, the repeat is not.
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '58000', ask: '58000.01' })
    const again = await open(entry(trader.id), 'open-1')
    expect(again.status).toBe(201)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(again.body.position.id).toBe(first.body.position.id)
    expect(again.headers.get('Location')).toBe(`/api/v1/positions/${first.body.position.id}`)
    expect(await t.db.order.count({ where: { traderId: trader.id } })).toBe(1)
    expect(await usdt(trader.accountId)).toBe(balance)
  })

  it('two at once with one key open one position, and both answer with it', async () => {
    const trader = await newTrader()
    const [a, b] = await Promise.all([open(entry(trader.id, { symbol: 'ETH/USDT', stopLoss: '2900' }), 'race'), open(entry(trader.id, { symbol: 'ETH/USDT', stopLoss: '2900' }), 'race')])
    expect([a.status, b.status]).toEqual([201, 201])
    expect(a.body.position.id).toBe(b.body.position.id)
    expect([a.headers.get('Idempotent-Replayed'), b.headers.get('Idempotent-Replayed')].sort()).toEqual(['true', null].sort())
    expect(await t.db.position.count({ where: { traderId: trader.id } })).toBe(1)
    expect(await t.db.order.count({ where: { traderId: trader.id } })).toBe(1)
  })

  it('a key is per trader: the same key on another trader is another entry', async () => {
    const [one, two] = [await newTrader(), await newTrader()]
    expect((await open(entry(one.id), 'shared')).status).toBe(201)
    const other = await open(entry(two.id), 'shared')
    expect(other.status).toBe(201)
    expect(other.headers.get('Idempotent-Replayed')).toBeNull()
    expect(await t.db.position.count({ where: { traderId: { in: [one.id, two.id] } } })).toBe(2)
  })

  it('a key reused for an entry of another symbol or side is a 400 naming the header, and writes nothing', async () => {
    const trader = await newTrader()
    expect((await open(entry(trader.id), 'reused')).status).toBe(201)
    const res = await open(entry(trader.id, { symbol: 'ETH/USDT', stopLoss: '2900' }), 'reused')
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['Idempotency-Key'])
    expect(res.body.error.fields[0].message).toMatch(/^was already used for another entry \(position \S+, LONG BTC\/USDT\)/)
    expect(await t.db.position.count({ where: { traderId: trader.id } })).toBe(1)
  })

  it('a key reused for the same symbol and side with another size or stop is a 400 naming the header, and writes nothing', async () => {
    const trader = await newTrader()
    const first = await open(entry(trader.id), 'same-symbol')
    expect(first.status).toBe(201)
    const balance = await usdt(trader.accountId)
    for (const change of [{ size: '0.2' }, { stopLoss: '58000' }, { takeProfits: [{ price: '62000', sharePct: '50' }] }]) {
      const res = await open(entry(trader.id, change), 'same-symbol')
      expect(res.status).toBe(400)
      expect(fieldsOf(res.body)).toEqual(['Idempotency-Key'])
      expect(res.body.error.fields[0].message).toMatch(/^was already used for a request with another body \(order tl-e-k\S+\)/)
    }
    expect(await t.db.order.count({ where: { traderId: trader.id } })).toBe(1)
    expect(await usdt(trader.accountId)).toBe(balance)
  })

  it('the same request written differently (decimal form, key order, symbol case) is a repeat', async () => {
    const trader = await newTrader()
    const first = await open(entry(trader.id), 'written-differently')
    const { traderId, ...rest } = entry(trader.id, { size: '0.10', symbol: 'btc/usdt', stopLoss: '59000.0' })
    const again = await open({ ...rest, traderId }, 'written-differently')
    expect(again.status).toBe(201)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(again.body.position.id).toBe(first.body.position.id)
  })

  it.each([
    ['a space in it', 'two words'],
    ['over 255 characters', 'k'.repeat(256)],
  ])('a malformed key (%s) is a 400 naming the header, and writes nothing', async (_label, key) => {
    const trader = await newTrader()
    const res = await open(entry(trader.id), key)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['Idempotency-Key'])
    expect(await t.db.position.count({ where: { traderId: trader.id } })).toBe(0)
  })

  it('a repeat of an entry the exchange refused gets the same refusal, and no second order', async () => {
    // 1,000 USDT cannot pay for 0.1 BTC at 60,000.
    const trader = await newTrader('1000')
    const first = await open(entry(trader.id), 'poor')
    expect(first.status).toBe(422)
    expect(first.body.error.code).toBe('EXCHANGE_REJECTED')
    const again = await open(entry(trader.id), 'poor')
    expect(again.status).toBe(422)
    expect(again.body.error.message).toBe(first.body.error.message)
    expect(await t.db.order.count({ where: { traderId: trader.id } })).toBe(1)
  })

  it("another user's key on a trader not theirs is a 404, as without a key", async () => {
    const trader = await newTrader()
    expect((await open(entry(trader.id), 'mine')).status).toBe(201)
    const res = await open(entry(trader.id), 'mine', bob.token)
    expect(res.status).toBe(404)
    expect(await t.db.position.count({ where: { traderId: trader.id } })).toBe(1)
  })
})

describe('Idempotency-Key on POST /api/v1/positions/:id/close', () => {
  it('a repeated partial close sells once; a new key sells again', async () => {
    const trader = await newTrader()
    const { body: { position: p } } = await open(entry(trader.id))
    const first = await closeBy(p.id, { sharePct: '25' }, 'close-1')
    expect(first.status).toBe(200)
    expect(first.body.position.openQty).toBe('0.075')
    const again = await closeBy(p.id, { sharePct: '25' }, 'close-1')
    expect(again.status).toBe(200)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(again.body.position.openQty).toBe('0.075')
    const next = await closeBy(p.id, { sharePct: '25' }, 'close-2')
    expect(next.headers.get('Idempotent-Replayed')).toBeNull()
    expect(next.body.position.openQty).toBe('0.05625')
    expect(await t.db.order.count({ where: { positionId: p.id, purpose: 'MANUAL_EXIT' } })).toBe(2)
  })

  it('a key reused with another share is a 400 naming the header, and sells nothing more', async () => {
    const trader = await newTrader()
    const { body: { position: p } } = await open(entry(trader.id))
    expect((await closeBy(p.id, { sharePct: '25' }, 'share')).status).toBe(200)
    const res = await closeBy(p.id, { sharePct: '50' }, 'share')
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['Idempotency-Key'])
    expect(res.body.error.fields[0].message).toMatch(/^was already used for a request with another body \(order tl-x-k\S+\)/)
    // The default share is 100 %: omitting it is not the 25 % close either.
    expect((await closeBy(p.id, {}, 'share')).status).toBe(400)
    expect((await t.db.position.findUniqueOrThrow({ where: { id: p.id } })).openQty.toString()).toBe('0.075')
    expect(await t.db.order.count({ where: { positionId: p.id, purpose: 'MANUAL_EXIT' } })).toBe(1)
  })

  it('two at once with one key send one exit', async () => {
    const trader = await newTrader()
    const { body: { position: p } } = await open(entry(trader.id))
    const [a, b] = await Promise.all([closeBy(p.id, { sharePct: '50' }, 'both'), closeBy(p.id, { sharePct: '50' }, 'both')])
    expect([a.status, b.status]).toEqual([200, 200])
    expect([a.headers.get('Idempotent-Replayed'), b.headers.get('Idempotent-Replayed')].sort()).toEqual(['true', null].sort())
    // (the repeat answers with the position as it is when it comes: perhaps before the exit filled)
    expect((await t.db.position.findUniqueOrThrow({ where: { id: p.id } })).openQty.toString()).toBe('0.05')
    expect(await t.db.order.count({ where: { positionId: p.id, purpose: 'MANUAL_EXIT' } })).toBe(1)
  })

  it('a repeated full close answers 200 with the closed position, not 409', async () => {
    const trader = await newTrader()
    const { body: { position: p } } = await open(entry(trader.id))
    expect((await closeBy(p.id, {}, 'all')).body.position.status).toBe('CLOSED')
    const again = await closeBy(p.id, {}, 'all')
    expect(again.status).toBe(200)
    expect(again.body.position.status).toBe('CLOSED')
    // Without the key, the same repeat is refused: the position is closed.
    expect((await closeBy(p.id, {})).status).toBe(409)
  })
})
