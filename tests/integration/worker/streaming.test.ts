import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { getHealth } from '@/lib/server/health/get-health'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { startFakeBinanceStream, type FakeBinanceStream } from '../../support/fake-binance-stream'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// The real worker, real ccxt (REST and pro), real PostgreSQL, against local servers that speak
// Binance's spot REST API and its public websocket stream API.

describe('worker: prices stream from a Binance-compatible websocket, REST polling as fallback and recovery', () => {
  let t: TestDatabase
  let rest: FakeBinance
  let ws: FakeBinanceStream
  let worker: Worker | null = null
  let userId: string
  let traderId: string
  const log: string[] = []

  const start = async (pollMs: number) => {
    const cfg = parseEnv({
      MARKET_DATA_SOURCE: 'exchange',
      MARKET_DATA_URL: rest.url,
      MARKET_DATA_WS_URL: ws.url,
      MARKET_POLL_INTERVAL_MS: String(pollMs),
      // A long staleness limit: no quiet-symbol REST refresh (every 60 s) happens during a test.
      MARKET_STALE_AFTER_MS: '120000',
      WORKER_HEARTBEAT_MS: '200',
    })
    worker = await startWorker({ db: t.db, cfg, databaseUrl: t.url, log: (m) => log.push(m) })
  }
  const stop = async () => {
    await worker?.stop()
    worker = null
  }
  const health = () => getHealth({ db: t.db, heartbeatMs: 200, staleAfterMs: 120_000, liveTradingEnabled: false })
  const mode = async () => (await health()).marketData.mode
  const storedBid = async () => (await t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }))?.bid.toString()

  beforeAll(async () => {
    t = await createTestDatabase()
    rest = await startFakeBinance()
    ws = await startFakeBinanceStream({ rest })
    userId = (await t.db.user.create({ data: { email: 's@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'S', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
  })
  afterAll(async () => {
    await stop()
    await ws.close()
    await rest.close()
    await t.drop()
  })

  describe('polling only every 10 minutes', () => {
    beforeAll(() => start(600_000))
    afterAll(stop)

    test('a streamed tick is stored and fires a stop at once, with no poll in between', async () => {
      await waitFor(async () => (await mode()) === 'stream', 'streaming')
      expect((await health()).marketData).toMatchObject({ ok: true, kind: 'exchange', label: `Binance (${new URL(rest.url).host})`, mode: 'stream' })
      const { positionId } = await openPosition({
        db: t.db,
        userId,
        actor: { kind: 'USER', id: userId },
        input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
      })
      expect((await getPositionDetail(t.db, userId, positionId)).position.status).toBe('MONITORING')

      // The tick exists on the stream only: REST still says 60000, so no poll could fire the stop.
      const restRequests = rest.requests.length
      expect(ws.push('BTC/USDT', '58990.00', '58990.01', { rest: false })).toBe(1)
      await waitFor(async () => (await getPositionDetail(t.db, userId, positionId)).position.status === 'CLOSED', 'stop-loss exit')

      const d = await getPositionDetail(t.db, userId, positionId)
      expect(d.orders.map((o) => [o.purpose, o.createdBy])).toEqual([
        ['ENTRY', 'USER'],
        ['STOP_LOSS', 'WORKER'],
      ])
      expect(d.events.some((e) => e.actor === 'WORKER' && /Stop loss 59000 touched \(bid 58990\)/.test(e.message))).toBe(true)
      // Filled at the streamed bid, against the one level the tick carried.
      const exit = await t.db.fill.findFirstOrThrow({ where: { positionId, side: 'SELL' } })
      expect(exit.price.toString()).toBe('58990')
      const q = await t.db.marketQuote.findUniqueOrThrow({ where: { symbol: 'BTC/USDT' } })
      expect([q.bid.toString(), q.ask.toString(), q.last.toString()]).toEqual(['58990', '58990.01', '58990.005'])
      expect(q.book).toEqual({ bids: [['58990', '0.01']], asks: [['58990.01', '0.08919']] })
      expect(rest.requests.length).toBe(restRequests)
    })

    test('after a reconnect the stream counts as up only once a REST snapshot is stored', async () => {
      const dropAt = new Date()
      ws.refuse(true)
      ws.drop()
      await waitFor(async () => /^polling \(stream down: .+\)$/.test((await mode()) ?? ''), 'stream down in health')
      // Polling took over at once (not 10 minutes later): REST's price replaced the streamed one.
      await waitFor(async () => {
        const q = await t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } })
        return q !== null && q.receivedAt >= dropAt && q.bid.toString() === '60000'
      }, 'a REST poll right after the drop')
      const h = await health()
      expect(h.status).toBe('ok') // prices stay fresh: a stream being down is not a fault
      expect(h.marketData.error).toBeUndefined()

      // The market moves while the stream is down; the next poll is 10 minutes away.
      rest.setPrice('BTC/USDT', '60500.00', '60500.01')
      await new Promise((r) => setTimeout(r, 300))
      expect(await storedBid()).toBe('60000')

      ws.refuse(false)
      await waitFor(async () => (await mode()) === 'stream', 'streaming again', 30_000)
      // Up means the snapshot is already stored: the move made while down was not missed.
      expect(await storedBid()).toBe('60500')
      expect(log.some((m) => /streaming 1 symbol\(s\) from 127\.0\.0\.1:\d+ \(REST snapshot taken\)/.test(m))).toBe(true)
      expect(ws.received.filter((r) => (r.message as { method?: string }).method === 'SUBSCRIBE')).toHaveLength(2)

      ws.push('BTC/USDT', '60600.00', '60600.01')
      await waitFor(async () => (await storedBid()) === '60600', 'ticks flow again')
    })
  })

  describe('polling every 300 ms', () => {
    beforeAll(() => start(300))
    afterAll(stop)

    test('while the stream is down, REST polling keeps the quotes current and health says which is in use', async () => {
      await waitFor(async () => (await mode()) === 'stream', 'streaming')
      ws.refuse(true)
      ws.drop()
      await waitFor(async () => /^polling \(stream down: .+\)$/.test((await mode()) ?? ''), 'stream down in health')

      for (const bid of ['61000', '61100', '61200']) {
        rest.setPrice('BTC/USDT', `${bid}.00`, `${bid}.01`)
        await waitFor(async () => (await storedBid()) === bid, `polled ${bid}`)
      }
      const h = await health()
      expect(h.status).toBe('ok')
      expect(h.marketData.mode).toMatch(/^polling \(stream down: (connection closed by remote server, closing code 1006|Unexpected server response: 503)\)$/)
      expect(log.some((m) => /market data: stream down \(.+\); polling every 300 ms/.test(m))).toBe(true)

      ws.refuse(false)
      await waitFor(async () => (await mode()) === 'stream', 'streaming again', 30_000)
      ws.push('BTC/USDT', '61300.00', '61300.01')
      await waitFor(async () => (await storedBid()) === '61300', 'streamed tick')
    })
  })
})
