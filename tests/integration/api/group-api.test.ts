import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildOpenApiDocument } from '@/lib/server/openapi/openapi-document'
import { ZGroup } from '@/lib/server/openapi/group-schemas'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { GROUP_SETTINGS_DEFAULTS } from '@/tests/support/group-settings-defaults'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

// The position-group endpoints (settings, list, one group, close) through the route handlers on a
// real PostgreSQL. Groups are written directly: building one from signals needs the worker, which
// tests/integration/groups covers.

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let settingsRoute: typeof import('@/app/api/v1/traders/[id]/group-settings/route')
let groupsRoute: typeof import('@/app/api/v1/traders/[id]/groups/route')
let groupRoute: typeof import('@/app/api/v1/groups/[id]/route')
let closeRoute: typeof import('@/app/api/v1/groups/[id]/close/route')


let traders = 0
async function newTrader(userId: string) {
  const trader = await createTrader({ db: t.db, userId, input: { name: `Groups ${++traders}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  await useManualTraderSettings(t.db, trader.id)
  return trader
}

/** A group as plan-group-entry writes one: one pyramid of two legs, nothing sent yet. */
async function newGroup(trader: { id: string; accountId: string }, userId: string, o: { status?: 'OPEN' | 'CLOSED'; timeframe?: string } = {}) {
  const closed = o.status === 'CLOSED'
  const group = await t.db.positionGroup.create({
    data: {
      traderId: trader.id, userId, accountId: trader.accountId, symbol: 'BTC/USDT', timeframe: o.timeframe ?? '60', side: 'LONG', status: o.status ?? 'OPEN',
      settings: { ...GROUP_SETTINGS_DEFAULTS, enabled: true, legs: 2 }, budgetQuote: '500', plannedNotional: '100',
      ...(closed ? { closedAt: new Date(), closeReason: 'Closed by hand' } : {}),
    },
  })
  const pyramid = await t.db.groupPyramid.create({ data: { groupId: group.id, index: 0, entryPrice: '60010', capitalQuote: '100' } })
  const status = closed ? 'CANCELED' : 'PLANNED'
  await t.db.groupLeg.createMany({
    data: [
      { groupId: group.id, pyramidId: pyramid.id, index: 0, deviationPct: '0', weightPct: '50', price: '60010', qty: '0.00083', takeProfitPct: '2', status },
      { groupId: group.id, pyramidId: pyramid.id, index: 1, deviationPct: '1', weightPct: '50', price: '59409.9', qty: '0.00084', takeProfitPct: '2', status },
    ],
  })
  return t.db.positionGroup.findUniqueOrThrow({ where: { id: group.id }, include: { pyramids: { include: { legs: true } } } })
}

/** The group's base leg sent as place-group-legs does: a market entry (filled at once on paper), linked to the leg. */
async function placeBaseLeg(trader: { id: string }, group: Awaited<ReturnType<typeof newGroup>>, takeProfits: { price: string; sharePct: string }[] = []) {
  // Fresh quotes: entries and exits refuse a market older than MARKET_STALE_AFTER_MS.
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  const { positionId } = await openPosition({
    db: t.db, userId: alice.id, actor: { kind: 'USER', id: alice.id },
    input: { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.00083', entryType: 'MARKET', stopLoss: '54000', takeProfits },
  })
  const leg = group.pyramids[0]!.legs.find((l) => l.index === 0)!
  await t.db.groupLeg.update({ where: { id: leg.id }, data: { status: 'PLACED' } })
  await t.db.position.update({ where: { id: positionId }, data: { groupId: group.id, groupLegId: leg.id } })
  return positionId
}

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  // The groups' views price what they hold from these quotes.
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  settingsRoute = await import('@/app/api/v1/traders/[id]/group-settings/route')
  groupsRoute = await import('@/app/api/v1/traders/[id]/groups/route')
  groupRoute = await import('@/app/api/v1/groups/[id]/route')
  closeRoute = await import('@/app/api/v1/groups/[id]/close/route')
}, 60_000)
afterAll(() => t?.stop())

const getSettings = (id: string, token = alice.token) => call(settingsRoute.GET, 'GET', `/api/v1/traders/${id}/group-settings`, { token, id })
const patchSettings = (id: string, body: unknown, token = alice.token) => call(settingsRoute.PATCH, 'PATCH', `/api/v1/traders/${id}/group-settings`, { token, id, body })
const listGroups = (id: string, query = '', token = alice.token) => call(groupsRoute.GET, 'GET', `/api/v1/traders/${id}/groups${query}`, { token, id })
const getGroup = (id: string, token = alice.token) => call(groupRoute.GET, 'GET', `/api/v1/groups/${id}`, { token, id })
const closeGroup = (id: string, token = alice.token) => call(closeRoute.POST, 'POST', `/api/v1/groups/${id}/close`, { token, id })
const storedSettings = async (id: string) => (await t.db.trader.findUniqueOrThrow({ where: { id }, select: { groupSettings: true } })).groupSettings

describe('GET/PATCH /api/v1/traders/{id}/group-settings', () => {
  it('shows the defaults for a trader that never set any', async () => {
    const trader = await newTrader(alice.id)
    const res = await getSettings(trader.id)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ traderId: trader.id, settings: GROUP_SETTINGS_DEFAULTS })
  })

  it('PATCH of some fields keeps the others, persists them and records the change', async () => {
    const trader = await newTrader(alice.id)
    const change = { enabled: true, legs: 3, pyramidCapitalQuote: '250.5', takeProfitMode: 'HYBRID', stopBasis: 'AVERAGE', groupBudgetQuote: 1000 }
    const res = await patchSettings(trader.id, change)
    expect(res.status).toBe(200)
    const expected = { ...GROUP_SETTINGS_DEFAULTS, ...change, groupBudgetQuote: '1000' }
    expect(res.body).toEqual({ traderId: trader.id, settings: expected })
    expect((await getSettings(trader.id)).body.settings).toEqual(expected)
    const activity = await t.db.activityEvent.findMany({ where: { traderId: trader.id, type: 'TRADER_SETTINGS_CHANGED' } })
    expect(activity.map((a) => a.message)).toEqual([`${trader.name}: position groups on: 3 legs, 250.5 per pyramid, up to 5 pyramids, hybrid take-profit`])
  })

  it('takes deviationsPct as "1,2,3.5" from a form and stores a list', async () => {
    const trader = await newTrader(alice.id)
    const res = await patchSettings(trader.id, { legs: 4, deviationsPct: '1,2,3.5' })
    expect(res.status).toBe(200)
    expect(res.body.settings).toMatchObject({ legs: 4, deviationsPct: ['1', '2', '3.5'] })
    expect(await storedSettings(trader.id)).toMatchObject({ legs: 4, deviationsPct: ['1', '2', '3.5'] })
    expect((await getSettings(trader.id)).body.settings.deviationsPct).toEqual(['1', '2', '3.5'])
    // A form that empties the field turns the list off again (the gaps apply).
    const cleared = await patchSettings(trader.id, { legs: 5, deviationsPct: '' })
    expect(cleared.status).toBe(200)
    expect(cleared.body.settings).toMatchObject({ legs: 5, deviationsPct: null })
  })

  it.each([
    ['an unknown field', { bogus: 1 }, ['groups.bogus']],
    ['CUSTOM sizing without weights', { sizing: 'CUSTOM' }, ['groups.weightsPct']],
    ['legs that are not a number', { legs: 'abc' }, ['groups.legs']],
    ['a step scale out of range', { stepScale: '6' }, ['groups.stepScale']],
    ['deviations that do not match the legs', { legs: 4, deviationsPct: [1, 2] }, ['groups.deviationsPct']],
    ['a budget below one pyramid', { pyramidCapitalQuote: '200', groupBudgetQuote: '150' }, ['groups.groupBudgetQuote']],
    ['a trailing take-profit outside AGGREGATE mode', { takeProfitMode: 'PER_LEG', trailingDeviationPct: '0.5' }, ['groups.trailingDeviationPct']],
  ])('refuses %s with a 400 naming the field, and writes nothing', async (_label, patch, fields) => {
    const trader = await newTrader(alice.id)
    const before = await patchSettings(trader.id, { enabled: true, maxPyramids: 2 })
    expect(before.status).toBe(200)
    const stored = await storedSettings(trader.id)
    const res = await patchSettings(trader.id, patch)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toEqual(fields)
    expect(await storedSettings(trader.id)).toEqual(stored)
    expect((await getSettings(trader.id)).body).toEqual(before.body)
  })

  it('another user\'s trader is not found, and nothing of it changes', async () => {
    const trader = await newTrader(alice.id)
    const stored = await storedSettings(trader.id)
    for (const res of [await getSettings(trader.id, bob.token), await patchSettings(trader.id, { enabled: true }, bob.token), await listGroups(trader.id, '', bob.token)]) {
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('NOT_FOUND')
    }
    expect(await storedSettings(trader.id)).toEqual(stored)
  })
})

describe('GET /api/v1/traders/{id}/groups and GET /api/v1/groups/{id}', () => {
  it('lists active or closed groups newest first, in the documented shape', async () => {
    const trader = await newTrader(alice.id)
    const closed = await newGroup(trader, alice.id, { status: 'CLOSED' })
    const older = await newGroup(trader, alice.id, { timeframe: '15' })
    const newer = await newGroup(trader, alice.id)
    const active = await listGroups(trader.id)
    expect(active.status).toBe(200)
    expect(active.body.groups.map((g: { id: string }) => g.id)).toEqual([newer.id, older.id])
    expect((await listGroups(trader.id, '?state=active&limit=1')).body.groups.map((g: { id: string }) => g.id)).toEqual([newer.id])
    expect((await listGroups(trader.id, '?state=closed')).body.groups.map((g: { id: string }) => g.id)).toEqual([closed.id])
    // Another trader's groups are not in the list.
    expect((await listGroups((await newTrader(alice.id)).id)).body.groups).toEqual([])

    const one = await getGroup(newer.id)
    expect(one.status).toBe(200)
    expect(one.body).toEqual(active.body.groups[0])
    // Exactly the documented shape: nothing missing, nothing more.
    expect(ZGroup.parse(one.body)).toEqual(one.body)
    expect(one.body).toMatchObject({
      traderId: trader.id, symbol: 'BTC/USDT', timeframe: '60', side: 'LONG', status: 'OPEN', avgEntryPrice: null, entryQty: '0', openQty: '0', unrealizedPnl: '0',
      takeProfitMode: 'AGGREGATE', budgetQuote: '500', plannedNotional: '100', legsFilled: 0, legsPlanned: 2, closedAt: null,
    })
    expect(one.body.pyramids).toHaveLength(1)
    expect(one.body.pyramids[0].legs.map((l: { index: number; status: string; price: string; position: unknown }) => [l.index, l.status, l.price, l.position])).toEqual([
      [0, 'PLANNED', '60010', null],
      [1, 'PLANNED', '59409.9', null],
    ])
  })

  it('shows a placed leg\'s position, in the documented shape', async () => {
    const trader = await newTrader(alice.id)
    const group = await newGroup(trader, alice.id)
    const positionId = await placeBaseLeg(trader, group, [{ price: '61000', sharePct: '100' }])
    const res = await getGroup(group.id)
    expect(res.status).toBe(200)
    expect(ZGroup.parse(res.body)).toEqual(res.body)
    expect(res.body).toMatchObject({ openQty: '0.00083', legsFilled: 1, legsPlanned: 2 })
    expect(res.body.unrealizedPnl).toMatch(/^-\d/)
    expect(res.body.pyramids[0].legs[0].position).toEqual({
      id: positionId, status: 'MONITORING', openQty: '0.00083', entryQty: '0.00083', avgEntryPrice: '60010', realizedPnl: expect.stringMatching(/^-?\d/), stopLoss: '54000', target: '61000',
    })
  })

  it.each([
    ['?state=bogus', ['state']],
    ['?limit=0', ['limit']],
    ['?limit=201', ['limit']],
    ['?limit=abc', ['limit']],
  ])('refuses %s with a 400 naming the parameter', async (query, fields) => {
    const trader = await newTrader(alice.id)
    const res = await listGroups(trader.id, query)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(fields)
  })
})

describe('POST /api/v1/groups/{id}/close', () => {
  it('closes an open group: its waiting legs are canceled, and a group holding nothing is CLOSED', async () => {
    const trader = await newTrader(alice.id)
    const group = await newGroup(trader, alice.id)
    const res = await closeGroup(group.id)
    expect(res.status).toBe(200)
    expect(ZGroup.parse(res.body)).toEqual(res.body)
    expect(res.body).toMatchObject({ id: group.id, status: 'CLOSED', closeReason: 'Closed by hand', closedAt: expect.any(String) })
    expect(res.body.pyramids[0].legs.map((l: { status: string }) => l.status)).toEqual(['CANCELED', 'CANCELED'])
  })

  it('sells what a group holds at market', async () => {
    const trader = await newTrader(alice.id)
    const group = await newGroup(trader, alice.id)
    const positionId = await placeBaseLeg(trader, group)
    const res = await closeGroup(group.id)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'CLOSED', openQty: '0' })
    expect(res.body.pyramids[0].legs.map((l: { status: string }) => l.status)).toEqual(['PLACED', 'CANCELED'])
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
  })

  it('refuses a group that is already closed with 409, and changes nothing', async () => {
    const trader = await newTrader(alice.id)
    const group = await newGroup(trader, alice.id, { status: 'CLOSED' })
    const before = await t.db.positionGroup.findUniqueOrThrow({ where: { id: group.id } })
    const res = await closeGroup(group.id)
    expect(res.status).toBe(409)
    expect(res.body.error).toEqual({ code: 'CONFLICT', message: 'the group is already closed' })
    expect(await t.db.positionGroup.findUniqueOrThrow({ where: { id: group.id } })).toEqual(before)
  })

  it('another user\'s group is not found, to read or to close, and stays open', async () => {
    const trader = await newTrader(alice.id)
    const group = await newGroup(trader, alice.id)
    for (const res of [await getGroup(group.id, bob.token), await closeGroup(group.id, bob.token), await getGroup('cnosuchgroup0000000000000'), await closeGroup('cnosuchgroup0000000000000')]) {
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('NOT_FOUND')
    }
    const after = await t.db.positionGroup.findUniqueOrThrow({ where: { id: group.id }, include: { legs: true } })
    expect(after.status).toBe('OPEN')
    expect(after.legs.map((l) => l.status)).toEqual(['PLANNED', 'PLANNED'])
  })
})

describe('methods and documentation', () => {
  it.each([
    ['/api/v1/traders/{id}/group-settings', () => settingsRoute, ['GET', 'PATCH'], ['POST', 'PUT', 'DELETE']],
    ['/api/v1/traders/{id}/groups', () => groupsRoute, ['GET'], ['POST', 'PUT', 'PATCH', 'DELETE']],
    ['/api/v1/groups/{id}', () => groupRoute, ['GET'], ['POST', 'PUT', 'PATCH', 'DELETE']],
    ['/api/v1/groups/{id}/close', () => closeRoute, ['POST'], ['GET', 'PUT', 'PATCH', 'DELETE']],
  ] as const)('%s answers other methods with a JSON 405 naming the allowed ones', async (apiPath, route, allowed, others) => {
    const mod = route() as unknown as Record<string, Parameters<typeof call>[0]>
    for (const method of others) {
      const res = await call(mod[method]!, method, apiPath.replace('{id}', 'x'), { token: alice.token, id: 'x' })
      expect(res.status, method).toBe(405)
      expect(res.body.error).toEqual({ code: 'METHOD_NOT_ALLOWED', message: `${method} is not supported here; use ${allowed.join(' or ')}` })
      expect(res.headers.get('allow')).toContain(allowed[0])
    }
    // And the document lists exactly the supported ones.
    const doc = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, unknown>> }
    expect(Object.keys(doc.paths[apiPath]!).filter((k) => k !== 'parameters').map((m) => m.toUpperCase()).sort()).toEqual([...allowed].sort())
  })

  it('documents the settings with every field the API returns, and what each does', async () => {
    const doc = buildOpenApiDocument() as unknown as { components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> } }
    const s = doc.components.schemas
    const trader = await newTrader(alice.id)
    const res = await getSettings(trader.id)
    const settings = (s.GroupSettings!.properties.settings as unknown as { properties: Record<string, { description?: string }> }).properties
    expect(Object.keys(settings)).toEqual(Object.keys(res.body.settings))
    expect(Object.keys(s.UpdateGroupSettingsRequest!.properties)).toEqual(Object.keys(res.body.settings))
    for (const [k, v] of Object.entries(settings)) expect(v.description, k).toBeTruthy()
    expect(settings.maxActiveLegs!.description).toContain('DCA legs resting at once across the group')
  })
})
