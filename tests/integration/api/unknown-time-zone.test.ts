import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTrader } from '@/lib/server/traders/create-trader'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

/**
 * A stored time zone this runtime does not know (time-zone data changed in an upgrade; zones are
 * validated when set, so only that leads here). Everything that counts in it answers a 409 that
 * says to set it again, writes nothing, and works again once it is set.
 */

const LOST = 'Atlantis/Lost_City'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let traderId: string
let positions: typeof import('@/app/api/v1/positions/route')
let performance: typeof import('@/app/api/v1/performance/route')
let riskSettings: typeof import('@/app/api/v1/risk-settings/route')
let pause: typeof import('@/app/api/v1/traders/[id]/pause/route')
let resume: typeof import('@/app/api/v1/traders/[id]/resume/route')

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  traderId = (await createTrader({ db: t.db, userId: alice.id, input: { name: 'Manual', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })).id
  // Default limits: the daily ones count in the user's zone (with every limit off, no entry reads it).
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  // Written behind the API's back, as a stored zone that an upgrade made unknown would be.
  await t.db.user.update({ where: { id: alice.id }, data: { timeZone: LOST } })
  positions = await import('@/app/api/v1/positions/route')
  performance = await import('@/app/api/v1/performance/route')
  riskSettings = await import('@/app/api/v1/risk-settings/route')
  pause = await import('@/app/api/v1/traders/[id]/pause/route')
  resume = await import('@/app/api/v1/traders/[id]/resume/route')
})
afterAll(() => t?.stop())

const longBtc = () => ({ traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' })
const open = () => call(positions.POST, 'POST', '/api/v1/positions', { token: alice.token, body: longBtc() })

function expectLostZone(res: { status: number; body: { error: { code: string; message: string } } }) {
  expect(res.status).toBe(409)
  expect(res.body.error.code).toBe('CONFLICT')
  expect(res.body.error.message).toBe(
    `the time zone "${LOST}" is not one this server knows (its time-zone data may have changed since the zone was chosen): set the time zone again in Settings, under User-wide risk`,
  )
}

describe('a stored time zone the runtime does not know', () => {
  it('refuses an entry with a 409 that says to set it again, and writes nothing', async () => {
    expectLostZone(await open())
    expect(await t.db.position.count()).toBe(0)
    expect(await t.db.order.count()).toBe(0)
    const balance = await t.db.accountBalance.findFirstOrThrow({ where: { account: { traders: { some: { id: traderId } } }, asset: 'USDT' } })
    expect(balance.amount.toString()).toBe('10000')
  })

  it('refuses the performance report and resuming a trader with the same 409', async () => {
    expectLostZone(await call(performance.GET, 'GET', '/api/v1/performance', { token: alice.token }))
    expect((await call(pause.POST, 'POST', `/api/v1/traders/${traderId}/pause`, { token: alice.token, id: traderId })).status).toBe(200)
    expectLostZone(await call(resume.POST, 'POST', `/api/v1/traders/${traderId}/resume`, { token: alice.token, id: traderId }))
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: traderId } })).status).toBe('PAUSED')
  })

  it('still shows the settings, refuses saving the lost zone again, and works again once a known one is set', async () => {
    const shown = await call(riskSettings.GET, 'GET', '/api/v1/risk-settings', { token: alice.token })
    expect(shown.status).toBe(200)
    expect(shown.body.timeZone).toBe(LOST)

    const same = await call(riskSettings.PATCH, 'PATCH', '/api/v1/risk-settings', { token: alice.token, body: { timeZone: LOST } })
    expect(same.status).toBe(400)
    expect(fieldsOf(same.body)).toEqual(['timeZone'])

    const fixed = await call(riskSettings.PATCH, 'PATCH', '/api/v1/risk-settings', { token: alice.token, body: { timeZone: 'Europe/Berlin' } })
    expect(fixed.status).toBe(200)
    expect(fixed.body.timeZone).toBe('Europe/Berlin')
    expect((await call(resume.POST, 'POST', `/api/v1/traders/${traderId}/resume`, { token: alice.token, id: traderId })).status).toBe(200)
    const opened = await open()
    expect(opened.status).toBe(201)
    expect(opened.body.position.status).toBe('MONITORING')
    expect((await call(performance.GET, 'GET', '/api/v1/performance', { token: alice.token })).status).toBe(200)
  })
})
