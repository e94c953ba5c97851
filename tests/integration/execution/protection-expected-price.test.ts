import { describe, expect, test } from 'vitest'
import { requestExit } from '@/lib/server/positions/request-exit'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * The price each order of an exchange account was expected at: the entry at the ask, a stop
 * resting on the exchange at its trigger, its paired take-profit at its limit, and an exit
 * the worker decides on the quote's bid at that moment. Real ccxt against the local Binance
 * spot server, real PostgreSQL.
 */
describe('expected prices of resting stops, paired targets and worker exits', () => {
  const live = liveBinanceScenario()
  const db = () => live.t.db
  const expected = async (positionId: string) =>
    (await db().order.findMany({ where: { positionId }, orderBy: [{ createdAt: 'asc' }, { purpose: 'asc' }] })).map((o) => `${o.purpose} ${o.type} ${o.expectedPrice?.toString()}`)

  test('a stop and its paired target rest at their trigger and limit', async () => {
    const positionId = await live.openLong(undefined, [{ price: '61000', sharePct: '100' }])
    expect(await keepProtected({ db: db(), positionId, actor: live.worker })).toBe('placed')
    expect((await expected(positionId)).sort()).toEqual(['ENTRY MARKET 60000.01', 'STOP_LOSS STOP_MARKET 59000', 'TAKE_PROFIT LIMIT 61000'])
  })

  test('a stop alone rests at its trigger; an exit the worker decides expects the bid it saw', async () => {
    const { positionId } = await live.openProtected()
    await live.price('58990.00', '58990.01')
    expect(await requestExit({ db: db(), positionId, size: { kind: 'ALL' }, purpose: 'STOP_LOSS', actor: live.worker, reason: 'stop hit' })).not.toBeNull()
    expect(await expected(positionId)).toEqual(['ENTRY MARKET 60000.01', 'STOP_LOSS STOP_MARKET 59000', 'STOP_LOSS MARKET 58990'])
  })
})
