import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { ACCOUNT_REF, exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { readGroupSettings } from '@/lib/server/groups/group-settings'
import { placeGroupLegs } from '@/lib/server/groups/place-group-legs'
import { closeGroup } from '@/lib/server/groups/close-group'
import { syncGroup } from '@/lib/server/groups/sync-group'
import { planGroupEntry } from '@/lib/server/groups/plan-group-entry'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// Placing a group's legs when a placer stopped part way, or two run at once: each leg is sent once.
describe('placing position group legs', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  let account: AccountRef
  const actor = { kind: 'WORKER' as const, id: 'legs-test' }
  let n = 0

  const plan = async (side: 'LONG' | 'SHORT' = 'LONG') => {
    const signal = await t.db.signal.create({ data: { traderId, userId, payloadHash: `h${++n}`, body: '{}', status: 'DONE', httpStatus: 202 } })
    const settings = readGroupSettings({ enabled: true, legs: 3, pyramidCapitalQuote: '300', firstGapPct: '1', maxActiveLegs: 3 })
    const planned = await planGroupEntry({ db: t.db, traderId, userId, signalId: signal.id, symbol: 'BTC/USDT', side, timeframe: `tf${n}`, reference: dec('60000.01'), settings, exchange: exchangeForAccount(t.db, account) })
    if ('queued' in planned) throw new Error('queued in the group pool: the pool has room for every group here')
    return planned
  }
  const entryOrders = (groupId: string) => t.db.order.count({ where: { purpose: 'ENTRY', position: { groupId } } })
  const backdate = (legId: string, seconds: number) => t.db.$executeRaw`UPDATE "GroupLeg" SET status = 'PLACED', "updatedAt" = now() - make_interval(secs => ${seconds}) WHERE id = ${legId}`

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'legs@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Legs', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    account = await t.db.exchangeAccount.findUniqueOrThrow({ where: { id: trader.accountId }, select: ACCOUNT_REF })
    await seedMarket(t.db, { bid: '60000.00', ask: '60000.01' })
  })
  afterAll(() => t?.drop())

  test('a claim left by a placer that stopped before the entry was written is planned again after a minute and sent once; a younger one is left to its placer', async () => {
    const { groupId } = await plan()
    const base = await t.db.groupLeg.findFirstOrThrow({ where: { groupId, index: 0 } })
    // Claimed 5 s ago, no position: its placer may still be on its way.
    await backdate(base.id, 5)
    expect(await placeGroupLegs({ db: t.db, groupId, actor })).toEqual([])
    expect(await entryOrders(groupId)).toBe(0)
    // Claimed 61 s ago: abandoned.
    await backdate(base.id, 61)
    const placed = await placeGroupLegs({ db: t.db, groupId, actor })
    expect(placed.map((p) => [p.legId, p.status])).toEqual([[base.id, 'PLACED']])
    expect(await entryOrders(groupId)).toBe(1)
    // Once the base has filled the DCA legs go out; run twice more, nothing is sent again.
    await placeGroupLegs({ db: t.db, groupId, actor })
    await placeGroupLegs({ db: t.db, groupId, actor })
    expect(await entryOrders(groupId)).toBe(3)
  })

  test('two placers at once send each leg once (a group of another timeframe on the same side beside the first one); a group of the other side is refused', async () => {
    const { groupId } = await plan()
    await Promise.all([placeGroupLegs({ db: t.db, groupId, actor }), placeGroupLegs({ db: t.db, groupId, actor })])
    await Promise.all([placeGroupLegs({ db: t.db, groupId, actor }), placeGroupLegs({ db: t.db, groupId, actor })])
    expect(await entryOrders(groupId)).toBe(3)
    const legs = await t.db.groupLeg.findMany({ where: { groupId }, select: { status: true, position: { select: { id: true } } } })
    expect(legs.every((l) => l.status === 'PLACED' && l.position)).toBe(true)
    await expect(plan('SHORT')).rejects.toMatchObject({ code: 'CONFLICT', message: 'a LONG BTC/USDT group is open: close it before a SHORT entry' })
  })

  test('a closing group does not wait forever for a claim whose placer stopped: after a minute the leg is canceled and the group CLOSED', async () => {
    const { groupId } = await plan()
    const base = await t.db.groupLeg.findFirstOrThrow({ where: { groupId, index: 0 } })
    await backdate(base.id, 5)
    // Closed while the claim is young: its placer may still write the entry, so the group waits.
    expect(await closeGroup({ db: t.db, userId, groupId, actor, reason: 'closed by hand' })).toEqual({ status: 'CLOSING' })
    await syncGroup({ db: t.db, groupId, actor })
    expect((await t.db.positionGroup.findUniqueOrThrow({ where: { id: groupId } })).status).toBe('CLOSING')
    // A minute on, nobody will: the claim is canceled, and nothing was ever sent.
    await backdate(base.id, 61)
    await syncGroup({ db: t.db, groupId, actor })
    expect(await t.db.positionGroup.findUniqueOrThrow({ where: { id: groupId } })).toMatchObject({ status: 'CLOSED', closeReason: 'closed by hand' })
    expect(await t.db.groupLeg.findUniqueOrThrow({ where: { id: base.id } })).toMatchObject({ status: 'CANCELED', reason: 'its placement stopped part way, and the group closed' })
    expect(await entryOrders(groupId)).toBe(0)
  })
})
