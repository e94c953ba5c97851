import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { processSignal } from '@/lib/server/signals/process-signal'
import { receiveSignal } from '@/lib/server/signals/receive-signal'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

// A TradingView alert is sent once: one that arrives before the feed has quoted its symbol (a
// trader created a moment ago) waits for the first quote within its lag allowance, instead of failing.
describe('an entry signal for a symbol not quoted yet', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  let secret: string
  let n = 0
  const actor = { kind: 'WORKER' as const, id: 'quote-wait-test' }

  const queued = async (symbol: string, extra: Record<string, string> = {}) => {
    const answer = await receiveSignal({ db: t.db, traderId, text: JSON.stringify({ secret, symbol, action: 'buy', id: `q${++n}`, size: '0.01', ...extra }), contentType: 'application/json', remoteAddr: '127.0.0.1' })
    if (answer.httpStatus !== 202) throw new Error(`webhook answered ${answer.httpStatus}: ${JSON.stringify(answer.body)}`)
    // What the loop's claim does, without the loop.
    await t.db.signal.update({ where: { id: answer.body.signalId }, data: { status: 'PROCESSING', attempts: 1 } })
    return answer.body.signalId
  }
  const later = (ms: number, fn: () => Promise<unknown>) => new Promise((r) => setTimeout(r, ms)).then(fn)

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'quote-wait@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Fresh', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    secret = (await rotateWebhookSecret({ db: t.db, userId, traderId, actor: { kind: 'USER', id: userId } })).secret
  }, 60_000)
  afterAll(async () => {
    await t?.drop()
  })

  test('the first quote arriving while it waits: the entry is made at that quote', async () => {
    const id = await queued('BTCUSDT')
    const [outcome] = await Promise.all([
      processSignal({ db: t.db, signalId: id, actor, quoteWaitMs: 10_000 }),
      later(700, () => seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000.00', ask: '60000.10' })),
    ])
    expect([outcome?.status, outcome?.reason]).toEqual(['DONE', null])
    const p = await t.db.position.findUniqueOrThrow({ where: { signalId: id } })
    expect([p.symbol, p.side, p.avgEntryPrice?.toString(), p.openQty.toString()]).toEqual(['BTC/USDT', 'LONG', '60000.1', '0.01'])
  })

  test('no quote within the wait: FAILED with the reason, and nothing opened', async () => {
    const id = await queued('ETHUSDT')
    const outcome = await processSignal({ db: t.db, signalId: id, actor, quoteWaitMs: 600 })
    expect(outcome?.status).toBe('FAILED')
    expect(outcome?.reason).toMatch(/no market data for ETH\/USDT yet/)
    expect(await t.db.position.count({ where: { signalId: id } })).toBe(0)
    expect((await t.db.signal.findUniqueOrThrow({ where: { id } })).status).toBe('FAILED')
  })

  test('the wait ends with the signal’s max lag: a quote arriving after it is not used', async () => {
    // Fired 59 s ago with the default max lag of 60 s: at most ~1 s is left to wait, though 10 s are allowed.
    const id = await queued('SOLUSDT', { timestamp: new Date(Date.now() - 59_000).toISOString() })
    const [outcome] = await Promise.all([
      processSignal({ db: t.db, signalId: id, actor, quoteWaitMs: 10_000 }),
      later(2500, () => seedMarket(t.db, { symbol: 'SOL/USDT', bid: '150.00', ask: '150.01' })),
    ])
    expect(outcome?.status).toBe('FAILED')
    expect(outcome?.reason).toMatch(/no market data for SOL\/USDT yet/)
    expect(await t.db.position.count({ where: { signalId: id } })).toBe(0)
  })
})
