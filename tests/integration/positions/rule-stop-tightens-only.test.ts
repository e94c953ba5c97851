import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { Quote } from '@/lib/market-data/quote'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { StopManager } from '@/workers/management/stop-manager'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

describe('the trailing stop only ever tightens the stop stored now (real PostgreSQL, paper exchange)', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.drop())

  test("a person's tighter stop, set while the rule engine held an older copy, is not loosened by the next trail", async () => {
    const userId = (await t.db.user.create({ data: { email: 'trail@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Trail', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    await t.db.trader.update({ where: { id: trader.id }, data: { management: { breakevenAtPct: null, trailingPct: '2' } } })
    await seedMarket(t.db, { bid: '60000', ask: '60000.01' })
    const user = { kind: 'USER' as const, id: userId }
    const input = { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '50000' }
    const { positionId } = await openPosition({ db: t.db, userId, actor: user, input })

    const log: string[] = []
    const stops = new StopManager(t.db, { kind: 'WORKER', id: 'trail-test' }, (m) => log.push(m), (async () => []) as never)
    await stops.loadAll()
    const stopNow = async () => (await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).stopLoss!.toString()
    const tick = async (bid: string) => {
      await seedMarket(t.db, { bid, ask: dec(bid).plus('0.01').toFixed() })
      const q: Quote = { symbol: 'BTC/USDT', bid: dec(bid), ask: dec(bid).plus('0.01'), last: dec(bid), exchangeTs: Date.now(), receivedAt: Date.now() }
      return stops.onQuote(q)
    }

    expect(await tick('61000')).toBe(1)
    expect(await stopNow()).toBe('59780') // 2% behind 61000

    // The person tightens the stop; the worker has not heard of it yet (no reload).
    await modifyProtection({ db: t.db, userId, actor: user, positionId, input: { stopLoss: '60500' } })
    expect(await tick('61500')).toBe(0) // 2% behind is 60270: tighter than its copy (59780), looser than the stop (60500)
    expect(await stopNow()).toBe('60500')

    // Having taken up the stored stop, it trails from there.
    expect(await tick('62000')).toBe(1)
    expect(await stopNow()).toBe('60760')
    expect(log).toEqual([])
    const moves = await t.db.positionEvent.findMany({ where: { positionId, type: 'SL_CHANGED' }, orderBy: { createdAt: 'asc' } })
    expect(moves.map((e) => [e.trigger, (e.after as { stopLoss: string }).stopLoss])).toEqual([
      ['RULE_ENGINE', '59780'],
      ['USER_MANUAL', '60500'],
      ['RULE_ENGINE', '60760'],
    ])
  })
})
