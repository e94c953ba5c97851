import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Semaphore } from '@/lib/server/concurrency/semaphore'
import { AppError } from '@/lib/server/errors/app-error'
import { ENTRY_CONCURRENCY, entrySlots, inEntrySlot } from '@/lib/server/positions/entry-slots'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

const actor = { kind: 'USER' as const, id: 'u' }

/** Holds `n` slots of `slots` until the returned function is called. */
async function hold(slots: Semaphore, n: number) {
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  const holders = Array.from({ length: n }, () => slots.run(() => released))
  while (slots.inUse < n) await new Promise((r) => setImmediate(r))
  return async () => {
    release()
    await Promise.all(holders)
  }
}

describe('entry slots: a bounded number of entries in flight, the rest wait their turn', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'slots@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Slots', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
    traderId = trader.id
    await useManualTraderSettings(t.db, traderId)
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
  })
  afterAll(() => t.drop())

  test('with every slot taken an entry waits, writes nothing meanwhile, and goes through once one frees up', async () => {
    const release = await hold(entrySlots, ENTRY_CONCURRENCY)
    const opening = openPosition({
      db: t.db,
      userId,
      actor,
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59900' },
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(entrySlots.waiting).toBe(1)
    expect(await t.db.position.count({ where: { traderId } })).toBe(0)
    await release()
    const { positionId } = await opening
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('MONITORING')
  })

  test('an entry not admitted in time is BUSY (503 with Retry-After) and never runs', async () => {
    const slots = new Semaphore(1, 50)
    const release = await hold(slots, 1)
    let ran = false
    const err = await inEntrySlot(async () => void (ran = true), slots).catch((e: unknown) => e)
    await release()
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).status).toBe(503)
    expect((err as AppError).code).toBe('BUSY')
    expect((err as AppError).retryAfterSeconds).toBe(5)
    expect(ran).toBe(false)
  })
})
