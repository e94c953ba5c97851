import { afterAll, beforeAll, expect, test } from 'vitest'
import { createDb, type Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { loadQuote, quoteAgeMs, saveQuotes } from '@/lib/market-data/quote-store'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

// A server (or database) whose default time zone is not UTC: raw SQL that writes a timestamptz
// into a DateTime column (the quote store's upsert, now()) must still store UTC, or a fresh quote
// reads back hours old and nothing trades.
let t: TestDatabase
let db: Db
beforeAll(async () => {
  t = await createTestDatabase()
  const name = new URL(t.url).pathname.slice(1)
  await t.db.$executeRawUnsafe(`ALTER DATABASE "${name}" SET timezone = 'America/New_York'`)
  db = createDb(t.url) // new sessions pick up the database's default
})
afterAll(async () => {
  await db.$disconnect()
  await t.drop()
})

test('times written by raw SQL read back unchanged when the database default time zone is not UTC', async () => {
  const receivedAt = Date.now()
  await saveQuotes(db, [{ symbol: 'BTC/USDT', bid: dec('100'), ask: dec('100.1'), last: dec('100'), exchangeTs: receivedAt - 40, receivedAt }], 'test')
  const q = await loadQuote(db, 'BTC/USDT')
  expect(q?.receivedAt.getTime()).toBe(receivedAt)
  expect(q?.exchangeTs.getTime()).toBe(receivedAt - 40)
  expect(quoteAgeMs(q!, receivedAt)).toBe(0)
  // now() in raw SQL, as the paper balances' updatedAt: within the minute, not hours away.
  const [{ drift }] = await db.$queryRaw<{ drift: number }[]>`SELECT abs(extract(epoch from (now()::timestamp - ${new Date()}::timestamp)))::float8 AS drift`
  expect(drift).toBeLessThan(60)
})
