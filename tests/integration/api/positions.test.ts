import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTrader } from '@/lib/server/traders/create-trader'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let traderId: string
let positions: typeof import('@/app/api/v1/positions/route')
let position: typeof import('@/app/api/v1/positions/[id]/route')
let close: typeof import('@/app/api/v1/positions/[id]/close/route')
let protection: typeof import('@/app/api/v1/positions/[id]/protection/route')
let cancelEntry: typeof import('@/app/api/v1/positions/[id]/cancel-entry/route')
let orders: typeof import('@/app/api/v1/orders/route')
let traderRoute: typeof import('@/app/api/v1/traders/[id]/route')

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  traderId = (
    await createTrader({ db: t.db, userId: alice.id, input: { name: 'Manual', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' } })
  ).id
  await useManualTraderSettings(t.db, traderId)
  positions = await import('@/app/api/v1/positions/route')
  position = await import('@/app/api/v1/positions/[id]/route')
  close = await import('@/app/api/v1/positions/[id]/close/route')
  protection = await import('@/app/api/v1/positions/[id]/protection/route')
  cancelEntry = await import('@/app/api/v1/positions/[id]/cancel-entry/route')
  orders = await import('@/app/api/v1/orders/route')
  traderRoute = await import('@/app/api/v1/traders/[id]/route')
})
afterAll(() => t?.stop())

const longBtc = { traderId: '', symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.1', entryType: 'MARKET', stopLoss: '59000', takeProfits: [{ price: '65000', sharePct: '50' }] }
const open = (body: unknown, token: string | null = alice.token) => call(positions.POST, 'POST', '/api/v1/positions', { token, body })

describe('/api/v1/positions', () => {
  it.each([
    ['no credentials', null],
    ['a revoked-looking token', 'tl_unknown'],
  ])('answers 401 with %s, and writes nothing', async (_label, token) => {
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    const res = await open({ ...longBtc, traderId }, token)
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
    expect(await t.db.position.count()).toBe(0)
  })

  it.each([
    ['a stop on the wrong side of the market', { stopLoss: '61000' }, 'stopLoss'],
    ['a limit entry without limitPrice', { entryType: 'LIMIT' }, 'limitPrice'],
    ['a size that is not a decimal', { size: '1e3' }, 'size'],
    ['a symbol not on the watchlist', { symbol: 'SOL/USDT' }, 'symbol'],
  ])('answers 400 naming the field for %s, and writes nothing', async (_label, change, field) => {
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    const res = await open({ ...longBtc, traderId, ...change })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toContain(field)
    expect(await t.db.position.count()).toBe(0)
  })

  it('names every required field left out as such, whatever its type', async () => {
    const res = await open({ traderId })
    expect(res.status).toBe(400)
    expect(res.body.error.fields).toEqual(['symbol', 'side', 'sizeMode', 'size', 'entryType', 'stopLoss'].map((field) => ({ field, message: 'is required' })))
  })

  it('answers 400 for malformed JSON and an unknown state filter, 404 for an unknown trader', async () => {
    const bad = await call(positions.POST, 'POST', '/api/v1/positions', { token: alice.token, rawBody: '{"traderId":' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toBe('request body is not valid JSON')
    const state = await call(positions.GET, 'GET', '/api/v1/positions?state=open', { token: alice.token })
    expect(state.status).toBe(400)
    expect(fieldsOf(state.body)).toEqual(['state'])
    expect((await open({ ...longBtc, traderId: 'no-such-trader' })).status).toBe(404)
    expect((await open({ ...longBtc, traderId }, bob.token)).status).toBe(404)
  })

  it('opens at the ask (201), modifies protection, closes 50% then all with exact realized PnL', async () => {
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    // A market LONG's stop is judged against the ask it buys at, and the message says so.
    const stopAboveAsk = await open({ ...longBtc, traderId, stopLoss: '60020' })
    expect(stopAboveAsk.status).toBe(400)
    expect(stopAboveAsk.body.error.fields).toEqual([{ field: 'stopLoss', message: 'stop loss 60020 must be below the ask 60010 for a LONG' }])
    // So is a LIMIT LONG's whose limit is above the ask: it buys at the ask, not at its limit.
    const limitPastAsk = await open({ ...longBtc, traderId, entryType: 'LIMIT', limitPrice: '60500', stopLoss: '60200' })
    expect(limitPastAsk.status).toBe(400)
    expect(limitPastAsk.body.error.fields).toEqual([{ field: 'stopLoss', message: 'stop loss 60200 must be below the ask the limit fills at 60010 for a LONG' }])
    const opened = await open({ ...longBtc, traderId })
    expect(opened.status).toBe(201)
    const id: string = opened.body.position.id
    expect(opened.headers.get('location')).toBe(`/api/v1/positions/${id}`)
    expect(opened.body.position).toMatchObject({ status: 'MONITORING', side: 'LONG', openQty: '0.1', avgEntryPrice: '60010', fees: '6.001', stopLoss: '59000' })
    expect(opened.body.fills).toMatchObject([{ side: 'BUY', qty: '0.1', price: '60010', fee: '6.001' }])
    expect(opened.body.orders).toMatchObject([{ purpose: 'ENTRY', type: 'MARKET', status: 'FILLED', createdBy: 'API' }])
    expect(opened.body.events[0]).toMatchObject({ type: 'CREATED', actor: 'API', actorId: alice.id })

    const got = await call(position.GET, 'GET', `/api/v1/positions/${id}`, { token: alice.token, id })
    expect(got.status).toBe(200)
    expect(got.body.position.id).toBe(id)
    expect(got.body.fills).toHaveLength(1)
    const active = await call(positions.GET, 'GET', `/api/v1/positions?state=active&traderId=${traderId}`, { token: alice.token })
    expect(active.body.positions.map((p: { id: string }) => p.id)).toEqual([id])
    expect((await call(positions.GET, 'GET', '/api/v1/positions?state=closed', { token: alice.token })).body.positions).toEqual([])

    const patch = (body: unknown) => call(protection.PATCH, 'PATCH', `/api/v1/positions/${id}/protection`, { token: alice.token, body, id })
    // An open LONG's stop is judged against the bid it would sell at, not its entry (60010).
    const wrongStop = await patch({ stopLoss: '60005' })
    expect(wrongStop.status).toBe(400)
    expect(wrongStop.body.error.fields).toEqual([{ field: 'stopLoss', message: 'stop loss 60005 must be below the current bid 60000 for a LONG' }])
    const moved = await patch({ stopLoss: '59500', takeProfits: [{ price: '64000', sharePct: '100' }] })
    expect(moved.status).toBe(200)
    expect(moved.body.position.stopLoss).toBe('59500')
    expect(moved.body.position.takeProfits.filter((tp: { status: string }) => tp.status === 'ACTIVE')).toMatchObject([{ price: '64000', sharePct: '100' }])
    expect(moved.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['SL_CHANGED', 'TP_CHANGED']))

    // A market entry has filled: nothing left to cancel.
    expect((await call(cancelEntry.POST, 'POST', '/', { token: alice.token, id })).status).toBe(409)

    await seedMarket(t.db, { bid: '61000', ask: '61010' })
    // A misspelt share is refused, not dropped: without it the close would sell everything.
    const typo = await call(close.POST, 'POST', `/api/v1/positions/${id}/close`, { token: alice.token, body: { share: '50' }, id })
    expect(typo.status).toBe(400)
    expect(typo.body.error.fields).toEqual([{ field: 'share', message: 'is not a known field' }])
    expect((await t.db.position.findUniqueOrThrow({ where: { id } })).openQty.toString()).toBe('0.1')
    const half = await call(close.POST, 'POST', `/api/v1/positions/${id}/close`, { token: alice.token, body: { sharePct: '50' }, id })
    expect(half.status).toBe(200)
    // Sell 0.05 @ 61000, fee 3.05; gross 990 * 0.05 = 49.5; net 49.5 - 6.001 - 3.05
    expect(half.body.position).toMatchObject({ status: 'MONITORING', openQty: '0.05', realizedPnl: '40.449' })

    const badShare = await call(close.POST, 'POST', '/', { token: alice.token, body: { sharePct: '150' }, id })
    expect(badShare.status).toBe(400)
    expect(fieldsOf(badShare.body)).toEqual(['sharePct'])

    // An empty body closes everything.
    const all = await call(close.POST, 'POST', `/api/v1/positions/${id}/close`, { token: alice.token, id })
    expect(all.status).toBe(200)
    // Second sell 0.05 @ 61000, fee 3.05, gross 49.5: 99 - 6.001 - 3.05 - 3.05
    expect(all.body.position).toMatchObject({ status: 'CLOSED', openQty: '0', realizedPnl: '86.899', avgExitPrice: '61000' })
    expect(all.body.fills.map((f: { side: string; price: string }) => `${f.side} ${f.price}`)).toEqual(['BUY 60010', 'SELL 61000', 'SELL 61000'])
    expect((await call(positions.GET, 'GET', '/api/v1/positions?state=closed', { token: alice.token })).body.positions.map((p: { id: string }) => p.id)).toEqual([id])
    const closedAgain = await call(close.POST, 'POST', '/', { token: alice.token, id })
    expect(closedAgain.status).toBe(409)

    const trader = await call(traderRoute.GET, 'GET', '/', { token: alice.token, id: traderId })
    // Everything bought was sold: the paper books keep a BTC row at 0, which is not a balance.
    expect(trader.body.balances).toEqual([{ asset: 'USDT', amount: '10086.899' }])
    const { accountId } = await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })
    expect((await t.db.accountBalance.findMany({ where: { accountId }, orderBy: { asset: 'asc' } })).map((b) => `${b.asset} ${b.amount.toString()}`)).toEqual(['BTC 0', 'USDT 10086.899'])
    expect(trader.body.equity).toBe('10086.90')

    const listed = await call(orders.GET, 'GET', `/api/v1/orders?positionId=${id}`, { token: alice.token })
    expect(listed.status).toBe(200)
    expect(listed.body.orders.map((o: { purpose: string; status: string }) => `${o.purpose} ${o.status}`)).toEqual(['MANUAL_EXIT FILLED', 'MANUAL_EXIT FILLED', 'ENTRY FILLED'])
    expect(listed.body.orders.every((o: { positionId: string; symbol: string }) => o.positionId === id && o.symbol === 'BTC/USDT')).toBe(true)
  })

  it('cancels a resting limit entry: the position ends FAILED', async () => {
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
    const opened = await open({ traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'BASE', size: '1', entryType: 'LIMIT', limitPrice: '2900', stopLoss: '2800' })
    expect(opened.status).toBe(201)
    const id = opened.body.position.id
    expect(opened.body.orders).toMatchObject([{ purpose: 'ENTRY', type: 'LIMIT', price: '2900', status: 'SUBMITTED' }])
    const res = await call(cancelEntry.POST, 'POST', `/api/v1/positions/${id}/cancel-entry`, { token: alice.token, id })
    expect(res.status).toBe(200)
    expect(res.body.position.status).toBe('FAILED')
    expect(res.body.orders[0].status).toBe('CANCELED')
  })

  it("answers 404 for another user's position on every route, and for an unknown id", async () => {
    const [p] = await t.db.position.findMany({ take: 1 })
    const id = p.id
    const as = { token: bob.token, id }
    expect((await call(position.GET, 'GET', '/', as)).status).toBe(404)
    expect((await call(close.POST, 'POST', '/', { ...as, body: {} })).status).toBe(404)
    expect((await call(protection.PATCH, 'PATCH', '/', { ...as, body: { stopLoss: '1' } })).status).toBe(404)
    expect((await call(cancelEntry.POST, 'POST', '/', as)).status).toBe(404)
    expect((await call(orders.GET, 'GET', `/api/v1/orders?positionId=${id}`, as)).status).toBe(404)
    expect((await call(orders.GET, 'GET', '/api/v1/orders', as)).body).toEqual({ orders: [] })
    expect((await call(positions.GET, 'GET', '/api/v1/positions?state=closed', as)).body).toEqual({ positions: [] })
    const unknown = await call(position.GET, 'GET', '/', { token: alice.token, id: 'does-not-exist' })
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({ error: { code: 'NOT_FOUND', message: 'position not found' } })
  })

  it('lists all of the caller\'s orders newest first, with a validated limit', async () => {
    const all = await call(orders.GET, 'GET', '/api/v1/orders', { token: alice.token })
    expect(all.status).toBe(200)
    expect(all.body.orders).toHaveLength(4) // BTC entry + two exits, ETH entry
    expect(all.body.orders[0].symbol).toBe('ETH/USDT')
    expect((await call(orders.GET, 'GET', '/api/v1/orders?limit=2', { token: alice.token })).body.orders).toHaveLength(2)
    const bad = await call(orders.GET, 'GET', '/api/v1/orders?limit=lots', { token: alice.token })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['limit'])
  })
})
