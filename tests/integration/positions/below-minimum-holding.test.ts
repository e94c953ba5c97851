import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { matchRestingPaperOrders } from '@/lib/exchange/paper/paper-exchange'
import type { Quote } from '@/lib/market-data/quote'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { runPanic } from '@/lib/server/panic/run-panic'
import { createTrader } from '@/lib/server/traders/create-trader'
import { applyExchangeUpdates } from '@/workers/reconcile/reconcile-orders'
import { TriggerMonitor } from '@/workers/monitor/trigger-monitor'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * A holding the exchange will not take as an order (BTC/USDT here: 5 USDT at least, 0.00001 BTC
 * steps): a small position whose value fell below the minimum, or what a limit entry filled before
 * it was canceled. Before, every exit was sent and refused: a stop crossed sent one more refused
 * order on every tick, for as long as the price stayed there, and a close could never succeed.
 */
describe('closing a holding below the exchange minimums (real PostgreSQL, paper exchange)', () => {
  let t: TestDatabase
  let n = 0
  const worker = { kind: 'WORKER' as const, id: 'below-minimum-test' }
  const tick = (bid: string, ask: string): Quote => ({ symbol: 'BTC/USDT', bid: dec(bid), ask: dec(ask), last: dec(bid), exchangeTs: Date.now(), receivedAt: Date.now() })

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await t?.drop()
  })

  async function trader() {
    const userId = (await t.db.user.create({ data: { email: `below-min-${++n}@example.com`, passwordHash: 'x' } })).id
    const tr = await createTrader({ db: t.db, userId, input: { name: `t${n}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(t.db, tr.id)
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    return { userId, traderId: tr.id, accountId: tr.accountId }
  }
  const position = (id: string) => t.db.position.findUniqueOrThrow({ where: { id } })
  const exits = (positionId: string) => t.db.order.findMany({ where: { positionId, purpose: { not: 'ENTRY' } }, select: { status: true, rejectReason: true } })
  const btcHeld = async (accountId: string) => (await t.db.accountBalance.findUnique({ where: { accountId_asset: { accountId, asset: 'BTC' } } }))?.amount.toString()
  /** 0.0001 BTC bought at 60,010, now bid 45,000: 4.5 USDT, under the 5 USDT minimum. */
  async function worthLessThanTheMinimum() {
    const { userId, traderId } = await trader()
    const actor = { kind: 'USER' as const, id: userId }
    const { positionId } = await openPosition({
      db: t.db, userId, actor,
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.0001', entryType: 'MARKET', stopLoss: '40000' },
    })
    await seedMarket(t.db, { bid: '45000', ask: '45010' })
    return { userId, actor, positionId }
  }

  test('a stop crossed where the holding is worth less than the minimum order closes the position as dust, once, with no order sent', async () => {
    const { userId, traderId, accountId } = await trader()
    // 0.0001 BTC at the ask: 6.00 USDT, above the 5 USDT minimum.
    const { positionId } = await openPosition({
      db: t.db, userId, actor: { kind: 'USER', id: userId },
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.0001', entryType: 'MARKET', stopLoss: '50000' },
    })
    const monitor = new TriggerMonitor(t.db, worker, () => undefined, (a) => exchangeForAccount(t.db, a))
    await monitor.reload(positionId)
    // The price gaps through the stop: 0.0001 BTC is now worth 4.50 USDT.
    await seedMarket(t.db, { bid: '45000', ask: '45010' })
    expect(await monitor.onQuote(tick('45000', '45010'))).toBe(1)

    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('Left as dust: 0.0001 BTC cannot be sold (order value 4.5 USDT (0.0001 × 45000) is below the minimum 5 USDT for BTC/USDT)')
    expect(p.openQty.toString()).toBe('0.0001')
    expect(await exits(positionId)).toEqual([])
    // The coins stay in the account: nothing was sold.
    expect(await btcHeld(accountId)).toBe('0.0001')
    // The position no longer holds them: it is not marked as if it were open.
    expect((await getPositionDetail(t.db, userId, positionId)).position).toMatchObject({ status: 'CLOSED', openQty: '0.0001', markPrice: null, unrealizedPnl: null })
    const trail = await t.db.positionEvent.findMany({ where: { positionId, type: 'STATUS_CHANGED' }, orderBy: { createdAt: 'asc' }, select: { toStatus: true, message: true } })
    expect(trail.slice(-2)).toEqual([
      { toStatus: 'CLOSING', message: 'Stop loss 50000 touched (bid 45000): no exit order, 0.0001 BTC cannot be sold (order value 4.5 USDT (0.0001 × 45000) is below the minimum 5 USDT for BTC/USDT)' },
      { toStatus: 'CLOSED', message: 'Position closed with 0.0001 BTC left in the account as dust' },
    ])

    // The next ticks find nothing armed.
    await monitor.reload(positionId)
    expect(await monitor.onQuote(tick('44000', '44010'))).toBe(0)
    expect(await exits(positionId)).toEqual([])
  })

  test('closing what a canceled limit entry filled (less than the minimum) closes the position as dust', async () => {
    const { userId, traderId } = await trader()
    const actor = { kind: 'USER' as const, id: userId }
    const { positionId } = await openPosition({
      db: t.db, userId, actor,
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'LIMIT', limitPrice: '59000', stopLoss: '50000' },
    })
    // The market trades through the limit with only 0.00005 BTC offered (2.95 USDT).
    await seedMarket(t.db, { bid: '58899.99', ask: '58900', depth: '0.00005' })
    await applyExchangeUpdates(t.db, await matchRestingPaperOrders(t.db, 'BTC/USDT'), worker)
    expect((await position(positionId)).openQty.toString()).toBe('0.00005')

    // The close takes the entry off first, then finds nothing the exchange would take.
    await closePosition({ db: t.db, userId, actor, positionId, input: {} })
    const entry = await t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'ENTRY' } })
    expect(entry.status).toBe('CANCELED')
    const p = await position(positionId)
    expect([p.status, p.openQty.toString()]).toEqual(['CLOSED', '0.00005'])
    expect(p.statusReason).toMatch(/^Left as dust: 0\.00005 BTC cannot be sold \(order value 2\.9449995 USDT \(0\.00005 × 58899\.99\) is below the minimum 5 USDT/)
    // The exit order written before the entry came off was never sent.
    expect(await exits(positionId)).toEqual([{ status: 'CANCELED', rejectReason: expect.stringMatching(/^not sent: 0\.00005 BTC cannot be sold/) }])
  })

  test('a second close of a position closed as dust is refused as closed', async () => {
    const { userId, actor, positionId } = await worthLessThanTheMinimum()
    await closePosition({ db: t.db, userId, actor, positionId, input: {} })
    expect((await position(positionId)).status).toBe('CLOSED')
    await expect(closePosition({ db: t.db, userId, actor, positionId, input: {} })).rejects.toThrow(/position is closed/)
  })

  test('a keyed close that closed the position as dust is replayed when repeated with its key, not refused as closed', async () => {
    const { userId, actor, positionId } = await worthLessThanTheMinimum()
    const first = await closePosition({ db: t.db, userId, actor, positionId, input: {}, requestKey: 'close-dust-1' })
    expect(first).toEqual({ dust: expect.stringMatching(/^0\.0001 BTC cannot be sold \(order value 4\.5 USDT/) })
    // The exit it did not send holds the key.
    const [exit] = await t.db.order.findMany({ where: { positionId, purpose: 'MANUAL_EXIT' } })
    expect([exit?.status, exit?.rejectReason]).toEqual(['CANCELED', `not sent: ${(first as { dust: string }).dust}`])
    expect(await t.db.paperOrder.count({ where: { clientOrderId: exit!.clientOrderId } })).toBe(0)
    const after = await getPositionDetail(t.db, userId, positionId)
    await expect(closePosition({ db: t.db, userId, actor, positionId, input: {}, requestKey: 'close-dust-1' })).resolves.toEqual({ orderId: exit!.id, replayed: true })
    // Nothing more was done: the same position, the same one exit, the coins still held.
    expect(await getPositionDetail(t.db, userId, positionId)).toEqual(after)
    expect(await exits(positionId)).toHaveLength(1)
    // The same key with another body is a reuse; a close without a key still finds it closed.
    await expect(closePosition({ db: t.db, userId, actor, positionId, input: { sharePct: '50' }, requestKey: 'close-dust-1' })).rejects.toThrow(/Idempotency-Key/)
    await expect(closePosition({ db: t.db, userId, actor, positionId, input: {} })).rejects.toThrow(/position is closed/)
  })

  test('panic reports a holding it could not sell as closed as dust, not as sold at market', async () => {
    const { userId, traderId, accountId } = await trader()
    const actor = { kind: 'USER' as const, id: userId }
    const { positionId } = await openPosition({
      db: t.db, userId, actor,
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.0001', entryType: 'MARKET', stopLoss: '40000' },
    })
    await seedMarket(t.db, { bid: '45000', ask: '45010' })
    const report = await runPanic({ db: t.db, userId, actor, scope: { traderId }, backoffMs: () => 0 })
    expect(report.status).toBe('COMPLETED')
    expect(report.positions).toEqual([expect.objectContaining({
      positionId, outcome: 'CLOSED', attempts: 1,
      detail: 'closed as dust, nothing sold: 0.0001 BTC cannot be sold (order value 4.5 USDT (0.0001 × 45000) is below the minimum 5 USDT for BTC/USDT)',
    })])
    expect(await exits(positionId)).toEqual([])
    expect(await btcHeld(accountId)).toBe('0.0001')
  })
})
