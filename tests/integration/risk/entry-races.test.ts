import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sqlOf } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { assertEntryWithinLimits } from '@/lib/server/risk/entry-risk'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { createBinanceTestnetTrader } from '@/tests/support/live-binance-account'
import { RISK_LIMITS_OFF, useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// Entries that must see each other. Entries of different traders racing each other: each entry locks its own trader's row, which
// keeps that trader's entries in turn but not another trader's. What counts across traders (the
// user-wide limits, one position per symbol on a shared exchange account) must still hold.
describe('entries of several traders at once', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await t?.drop()
  })

  test('the duplicate window reaches back across midnight: an entry 10 s before the day starts is seen by one 10 s after', async () => {
    const userId = (await t.db.user.create({ data: { email: 'midnight@example.com', passwordHash: 'x', timeZone: 'UTC' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Midnight', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'], autoTrade: false } })
    await useManualTraderSettings(t.db, trader.id)
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60000' })
    const { positionId } = await openPosition({ db: t.db, userId, actor: { kind: 'USER', id: userId }, input: { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: '59000' } })
    const dayStart = tradingDayStart(Date.now(), 'UTC')
    await t.db.position.update({ where: { id: positionId }, data: { createdAt: new Date(dayStart - 10_000) } })
    // No cooldown (it used to be what reached back into yesterday), a 60 s duplicate window.
    const row = { id: trader.id, userId, quoteCurrency: 'USDT', mode: 'PAPER' as const, riskLimits: { ...RISK_LIMITS_OFF, duplicateWindowSeconds: 60 }, pnlPeak: '0' }
    const user = { timeZone: 'UTC', riskLimits: RISK_LIMITS_OFF, pnlPeak: '0' }
    const intent = { symbol: 'BTC/USDT', side: 'LONG' as const, notional: dec(100), riskAmount: dec(1) }
    for (const at of [dayStart - 5_000, dayStart + 10_000]) {
      await expect(assertEntryWithinLimits(sqlOf(t.db), row, user, intent, at)).rejects.toMatchObject({ message: expect.stringMatching(/duplicate/i) })
    }
  })

  /** A user with `n` paper traders of ETH/USDT (at 3000) and these user-wide limits, every other off. */
  async function ethTraders(email: string, n: number, limits: Record<string, string | number>) {
    const userId = (await t.db.user.create({ data: { email, passwordHash: 'x' } })).id
    const traders: string[] = []
    for (let i = 0; i < n; i++) {
      const id = (await createTrader({ db: t.db, userId, input: { name: `Racer ${i}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['ETH/USDT'], autoTrade: false } })).id
      await useManualTraderSettings(t.db, id)
      traders.push(id)
    }
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000' })
    // After the traders: useManualTraderSettings turns the user-wide limits off too.
    await t.db.user.update({ where: { id: userId }, data: { riskLimits: { ...RISK_LIMITS_OFF, ...limits } } })
    return { userId, actor: { kind: 'USER' as const, id: userId }, traders }
  }

  test('user-wide limits hold: of 6 traders opening at once under "one open position, 150 USDT exposure", one gets through', async () => {
    const { userId, actor, traders } = await ethTraders('races@example.com', 6, { maxConcurrentPositions: 1, maxExposureQuote: '150' })
    const results = await Promise.allSettled(
      traders.map((traderId) => openPosition({ db: t.db, userId, actor, input: { traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: '2900' } })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { status?: number }).status).toBe(422)
    expect(await t.db.position.count({ where: { trader: { userId }, status: { in: ['OPEN', 'MONITORING'] } } })).toBe(1)
  })

  // Each entry reads its book without waiting for the others, then takes the book's turn (its
  // BookEntryTotals row). Holding that row from outside until every entry has read the book and
  // waits for its turn makes each one's read miss all the others: only what the turn tells it
  // (the entries that committed before its turn) keeps the book under its limits.
  describe.each<[string, Record<string, string | number>, number]>([
    ['one open position', { maxConcurrentPositions: 1 }, 1],
    ['150 USDT of exposure (100 USDT each)', { maxExposureQuote: '150' }, 1],
    ['two entries a day', { maxTradesPerDay: 2 }, 2],
    // Which symbol the others entered is not in what the turn tells: the book is read again, in turn.
    ['a 15-minute cooldown per symbol', { cooldownMinutes: 15 }, 1],
  ])('user-wide "%s": entries that all read the book before any took its turn', (_label, limits, through) => {
    test(`${through} of 4 get through`, async () => {
      const { userId, actor, traders } = await ethTraders(`turns-${Object.keys(limits)[0]}@example.com`, 4, limits)
      await t.db.bookEntryTotals.create({ data: { userId, mode: 'PAPER', quoteCurrency: 'USDT' } })
      const holder = new pg.Client({ connectionString: t.url })
      await holder.connect()
      try {
        await holder.query('BEGIN')
        await holder.query(`SELECT 1 FROM "BookEntryTotals" WHERE "userId" = $1 FOR UPDATE`, [userId])
        const entries = Promise.allSettled(
          traders.map((traderId) => openPosition({ db: t.db, userId, actor, input: { traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: '2900' } })),
        )
        // Waiting for a lock: the held row, or (in line behind the first) each other's claim on it.
        const waiting = async () =>
          (await holder.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0]!.n
        for (let i = 0; i < 500 && (await waiting()) < traders.length; i++) await new Promise((r) => setTimeout(r, 10))
        expect(await waiting()).toBe(traders.length)
        await holder.query('COMMIT')
        const results = await entries
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(through)
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 422, code: 'RISK_LIMIT' })
        expect(await t.db.position.count({ where: { trader: { userId }, status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(through)
        // The refused entries' turns were rolled back with them.
        expect(await t.db.bookEntryTotals.findUniqueOrThrow({ where: { userId_mode_quoteCurrency: { userId, mode: 'PAPER', quoteCurrency: 'USDT' } } })).toMatchObject({ entries: BigInt(through), openedPositions: BigInt(through) })
      } finally {
        await holder.end()
      }
    })
  })

  // An entry waits for its book's turn (behind every entry of the book ahead of it, in a burst)
  // before it places anything: what it holds meanwhile must not keep its trader's exits waiting
  // behind the book's queue. (A panic's halt does wait for the entry: it takes the account FOR
  // UPDATE, which the entry's FOR KEY SHARE holds up, so that the entry commits first and is
  // flattened, or is refused; the panic bench measures that wait in a burst.)
  test("an entry waiting for its book's turn holds up no exit on its account: a close (which places on it as a stop does) goes through meanwhile", async () => {
    const userId = (await t.db.user.create({ data: { email: 'exit-during-turn@example.com', passwordHash: 'x' } })).id
    const actor = { kind: 'USER' as const, id: userId }
    const { id: traderId } = await createTrader({ db: t.db, userId, input: { name: 'Busy', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['ETH/USDT', 'SOL/USDT'], autoTrade: false } })
    await useManualTraderSettings(t.db, traderId)
    await t.db.user.update({ where: { id: userId }, data: { riskLimits: { ...RISK_LIMITS_OFF, maxConcurrentPositions: 5 } } })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000' })
    await seedMarket(t.db, { symbol: 'SOL/USDT', bid: '100', ask: '100' })
    const { positionId: held } = await openPosition({ db: t.db, userId, actor, input: { traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: '2900' } })
    const holder = new pg.Client({ connectionString: t.url })
    const probe = new pg.Client({ connectionString: t.url })
    await holder.connect()
    await probe.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT 1 FROM "BookEntryTotals" WHERE "userId" = $1 FOR UPDATE`, [userId])
      const entry = openPosition({ db: t.db, userId, actor, input: { traderId, symbol: 'SOL/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '100', entryType: 'MARKET', stopLoss: '90' } })
      const waiting = async () => (await probe.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0]!.n
      for (let i = 0; i < 500 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(await waiting()).toBe(1)
      // The exit either completes or is seen waiting on a lock (then it would wait for the held turn).
      let done = false
      const closing = closePosition({ db: t.db, userId, actor, positionId: held, input: {} }).finally(() => (done = true))
      let blocked = false
      while (!done && !blocked) {
        blocked = (await waiting()) > 1
        await new Promise((r) => setTimeout(r, 10))
      }
      await holder.query('COMMIT')
      await closing
      expect(blocked).toBe(false)
      expect((await t.db.position.findUniqueOrThrow({ where: { id: held } })).status).toBe('CLOSED')
      await entry
    } finally {
      await holder.end()
      await probe.end()
    }
  })

  test("an entry's turn in a Prisma transaction (a group's pyramid takes its turn there) adds it to its book's totals; a pyramid added to an open group opens no position", async () => {
    const { userId, traders } = await ethTraders('prisma-turn@example.com', 1, { maxConcurrentPositions: 5 })
    const row = { id: traders[0]!, userId, quoteCurrency: 'USDT', mode: 'PAPER' as const, riskLimits: RISK_LIMITS_OFF, pnlPeak: '0' }
    const user = { timeZone: 'UTC', riskLimits: { ...RISK_LIMITS_OFF, maxConcurrentPositions: 5 }, pnlPeak: '0' }
    const intent = { symbol: 'ETH/USDT', side: 'LONG' as const, notional: dec('120.5'), riskAmount: dec(1) }
    await t.db.$transaction((tx) => assertEntryWithinLimits(tx, row, user, intent))
    await t.db.$transaction((tx) => assertEntryWithinLimits(tx, row, user, { ...intent, notional: dec('80.25'), opensPosition: false }))
    const totals = await t.db.bookEntryTotals.findUniqueOrThrow({ where: { userId_mode_quoteCurrency: { userId, mode: 'PAPER', quoteCurrency: 'USDT' } } })
    expect([totals.entries, totals.openedPositions, totals.notional.toString()]).toEqual([2n, 1n, '200.75'])
  })

  test('one position per symbol on a shared exchange account: of 4 traders of one Binance account opening ETH/USDT at once, one gets through', async () => {
    const fake = await startFakeBinanceSpot({ balances: { USDT: '100000' } })
    try {
      const first = await createBinanceTestnetTrader(t.db, fake, { watchlist: ['ETH/USDT'] })
      const traders = [first.traderId]
      for (let i = 0; i < 3; i++) {
        const id = (await createTrader({ db: t.db, userId: first.userId, input: { name: `Sharer ${i}`, accountId: first.accountId, watchlist: ['ETH/USDT'], autoTrade: false } })).id
        await useManualTraderSettings(t.db, id)
        traders.push(id)
      }
      fake.setPrice('ETH/USDT', '3000.00', '3000.01')
      await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000.00', ask: '3000.01' })
      const results = await Promise.allSettled(
        traders.map((traderId) => openPosition({ db: t.db, userId: first.userId, actor: first.actor, input: { traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '2900' } })),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).message).toMatch(/another trader on account ".*" holds ETH\/USDT|already has an active ETH\/USDT position/)
      expect(await t.db.position.count({ where: { accountId: first.accountId, status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(1)
      expect(fake.orders).toHaveLength(1)
    } finally {
      await closeLiveAdapters()
      await fake.close()
    }
  })
})
