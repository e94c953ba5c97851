import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Db } from '@/lib/db/client'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { matchRestingPaperOrders, PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { ExchangePort } from '@/lib/exchange/port'
import { cancelLeftoverEntries } from '@/lib/server/positions/leftover-entries'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { createTrader } from '@/lib/server/traders/create-trader'
import { applyExchangeUpdates } from '@/workers/reconcile/reconcile-orders'
import { DelegatingExchange } from '../../support/delegating-exchange'
import { useManualTraderSettings } from '../../support/manual-trader-settings'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/** The real paper exchange, with something done just before each cancel (a fill that crosses it, a failure). */
class BeforeCancel extends DelegatingExchange {
  constructor(
    inner: ExchangePort,
    private readonly before: () => Promise<void>,
  ) {
    super(inner)
  }
  override async cancelOrder(clientOrderId: string) {
    await this.before()
    return this.inner.cancelOrder(clientOrderId)
  }
}

const worker = { kind: 'WORKER' as const, id: 'limit-entry-test' }

describe('a position whose limit entry is still working when it closes (real PostgreSQL, paper exchange)', () => {
  let t: TestDatabase
  let n = 0

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await t.drop()
  })

  /** A LONG limit entry for 0.02 BTC at 59000, of which the market fills 0.01 (the book offers only that). */
  async function partlyFilled(db: Db) {
    const userId = (await db.user.create({ data: { email: `limit-${++n}@example.com`, passwordHash: 'x' } })).id
    const trader = await createTrader({ db, userId, input: { name: `t${n}`, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT'] } })
    await useManualTraderSettings(db, trader.id)
    await seedMarket(db, { bid: '60000', ask: '60000.01' })
    const input = { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.02', entryType: 'LIMIT', limitPrice: '59000', stopLoss: '50000' }
    const { positionId } = await openPosition({ db, userId, actor: { kind: 'USER', id: userId }, input })
    await tradeDown(db, '0.01')
    const entry = await db.order.findFirstOrThrow({ where: { positionId, purpose: 'ENTRY' } })
    expect(entry).toMatchObject({ status: 'PARTIALLY_FILLED' })
    expect(entry.filledQty.toString()).toBe('0.01')
    const p = await position(db, positionId)
    expect(p.status).toBe('MONITORING')
    expect(p.openQty.toString()).toBe('0.01')
    return { positionId, entry, paper: new PaperExchange(db, trader.accountId, { staleAfterMs: 60_000 }) }
  }

  /** The market trades down through 59000 with `depth` offered: the paper engine fills what rests, and the worker books it. */
  async function tradeDown(db: Db, depth: string) {
    await seedMarket(db, { bid: '58899.99', ask: '58900', depth })
    const changed = await matchRestingPaperOrders(db, 'BTC/USDT')
    await applyExchangeUpdates(db, changed, worker)
    return changed
  }

  const position = (db: Db, id: string) => t.db.position.findUniqueOrThrow({ where: { id } })
  const exits = (positionId: string) => t.db.order.findMany({ where: { positionId, purpose: { not: 'ENTRY' } } })
  const closeAll = (positionId: string, exchange: ExchangePort) =>
    requestExit({ db: t.db, positionId, size: { kind: 'ALL' }, purpose: 'MANUAL_EXIT', actor: worker, reason: 'Close requested', exchange })

  test('closing it takes the entry off first: the exit sells what filled, and the market trading through the limit later fills nothing', async () => {
    const { positionId, entry, paper } = await partlyFilled(t.db)
    await closeAll(positionId, paper)

    const after = await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })
    expect(after).toMatchObject({ status: 'CANCELED', rejectReason: 'canceled: its position was being closed' })
    const [exit] = await exits(positionId)
    expect(exit).toMatchObject({ status: 'FILLED' })
    expect(exit!.qty.toString()).toBe('0.01')
    const p = await position(t.db, positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.openQty.toString()).toBe('0')

    expect(await tradeDown(t.db, '100')).toEqual([])
    const later = await position(t.db, positionId)
    expect(later.status).toBe('CLOSED')
    expect(later.entryQty.toString()).toBe('0.01')
  })

  test('a fill that comes between the close and the cancel is sold by the same exit', async () => {
    const { positionId, paper } = await partlyFilled(t.db)
    // Just before the cancel reaches the exchange, the rest of the entry fills there.
    const racing = new BeforeCancel(paper, async () => {
      await seedMarket(t.db, { bid: '58899.99', ask: '58900', depth: '100' })
      await matchRestingPaperOrders(t.db, 'BTC/USDT')
    })
    await closeAll(positionId, racing)

    const [exit] = await exits(positionId)
    expect(exit).toMatchObject({ status: 'FILLED' })
    expect(exit!.qty.toString()).toBe('0.02')
    const p = await position(t.db, positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.entryQty.toString()).toBe('0.02')
    expect(p.openQty.toString()).toBe('0')
  })

  test('a cancel that fails does not hold up the exit; the sweep of closed positions takes the entry off later', async () => {
    const { positionId, entry, paper } = await partlyFilled(t.db)
    const failing = new BeforeCancel(paper, async () => {
      throw new ExchangeError('429 Too Many Requests (simulated)', true, { retryAfterMs: 1000 })
    })
    await closeAll(positionId, failing)
    expect((await position(t.db, positionId)).status).toBe('CLOSED')
    expect((await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).status).toBe('PARTIALLY_FILLED')

    const errors: string[] = []
    // Another worker's accounts are left alone; a failing cancel is reported and tried again.
    expect(await cancelLeftoverEntries(t.db, { actor: worker, owns: () => false })).toBe(0)
    expect(await cancelLeftoverEntries(t.db, { actor: worker, exchangeFor: () => failing, onError: (id) => errors.push(id) })).toBe(0)
    expect(errors).toEqual([entry.id])
    expect(await cancelLeftoverEntries(t.db, { actor: worker })).toBe(1)
    expect(await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({ status: 'CANCELED', rejectReason: 'canceled: its position had closed' })
    expect(await cancelLeftoverEntries(t.db, { actor: worker })).toBe(0)

    expect(await tradeDown(t.db, '100')).toEqual([])
    expect((await position(t.db, positionId)).status).toBe('CLOSED')
  })

  test('an entry that fills after its position closed brings the position back, protected by its stop', async () => {
    const { positionId, paper } = await partlyFilled(t.db)
    const failing = new BeforeCancel(paper, async () => {
      throw new ExchangeError('connection reset (simulated)', true)
    })
    await closeAll(positionId, failing)
    const closed = await position(t.db, positionId)
    expect(closed.status).toBe('CLOSED')
    expect(closed.closedAt).not.toBeNull()
    // Its realized PnL is in its trader's running total while it is closed, and out of it again once it is open.
    const totals = () => t.db.traderTotals.findUniqueOrThrow({ where: { traderId: closed.traderId } })
    expect(closed.realizedPnl.toString()).not.toBe('0')
    expect(await totals()).toMatchObject({ closedRealizedPnl: closed.realizedPnl, lastClosedAt: closed.closedAt })

    expect(await tradeDown(t.db, '100')).toHaveLength(1)
    const p = await position(t.db, positionId)
    expect(p.status).toBe('MONITORING')
    expect(p.openQty.toString()).toBe('0.01')
    expect(p.entryQty.toString()).toBe('0.02')
    expect(p.closedAt).toBeNull()
    expect(p.stopLoss!.toString()).toBe('50000')
    // Its trader has no other close.
    expect((await totals()).closedRealizedPnl.toString()).toBe('0')
    expect((await totals()).lastClosedAt).toBeNull()
    const events = await t.db.positionEvent.findMany({ where: { positionId, type: 'STATUS_CHANGED' }, orderBy: { createdAt: 'asc' } })
    expect(events.slice(-2).map((e) => [e.fromStatus, e.toStatus, e.message])).toEqual([
      ['CLOSED', 'OPEN', 'Entry filled after the position had closed: 0.01 open again @ 59000 average entry'],
      ['OPEN', 'MONITORING', 'Stop loss armed again'],
    ])
  })
})
