import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { exitGroupFifo } from '@/lib/server/groups/exit-group-fifo'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * One signal's partial exit of a position group carried out twice at the same moment: its
 * worker's session (and with it the signal's processing lock) dropped, and another worker
 * adopted the signal while the first was still selling. Both ask with the same client ids; the
 * exit must be sold once.
 */
describe('a partial group exit asked twice at once (real PostgreSQL, paper exchange)', () => {
  let t: TestDatabase

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t?.drop())

  test('sells the first leg once: the second attempt counts the first one\'s order instead of selling the next leg', async () => {
    const userId = (await t.db.user.create({ data: { email: 'race@example.com', passwordHash: 'x' } })).id
    const tr = await createTrader({ db: t.db, userId, input: { name: 'Groups', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, tr.id)
    await seedMarket(t.db, { bid: '60000', ask: '60000' })
    const group = await t.db.positionGroup.create({ data: { traderId: tr.id, userId, accountId: tr.accountId, symbol: 'BTC/USDT', side: 'LONG', settings: {}, budgetQuote: '2000', plannedNotional: '1800' } })
    const pyramid = await t.db.groupPyramid.create({ data: { groupId: group.id, index: 0, entryPrice: '60000', capitalQuote: '2000' } })
    const positions: string[] = []
    for (const index of [0, 1]) {
      const leg = await t.db.groupLeg.create({ data: { groupId: group.id, pyramidId: pyramid.id, index, deviationPct: '0', weightPct: '50', price: '60000', qty: '0.01', takeProfitPct: '1', status: 'PLACED' } })
      const { positionId } = await openPosition({
        db: t.db, userId, actor: { kind: 'USER', id: userId }, groupLeg: { legId: leg.id, groupId: group.id },
        input: { traderId: tr.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '50000' },
      })
      positions.push(positionId)
    }
    const reduce = { db: t.db, userId, groupId: group.id, qty: dec('0.01'), actor: { kind: 'WORKER' as const, id: 'race' }, reason: 'Signal s1 (exit)', clientOrderIdBase: 'tl-x-race' }
    const [a, b] = await Promise.all([exitGroupFifo(reduce), exitGroupFifo(reduce)])
    const sold = await t.db.order.findMany({ where: { positionId: { in: positions }, purpose: 'MANUAL_EXIT' }, select: { clientOrderId: true, status: true, positionId: true } })
    expect(sold).toEqual([{ clientOrderId: 'tl-x-race-1', status: 'FILLED', positionId: positions[0] }])
    const open = await t.db.position.findMany({ where: { id: { in: positions } }, orderBy: { createdAt: 'asc' }, select: { status: true, openQty: true } })
    expect(open.map((p) => [p.status, fromDb(p.openQty).toFixed()])).toEqual([['CLOSED', '0'], ['MONITORING', '0.01']])
    // Both attempts say the same thing: the first leg's exit, nothing unfilled.
    expect(a).toEqual(b)
    expect(a).toMatchObject({ exits: [{ positionId: positions[0], qty: '0.01' }], unfilled: dec(0), refused: [] })
  })
})
