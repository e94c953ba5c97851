import { afterAll, beforeAll, expect, test } from 'vitest'
import { sqlOf } from '@/lib/db/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { dec } from '@/lib/domain/decimal'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { loadTraderAndUserRiskState } from '@/lib/server/risk/load-risk-state'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * Entries of one book made at once share one read of it (bookReads): each trader's figures, and
 * the book's, must be exactly what the entry would have read alone, whatever its own limits read.
 */

let t: TestDatabase
let userId: string
const usdt: { id: string; reads?: { entries: boolean; closes: boolean } }[] = []
let eurTrader: string
const now = Date.now()

beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 'book@example.com', passwordHash: 'x', timeZone: 'Europe/Berlin' } })).id
  const actor = { kind: 'USER' as const, id: userId }
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
  await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
  await seedMarket(t.db, { symbol: 'BTC/EUR', bid: '55000', ask: '55010' })
  // What each trader's own limits read: everything, entries only, closes only, nothing.
  const reads = [undefined, { entries: true, closes: false }, { entries: false, closes: true }, { entries: false, closes: false }, undefined]
  for (const [i, r] of reads.entries()) {
    const trader = await createTrader({ db: t.db, userId, input: { name: `USDT ${i}`, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: 'BTC/USDT, ETH/USDT' } })
    await useManualTraderSettings(t.db, trader.id)
    usdt.push({ id: trader.id, reads: r })
    const open = (symbol: string, size: string) =>
      openPosition({ db: t.db, userId, actor, input: { traderId: trader.id, symbol, side: 'LONG', sizeMode: 'BASE', size, entryType: 'MARKET', stopLoss: symbol === 'BTC/USDT' ? '50000' : '2000' } })
    // A losing trade closed (its streak), and one position left open, different for each trader.
    const lost = await open('ETH/USDT', String(i + 1))
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '2990', ask: '2991' })
    await closePosition({ db: t.db, userId, actor, positionId: lost.positionId, input: {} })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
    if (i !== 3) await open(i % 2 ? 'BTC/USDT' : 'ETH/USDT', `0.${i + 1}`)
  }
  const eur = await createTrader({ db: t.db, userId, input: { name: 'EUR', quoteCurrency: 'EUR', startingBalance: '100000', watchlist: 'BTC/EUR' } })
  await useManualTraderSettings(t.db, eur.id)
  eurTrader = eur.id
  await openPosition({ db: t.db, userId, actor, input: { traderId: eur.id, symbol: 'BTC/EUR', side: 'LONG', sizeMode: 'BASE', size: '0.2', entryType: 'MARKET', stopLoss: '50000' } })
})
afterAll(() => t.drop())

/** Statements run through it, counted. */
function counting(inner: SqlTx): { statements: number; tx: SqlTx } {
  const c: { statements: number; tx: SqlTx } = {
    statements: 0,
    tx: {
      $queryRaw: (...a: Parameters<SqlTx['$queryRaw']>) => (c.statements++, inner.$queryRaw(...a)),
      $executeRaw: (...a: Parameters<SqlTx['$executeRaw']>) => (c.statements++, inner.$executeRaw(...a)),
    } as SqlTx,
  }
  return c
}

const userLimits = { pnlPeak: dec('25'), duplicateWindowSeconds: 60, cooldownMinutes: 5, reads: { entries: true, closes: true } }

function readFor(traderId: string, reads: { entries: boolean; closes: boolean } | undefined, tx: SqlTx, sharedIn?: { mode: 'PAPER'; quoteCurrency: string }) {
  return loadTraderAndUserRiskState(tx, {
    userId, traderId, timeZone: 'Europe/Berlin', now, sharedIn,
    trader: { pnlPeak: dec('10'), duplicateWindowSeconds: 30, cooldownMinutes: 1, reads },
    user: userLimits,
  })
}

// Decimals as their exact strings, so that figures compare by value.
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown

test("entries of a book made at once share its read, and each gets exactly its own trader's figures and the book's; another book reads apart", async () => {
  const alone = await Promise.all(usdt.map((u) => readFor(u.id, u.reads, sqlOf(t.db))))
  const eurAlone = await readFor(eurTrader, undefined, sqlOf(t.db))
  // The figures differ from trader to trader, so a mix-up would show.
  expect(new Set(alone.map((a) => a.trader.state.exposureQuote.toFixed())).size).toBe(usdt.length)

  const each = usdt.map(() => counting(sqlOf(t.db)))
  const eurCount = counting(sqlOf(t.db))
  const [shared, eurShared] = await Promise.all([
    Promise.all(usdt.map((u, i) => readFor(u.id, u.reads, each[i]!.tx, { mode: 'PAPER', quoteCurrency: 'USDT' }))),
    readFor(eurTrader, undefined, eurCount.tx, { mode: 'PAPER', quoteCurrency: 'EUR' }),
  ])
  expect(shared.map(plain)).toEqual(alone.map(plain))
  expect(plain(eurShared)).toEqual(plain(eurAlone))
  // The first USDT entry read alone, the four made while it ran shared the next read; EUR read on its own.
  expect(each.map((c) => c.statements)).toEqual([1, 1, 0, 0, 0])
  expect(eurCount.statements).toBe(1)
})

test("a shared read that fails on one entry's connection fails that entry only: the others of its batch read again alone", async () => {
  const [a, b, c] = usdt
  const alone = await readFor(c!.id, c!.reads, sqlOf(t.db))
  const broken: SqlTx = {
    $queryRaw: () => Promise.reject(new Error('connection to the database lost')),
    $executeRaw: () => Promise.reject(new Error('connection to the database lost')),
  }
  const book = { mode: 'PAPER' as const, quoteCurrency: 'USDT' }
  // a reads alone; b and c, asking while it runs, share the next read, which runs on b's connection.
  const first = readFor(a!.id, a!.reads, sqlOf(t.db), book)
  const onBroken = readFor(b!.id, b!.reads, broken, book)
  const other = readFor(c!.id, c!.reads, sqlOf(t.db), book)
  await first
  await expect(onBroken).rejects.toThrow('connection to the database lost')
  expect(plain(await other)).toEqual(plain(alone))
})
