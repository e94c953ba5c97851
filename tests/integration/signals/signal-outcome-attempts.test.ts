import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { promote } from '@/lib/server/groups/group-pool'
import { processSignal, recordSignalOutcome } from '@/lib/server/signals/process-signal'
import { receiveSignal } from '@/lib/server/signals/receive-signal'
import { claimSignals } from '@/lib/server/signals/signal-queue'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/**
 * An attempt at a signal writes its outcome only while the signal is still its own. The case that
 * lost entries: an attempt queues the entry in the full group pool (committed), a slot frees at
 * that moment and the pool promotes it (the signal goes back to the queue, ACCEPTED), another
 * worker claims it (PROCESSING again), and only then does the first attempt write "waits in the
 * pool's queue". Guarded on PROCESSING alone, that write landed on the new claim: the signal said
 * WAITING for good, its queue entry said PROMOTED, and the entry was never carried out (the new
 * attempt found the signal no longer PROCESSING and did nothing; recovery only looks at PROCESSING).
 * The states are made here in that order, by the functions the worker runs (real PostgreSQL).
 */
describe('a signal attempt overtaken by a later claim (real PostgreSQL, paper exchange)', () => {
  let t: TestDatabase
  let userId: string
  let traderId: string
  let secret: string
  const sessions: pg.Client[] = []

  const session = async () => {
    const c = new pg.Client({ connectionString: t.url })
    await c.connect()
    sessions.push(c)
    return c
  }

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'attempts@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Signals', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['ETH/USDT', 'BTC/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    secret = (await rotateWebhookSecret({ db: t.db, userId, traderId, actor: { kind: 'USER', id: userId } })).secret
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000.5' })
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60000.5' })
  }, 60_000)
  afterAll(async () => {
    for (const c of sessions) await c.end()
    await t?.drop()
  })

  test("the first attempt's late 'waits in the queue' does not overwrite the promoted entry's new claim, which then carries it out", async () => {
    const answer = await receiveSignal({ db: t.db, traderId, text: JSON.stringify({ secret, symbol: 'ETHUSDT', action: 'buy', id: 'late-1', size: '0.1' }), contentType: 'application/json', remoteAddr: '127.0.0.1' })
    if (answer.httpStatus !== 202 || !('signalId' in answer.body)) throw new Error(`webhook answered ${answer.httpStatus}: ${JSON.stringify(answer.body)}`)
    const signalId = answer.body.signalId

    // Worker A claims it (attempt 1) and queues the entry in the pool.
    const a = await session()
    expect(await claimSignals(a, { limit: 10, accounts: null })).toEqual([{ id: signalId, locked: true }])
    const first = await t.db.signal.findUniqueOrThrow({ where: { id: signalId }, select: { id: true, attempts: true } })
    expect(first.attempts).toBe(1)
    const entry = await t.db.poolQueueEntry.create({ data: { userId, traderId, symbol: 'ETH/USDT', side: 'LONG', signalId, expiresAt: new Date(Date.now() + 3_600_000) } })

    // A slot frees: the pool promotes the entry, and worker B claims the signal again (attempt 2).
    await t.db.$transaction((tx) => promote(tx, entry.id, signalId, 'its turn in the queue', new Date()))
    const b = await session()
    expect(await claimSignals(b, { limit: 10, accounts: null })).toEqual([{ id: signalId, locked: false }])

    // Only now does A write what it found.
    const waiting = { status: 'WAITING' as const, reason: 'the group pool has no slot for it (1 of 1 in use): it waits in the pool\'s queue', result: { queued: { entryId: entry.id } }, positionId: null }
    expect(await recordSignalOutcome(t.db, first, waiting)).toBe(false)
    expect(await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })).toMatchObject({ status: 'PROCESSING', attempts: 2 })

    // B carries it out: the entry is made, and its outcome is the one that stands.
    const outcome = await processSignal({ db: t.db, signalId, actor: { kind: 'WORKER', id: 'b' } })
    expect([outcome?.status, outcome?.reason]).toEqual(['DONE', null])
    const p = await t.db.position.findUniqueOrThrow({ where: { signalId } })
    expect(await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })).toMatchObject({ status: 'DONE', positionId: p.id, result: expect.objectContaining({ promotedFrom: entry.id }) })
    // A's outcome, arriving later still, changes nothing.
    expect(await recordSignalOutcome(t.db, first, waiting)).toBe(false)
    expect((await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })).status).toBe('DONE')
  })

  test('an attempt overtaken while it ran answers null, and the later attempt finds the entry made and records it once', async () => {
    const answer = await receiveSignal({ db: t.db, traderId, text: JSON.stringify({ secret, symbol: 'BTCUSDT', action: 'buy', id: 'overtaken-1', size: '0.01' }), contentType: 'application/json', remoteAddr: '127.0.0.1' })
    if (answer.httpStatus !== 202 || !('signalId' in answer.body)) throw new Error(`webhook answered ${answer.httpStatus}: ${JSON.stringify(answer.body)}`)
    const signalId = answer.body.signalId
    expect(await claimSignals(await session(), { limit: 10, accounts: null })).toEqual([{ id: signalId, locked: true }])

    // Another worker adopts the signal while this attempt makes its entry (an attempt more, as adoptions count).
    await t.db.$executeRawUnsafe(`CREATE FUNCTION adopt_meanwhile() RETURNS trigger AS $$ BEGIN UPDATE "Signal" SET attempts = attempts + 1 WHERE id = NEW."signalId"; RETURN NEW; END $$ LANGUAGE plpgsql`)
    await t.db.$executeRawUnsafe(`CREATE TRIGGER adopt_meanwhile AFTER INSERT ON "Position" FOR EACH ROW EXECUTE FUNCTION adopt_meanwhile()`)
    const overtaken = await processSignal({ db: t.db, signalId, actor: { kind: 'WORKER', id: 'a' } }).finally(() => t.db.$executeRawUnsafe('DROP TRIGGER adopt_meanwhile ON "Position"'))
    expect(overtaken).toBeNull()
    const p = await t.db.position.findUniqueOrThrow({ where: { signalId } })
    expect(await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })).toMatchObject({ status: 'PROCESSING', attempts: 2, positionId: null })

    // The later attempt's outcome is the one that stands: the entry that was made, not a second one.
    const later = await processSignal({ db: t.db, signalId, actor: { kind: 'WORKER', id: 'b' } })
    expect(later?.status).toBe('DONE')
    expect(await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })).toMatchObject({ status: 'DONE', positionId: p.id })
    expect(await t.db.position.count({ where: { traderId, symbol: 'BTC/USDT' } })).toBe(1)
  })
})
