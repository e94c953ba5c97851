import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZRiskEngine } from '@/lib/server/openapi/risk-engine-schemas'
import { createTrader } from '@/lib/server/traders/create-trader'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

// The risk engine endpoints through the route handlers on a real PostgreSQL. Its decisions with
// real groups, prices and fills are in tests/integration/groups/risk-engine.test.ts.

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let engineRoute: typeof import('@/app/api/v1/risk-engine/route')
let settingsRoute: typeof import('@/app/api/v1/risk-engine/settings/route')
let runRoute: typeof import('@/app/api/v1/risk-engine/run/route')
let controlsRoute: typeof import('@/app/api/v1/groups/[id]/risk-engine/route')

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice-risk@example.com')
  bob = await apiUser(t, 'bob-risk@example.com')
  engineRoute = await import('@/app/api/v1/risk-engine/route')
  settingsRoute = await import('@/app/api/v1/risk-engine/settings/route')
  runRoute = await import('@/app/api/v1/risk-engine/run/route')
  controlsRoute = await import('@/app/api/v1/groups/[id]/risk-engine/route')
}, 60_000)
afterAll(async () => {
  await t?.stop()
})

describe('/api/v1/risk-engine', () => {
  it('shows the defaults; settings change by field and a bad one writes nothing; run now is refused while off and says when nothing qualifies', async () => {
    const first = await call(engineRoute.GET, 'GET', '/api/v1/risk-engine', { token: alice.token })
    expect(first.status).toBe(200)
    expect(ZRiskEngine.parse(first.body)).toEqual(first.body)
    expect(first.body).toEqual({ settings: { enabled: false, dryRun: true, lossThresholdPct: '5', minAgeMinutes: 60, requireAllPyramids: true, maxWinners: 3 }, groups: [], runs: [] })

    const off = await call(runRoute.POST, 'POST', '/api/v1/risk-engine/run', { token: alice.token })
    expect([off.status, off.body.error.message]).toEqual([409, 'the risk engine is off: turn it on (in dry run it only reports what it would do)'])

    const bad = await call(settingsRoute.PATCH, 'PATCH', '/api/v1/risk-engine/settings', { token: alice.token, body: { enabled: true, lossThresholdPct: '95', minAgeMinutes: -1 } })
    expect([bad.status, fieldsOf(bad.body)]).toEqual([400, ['riskEngine.lossThresholdPct', 'riskEngine.minAgeMinutes']])
    const unknown = await call(settingsRoute.PATCH, 'PATCH', '/api/v1/risk-engine/settings', { token: alice.token, body: { aggressive: true } })
    expect([unknown.status, unknown.body.error.fields]).toEqual([400, [{ field: 'riskEngine.aggressive', message: 'is not a known setting' }]])
    expect((await call(engineRoute.GET, 'GET', '/api/v1/risk-engine', { token: alice.token })).body.settings.enabled).toBe(false)

    const on = await call(settingsRoute.PATCH, 'PATCH', '/api/v1/risk-engine/settings', { token: alice.token, body: { enabled: true, lossThresholdPct: 7.5, maxWinners: 2 } })
    expect([on.status, on.body.settings]).toEqual([200, { enabled: true, dryRun: true, lossThresholdPct: '7.5', minAgeMinutes: 60, requireAllPyramids: true, maxWinners: 2 }])
    const nothing = await call(runRoute.POST, 'POST', '/api/v1/risk-engine/run', { token: alice.token })
    expect([nothing.status, nothing.body]).toEqual([200, { run: null, message: 'no group qualifies as the loser now: see why next to each group' }])
    // Bob's engine is his own.
    expect((await call(engineRoute.GET, 'GET', '/api/v1/risk-engine', { token: bob.token })).body.settings.enabled).toBe(false)
    expect((await call(engineRoute.GET, 'GET', '/api/v1/risk-engine', { token: null })).status).toBe(401)
    expect((await call(runRoute.POST, 'POST', '/api/v1/risk-engine/run', { token: null })).status).toBe(401)
  })

  it("a group's controls: block and skip once, by its owner only; bad input is refused by field", async () => {
    const trader = await createTrader({ db: t.db, userId: alice.id, input: { name: 'Risk API', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })
    const g = await t.db.positionGroup.create({
      data: { traderId: trader.id, userId: alice.id, accountId: trader.accountId, symbol: 'BTC/USDT', timeframe: '60', side: 'LONG', settings: {}, budgetQuote: '500', avgEntryPrice: '60000' },
    })
    const path = `/api/v1/groups/${g.id}/risk-engine`
    expect((await call(controlsRoute.PATCH, 'PATCH', path, { token: bob.token, id: g.id, body: { blocked: true } })).status).toBe(404)
    const blocked = await call(controlsRoute.PATCH, 'PATCH', path, { token: alice.token, id: g.id, body: { blocked: true, skipOnce: true } })
    expect(blocked.status).toBe(200)
    expect(ZRiskEngine.parse(blocked.body)).toEqual(blocked.body)
    expect(blocked.body.groups).toEqual([expect.objectContaining({ id: g.id, blocked: true, skipOnce: true, eligible: false, notEligible: 'blocked by a person' })])
    const bad = await call(controlsRoute.PATCH, 'PATCH', path, { token: alice.token, id: g.id, body: { blocked: 'perhaps', forever: true } })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body).sort()).toEqual(['blocked', 'forever'])
    const unblocked = await call(controlsRoute.PATCH, 'PATCH', path, { token: alice.token, id: g.id, body: { blocked: false } })
    expect(unblocked.body.groups[0]).toMatchObject({ blocked: false, skipOnce: true })
    expect(await t.db.positionGroup.findUniqueOrThrow({ where: { id: g.id }, select: { riskEngineBlocked: true, riskEngineSkipOnce: true } })).toEqual({ riskEngineBlocked: false, riskEngineSkipOnce: true })
  })
})
