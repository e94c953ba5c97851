import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { closePosition } from '@/lib/server/positions/close-position'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { createTrader } from '@/lib/server/traders/create-trader'
import { AppError } from '@/lib/server/errors/app-error'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'

const actor = { kind: 'USER' as const, id: 'u' }

describe('manual paper trading through the services', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  let accountId: string

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'trader@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({
      db: t.db,
      userId,
      input: { name: 'Manual', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' },
    })
    traderId = trader.id
    accountId = trader.accountId
    await useManualTraderSettings(t.db, traderId)
  })
  afterAll(() => t.drop())

  const balances = async () =>
    Object.fromEntries((await t.db.accountBalance.findMany({ where: { accountId } })).map((b) => [b.asset, b.amount.toString()]))

  test('LONG: open at the ask, partial close, full close; PnL and balances follow the fills exactly', async () => {
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor,
      input: {
        traderId,
        symbol: 'BTC/USDT',
        side: 'LONG',
        sizeMode: 'BASE',
        size: '0.1',
        entryType: 'MARKET',
        stopLoss: '59000',
        takeProfits: [{ price: '62000', sharePct: '50' }],
      },
    })
    let d = await getPositionDetail(t.db, userId, positionId)
    // Buy 0.1 @ 60010 (book level): cost 6001, fee 0.1% = 6.001
    expect(d.position.status).toBe('MONITORING')
    expect(d.position.openQty).toBe('0.1')
    expect(d.position.avgEntryPrice).toBe('60010')
    expect(d.position.fees).toBe('6.001')
    expect(d.fills).toHaveLength(1)
    expect(await balances()).toEqual({ USDT: '3992.999', BTC: '0.1' }) // 10000 - 6001 - 6.001

    await seedMarket(t.db, { bid: '61000', ask: '61010' })
    await closePosition({ db: t.db, userId, actor, positionId, input: { sharePct: '40' } })
    d = await getPositionDetail(t.db, userId, positionId)
    // Sell 0.04 @ 61000 = 2440, fee 2.44; gross (61000-60010)*0.04 = 39.6; net 39.6 - 6.001 - 2.44 = 31.159
    expect(d.position.status).toBe('MONITORING')
    expect(d.position.openQty).toBe('0.06')
    expect(d.position.realizedPnl).toBe('31.159')

    await closePosition({ db: t.db, userId, actor, positionId, input: {} })
    d = await getPositionDetail(t.db, userId, positionId)
    // Sell 0.06 @ 61000 = 3660, fee 3.66; gross 59.4; total net 39.6 + 59.4 - 6.001 - 2.44 - 3.66 = 86.899
    expect(d.position.status).toBe('CLOSED')
    expect(d.position.realizedPnl).toBe('86.899')
    expect(d.position.takeProfits.every((tp) => tp.status === 'CANCELED')).toBe(true)
    // The closed position's net PnL is exactly the change in cash.
    expect(await balances()).toEqual({ USDT: '10086.899', BTC: '0' })
    const types = d.events.map((e) => e.type)
    expect(types).toContain('CREATED')
    expect(types.filter((x) => x === 'FILL')).toHaveLength(3)
    expect(d.events.filter((e) => e.type === 'STATUS_CHANGED').map((e) => e.toStatus)).toEqual([
      'SUBMITTING',
      'OPEN',
      'MONITORING',
      'CLOSING',
      'MONITORING',
      'CLOSING',
      'CLOSED',
    ])
  })

  test('SHORT opens at the bid; a stop on the wrong side is refused naming the field, with nothing written', async () => {
    await seedMarket(t.db, { bid: '61000', ask: '61010' })
    const before = await t.db.position.count()
    const err = await openPosition({
      db: t.db,
      userId,
      actor,
      input: { traderId, symbol: 'BTC/USDT', side: 'SHORT', sizeMode: 'QUOTE', size: '1000', entryType: 'MARKET', stopLoss: '60000' },
    }).catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err.status).toBe(400)
    expect(err.fieldErrors[0].field).toBe('stopLoss')
    expect(await t.db.position.count()).toBe(before)

    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor,
      input: { traderId, symbol: 'BTC/USDT', side: 'SHORT', sizeMode: 'QUOTE', size: '1000', entryType: 'MARKET', stopLoss: '62000' },
    })
    const d = await getPositionDetail(t.db, userId, positionId)
    // 1000 / 61000 = 0.016393.. truncated to step 0.00001 → 0.01639, sold at the bid
    expect(d.position.openQty).toBe('0.01639')
    expect(d.position.avgEntryPrice).toBe('61000')

    await expect(modifyProtection({ db: t.db, userId, actor, positionId, input: { stopLoss: '60500' } })).rejects.toMatchObject({ status: 400 })
    await modifyProtection({ db: t.db, userId, actor, positionId, input: { stopLoss: '61500', takeProfits: [{ price: '59000', sharePct: '100' }] } })
    const after = await getPositionDetail(t.db, userId, positionId)
    expect(after.position.stopLoss).toBe('61500')
    const sl = after.events.find((e) => e.type === 'SL_CHANGED')!
    expect(sl.before).toEqual({ stopLoss: '62000' })
    expect(sl.after).toEqual({ stopLoss: '61500' })
  })

  test('stale prices: nothing opens, the error says why', async () => {
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001', receivedAt: Date.now() - 60_000 })
    const err = await openPosition({
      db: t.db,
      userId,
      actor,
      input: { traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: '2900' },
    }).catch((e) => e)
    expect(err.status).toBe(503)
    expect(err.message).toMatch(/stale/)
  })

  test('insufficient balance is rejected by the paper exchange with a clear reason', async () => {
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
    const open = openPosition({
      db: t.db,
      userId,
      actor,
      input: { traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '50000', entryType: 'MARKET', stopLoss: '2900' },
    })
    // The caller hears of the refusal (not of a position opened); the position it names has FAILED.
    const err = await open.then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    )
    expect(err).toMatchObject({ code: 'EXCHANGE_REJECTED', message: expect.stringMatching(/^the exchange refused: insufficient balance: .* \(position \w+, entry tl-e-[\w-]+\)$/) })
    const positionId = /\(position (\w+),/.exec(err!.message)![1]!
    const d = await getPositionDetail(t.db, userId, positionId)
    expect(d.position.status).toBe('FAILED')
    expect(d.position.statusReason).toMatch(/insufficient balance/)
    expect(d.orders[0].status).toBe('REJECTED')
  })
})
