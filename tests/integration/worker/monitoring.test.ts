import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { dec } from '@/lib/domain/decimal'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'

describe('worker: live prices from a Binance-compatible server drive SL/TP exits, across a restart', () => {
  let t: TestDatabase
  let fake: FakeBinance
  let worker: Worker | null = null
  let userId: string
  let traderId: string
  let accountId: string
  const log: string[] = []

  const start = async () => {
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500' })
    worker = await startWorker({ db: t.db, cfg, databaseUrl: t.url, log: (m) => log.push(m) })
  }

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinance()
    userId = (await t.db.user.create({ data: { email: 'w@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'W', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    accountId = trader.accountId
    await start()
  })
  afterAll(async () => {
    await worker?.stop()
    await fake.close()
    await t.drop()
  })

  test('take-profit exits its share; after a restart the stop loss closes the rest; cash equals the fills', async () => {
    await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }), 'first quote')
    await waitFor(() => t.db.workerHeartbeat.findFirst(), 'heartbeat')
    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor: { kind: 'USER', id: userId },
      input: {
        traderId,
        symbol: 'BTC/USDT',
        side: 'LONG',
        sizeMode: 'BASE',
        size: '0.01',
        entryType: 'MARKET',
        stopLoss: '59000',
        takeProfits: [
          { price: '61000', sharePct: '50' },
          { price: '63000', sharePct: '50' },
        ],
      },
    })
    let d = await getPositionDetail(t.db, userId, positionId)
    expect(d.position.status).toBe('MONITORING')
    expect(d.position.avgEntryPrice).toBe('60000.01') // the fake's best ask; 0.01 fits in its first level

    fake.setPrice('BTC/USDT', '61000.00', '61000.01')
    await waitFor(async () => (await getPositionDetail(t.db, userId, positionId)).position.openQty === '0.005', 'TP1 exit')
    d = await getPositionDetail(t.db, userId, positionId)
    expect(d.position.status).toBe('MONITORING')
    expect(d.position.takeProfits.map((x) => x.status)).toEqual(['FILLED', 'ACTIVE'])
    expect(d.orders.find((o) => o.purpose === 'TAKE_PROFIT')?.createdBy).toBe('WORKER')

    // Restart mid-position; the market falls through the stop while the worker is down.
    await worker!.stop()
    worker = null
    fake.setPrice('BTC/USDT', '58000.00', '58000.01')
    await start()
    await waitFor(async () => (await getPositionDetail(t.db, userId, positionId)).position.status === 'CLOSED', 'stop-loss exit after restart')
    d = await getPositionDetail(t.db, userId, positionId)
    expect(d.orders.map((o) => o.purpose)).toEqual(['ENTRY', 'TAKE_PROFIT', 'STOP_LOSS'])
    expect(d.events.some((e) => e.actor === 'WORKER' && /Stop loss 59000 touched/.test(e.message))).toBe(true)

    // Cash moved by exactly the fills: buys cost price*qty+fee, sells return price*qty-fee.
    const fills = await t.db.fill.findMany({ where: { positionId } })
    const delta = fills.reduce((s, f) => {
      const n = dec(f.price.toString()).mul(f.qty.toString())
      return f.side === 'BUY' ? s.minus(n).minus(f.fee.toString()) : s.plus(n).minus(f.fee.toString())
    }, dec(0))
    const usdt = await t.db.accountBalance.findUniqueOrThrow({ where: { accountId_asset: { accountId, asset: 'USDT' } } })
    expect(usdt.amount.toString()).toBe(dec(10000).plus(delta).toFixed())
    expect(dec(d.position.realizedPnl).eq(delta)).toBe(true)
  })
})
