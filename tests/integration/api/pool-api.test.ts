import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZPool } from '@/lib/server/openapi/pool-schemas'
import { createTrader } from '@/lib/server/traders/create-trader'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

// The group pool endpoints through the route handlers on a real PostgreSQL. Queue entries are
// written directly: queueing from signals needs the worker (tests/integration/groups/group-pool).

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let poolRoute: typeof import('@/app/api/v1/pool/route')
let settingsRoute: typeof import('@/app/api/v1/pool/settings/route')
let promoteRoute: typeof import('@/app/api/v1/pool/queue/[id]/promote/route')
let removeRoute: typeof import('@/app/api/v1/pool/queue/[id]/remove/route')
let n = 0

/** A WAITING entry of the user's trader, with its WAITING signal, as takePoolSlot writes them. */
async function waitingEntry(userId: string, traderId: string, symbol = 'BTC/USDT') {
  const signal = await t.db.signal.create({ data: { traderId, userId, payloadHash: `h${++n}`, body: '{}', symbol, action: 'buy', intent: 'entry', status: 'WAITING', httpStatus: 202 } })
  return t.db.poolQueueEntry.create({ data: { userId, traderId, symbol, timeframe: '60', side: 'LONG', signalId: signal.id, expiresAt: new Date(Date.now() + 3_600_000) } })
}

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice-pool@example.com')
  bob = await apiUser(t, 'bob-pool@example.com')
  poolRoute = await import('@/app/api/v1/pool/route')
  settingsRoute = await import('@/app/api/v1/pool/settings/route')
  promoteRoute = await import('@/app/api/v1/pool/queue/[id]/promote/route')
  removeRoute = await import('@/app/api/v1/pool/queue/[id]/remove/route')
}, 60_000)
afterAll(async () => {
  await t?.stop()
})

describe('GET /api/v1/pool and PATCH /api/v1/pool/settings', () => {
  it('shows the defaults and an empty queue; a change is kept; a bad one is refused by field and writes nothing; 401 without a token', async () => {
    const first = await call(poolRoute.GET, 'GET', '/api/v1/pool', { token: alice.token })
    expect(first.status).toBe(200)
    expect(ZPool.parse(first.body)).toEqual(first.body)
    expect(first.body).toEqual({ settings: { maxOpenGroups: 10, pyramidsTakeSlot: false, queueExpiryMinutes: 60 }, slots: { cap: 10, used: 0, free: 10 }, waiting: [], recent: [] })

    const changed = await call(settingsRoute.PATCH, 'PATCH', '/api/v1/pool/settings', { token: alice.token, body: { maxOpenGroups: 3, pyramidsTakeSlot: true } })
    expect(changed.status).toBe(200)
    expect([changed.body.settings, changed.body.slots]).toEqual([{ maxOpenGroups: 3, pyramidsTakeSlot: true, queueExpiryMinutes: 60 }, { cap: 3, used: 0, free: 3 }])

    const bad = await call(settingsRoute.PATCH, 'PATCH', '/api/v1/pool/settings', { token: alice.token, body: { maxOpenGroups: 1001, queueExpiryMinutes: 0 } })
    expect([bad.status, fieldsOf(bad.body)]).toEqual([400, ['pool.maxOpenGroups', 'pool.queueExpiryMinutes']])
    const unknown = await call(settingsRoute.PATCH, 'PATCH', '/api/v1/pool/settings', { token: alice.token, body: { slots: 4 } })
    expect([unknown.status, unknown.body.error.fields]).toEqual([400, [{ field: 'pool.slots', message: 'is not a known setting' }]])
    const malformed = await call(settingsRoute.PATCH, 'PATCH', '/api/v1/pool/settings', { token: alice.token, rawBody: '{"maxOpenGroups":' })
    expect(malformed.status).toBe(400)
    expect((await call(poolRoute.GET, 'GET', '/api/v1/pool', { token: alice.token })).body.settings).toEqual({ maxOpenGroups: 3, pyramidsTakeSlot: true, queueExpiryMinutes: 60 })
    // Bob's pool is his own.
    expect((await call(poolRoute.GET, 'GET', '/api/v1/pool', { token: bob.token })).body.settings.maxOpenGroups).toBe(10)

    expect((await call(poolRoute.GET, 'GET', '/api/v1/pool', { token: null })).status).toBe(401)
    expect((await call(settingsRoute.PATCH, 'PATCH', '/api/v1/pool/settings', { token: null, body: { maxOpenGroups: 1 } })).status).toBe(401)
  })
})

describe('POST /api/v1/pool/queue/{id}/promote and …/remove', () => {
  it('promotes a waiting entry into a free slot (its signal queued again); removes one (its signal rejected); 409 once it no longer waits; 404 for another user', async () => {
    const trader = await createTrader({ db: t.db, userId: alice.id, input: { name: 'Pool API', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT, ETH/USDT' } })
    const a = await waitingEntry(alice.id, trader.id, 'BTC/USDT')
    const b = await waitingEntry(alice.id, trader.id, 'ETH/USDT')

    const listed = await call(poolRoute.GET, 'GET', '/api/v1/pool', { token: alice.token })
    expect(ZPool.parse(listed.body)).toEqual(listed.body)
    expect(listed.body.waiting.map((w: { rank: number; symbol: string; traderName: string }) => [w.rank, w.symbol, w.traderName])).toEqual([[1, 'BTC/USDT', 'Pool API'], [2, 'ETH/USDT', 'Pool API']])

    expect((await call(promoteRoute.POST, 'POST', `/api/v1/pool/queue/${b.id}/promote`, { token: bob.token, id: b.id })).status).toBe(404)
    expect((await call(removeRoute.POST, 'POST', `/api/v1/pool/queue/${b.id}/remove`, { token: bob.token, id: b.id })).status).toBe(404)

    // ETH ahead of its rank: its signal goes back to the signal queue, noted as promoted.
    const promoted = await call(promoteRoute.POST, 'POST', `/api/v1/pool/queue/${b.id}/promote`, { token: alice.token, id: b.id })
    expect(promoted.status).toBe(200)
    expect(promoted.body.waiting.map((w: { symbol: string }) => w.symbol)).toEqual(['BTC/USDT'])
    // The promoted entry holds its slot until its signal has run.
    expect(promoted.body.slots).toEqual({ cap: 3, used: 1, free: 2 })
    expect(promoted.body.recent[0]).toMatchObject({ id: b.id, status: 'PROMOTED', endReason: 'by hand' })
    expect(await t.db.signal.findUniqueOrThrow({ where: { id: b.signalId } })).toMatchObject({ status: 'ACCEPTED', reason: null, result: { promotedFrom: b.id } })
    const again = await call(promoteRoute.POST, 'POST', `/api/v1/pool/queue/${b.id}/promote`, { token: alice.token, id: b.id })
    expect([again.status, again.body.error.message]).toEqual([409, 'the entry is no longer waiting (promoted: by hand)'])

    const removed = await call(removeRoute.POST, 'POST', `/api/v1/pool/queue/${a.id}/remove`, { token: alice.token, id: a.id })
    expect([removed.status, removed.body.waiting]).toEqual([200, []])
    expect(await t.db.signal.findUniqueOrThrow({ where: { id: a.signalId } })).toMatchObject({ status: 'REJECTED', reason: "removed from the group pool's queue: removed by hand" })
    expect((await call(removeRoute.POST, 'POST', `/api/v1/pool/queue/${a.id}/remove`, { token: alice.token, id: a.id })).status).toBe(409)

    // A full pool: promoting is refused with the numbers, and the entry keeps waiting.
    await call(settingsRoute.PATCH, 'PATCH', '/api/v1/pool/settings', { token: alice.token, body: { maxOpenGroups: 1 } })
    const c = await waitingEntry(alice.id, trader.id, 'BTC/USDT')
    const full = await call(promoteRoute.POST, 'POST', `/api/v1/pool/queue/${c.id}/promote`, { token: alice.token, id: c.id })
    expect([full.status, full.body.error.message]).toEqual([409, "the group pool is full (1 of 1 slots in use): the entry runs when a group closes, or raise the pool's size"])
    expect((await t.db.poolQueueEntry.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('WAITING')

    expect((await call(promoteRoute.POST, 'POST', '/api/v1/pool/queue/nope/promote', { token: alice.token, id: 'nope' })).status).toBe(404)
  })
})
