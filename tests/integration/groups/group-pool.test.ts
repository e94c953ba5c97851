import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { promoteFromPool } from '@/lib/server/groups/group-pool'
import { loadPoolView, promoteQueueEntry, removeQueueEntry, updatePoolSettings } from '@/lib/server/groups/pool-views'
import { updateGroupSettings } from '@/lib/server/groups/update-group-settings'
import { receiveSignal } from '@/lib/server/signals/receive-signal'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// The group pool through a real worker (signal loop, group keeper, pool keeper) on paper accounts
// priced by a Binance-compatible server: the cap, the queue, replacement, removal, promotion.
describe('the group pool and its queue', () => {
  let t: TestDatabase
  let fake: FakeBinance
  let worker: Worker | null = null
  let userId: string
  const traders: { id: string; secret: string }[] = []
  let n = 0
  const log: string[] = []

  const post = async (trader: number, fields: Record<string, string>) => {
    const { id, secret } = traders[trader]!
    const answer = await receiveSignal({ db: t.db, traderId: id, text: JSON.stringify({ secret, interval: '60', id: `p${++n}`, ...fields }), contentType: 'application/json', remoteAddr: '127.0.0.1' })
    if (answer.httpStatus !== 202) throw new Error(`webhook answered ${answer.httpStatus}: ${JSON.stringify(answer.body)}`)
    return answer.body.signalId
  }
  const settled = (signalId: string) => waitFor(async () => {
    const s = await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })
    return s.status === 'ACCEPTED' || s.status === 'PROCESSING' ? null : s
  }, `signal ${signalId} processed`)
  const openGroups = () => t.db.positionGroup.count({ where: { userId, status: { not: 'CLOSED' } } })
  // Between tests: nothing waiting, nothing running, nothing open.
  const closeAll = async () => {
    for (const w of (await loadPoolView(t.db, userId)).waiting) await removeQueueEntry({ db: t.db, userId, entryId: w.id })
    await waitFor(async () => ((await t.db.signal.count({ where: { userId, status: { in: ['ACCEPTED', 'PROCESSING'] } } })) === 0 ? true : null), 'no signal running')
    for (const g of await t.db.positionGroup.findMany({ where: { userId, status: 'OPEN' }, select: { traderId: true, symbol: true } })) {
      const i = traders.findIndex((x) => x.id === g.traderId)
      await settled(await post(i, { symbol: g.symbol.replace('/', ''), action: 'sell', intent: 'close' }))
    }
    await waitFor(async () => ((await openGroups()) === 0 ? true : null), 'every group closed')
  }

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinance()
    userId = (await t.db.user.create({ data: { email: 'pool@example.com', passwordHash: 'x' } })).id
    for (let i = 0; i < 6; i++) {
      const trader = await createTrader({ db: t.db, userId, input: { name: `Pool ${i}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } })
      await useManualTraderSettings(t.db, trader.id)
      // One leg per pyramid: each group is a single market entry, so the pool is all there is to watch.
      await updateGroupSettings({ db: t.db, userId, traderId: trader.id, input: { enabled: true, legs: 1, pyramidCapitalQuote: '100', maxPyramids: 3, stopPct: '10' } })
      traders.push({ id: trader.id, secret: (await rotateWebhookSecret({ db: t.db, userId, traderId: trader.id, actor: { kind: 'USER', id: userId } })).secret })
    }
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500' })
    worker = await startWorker({ db: t.db, cfg, databaseUrl: t.url, log: (m) => log.push(m) })
    for (const s of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: s } }), `first ${s} quote`)
  }, 60_000)
  afterAll(async () => {
    await worker?.stop()
    await fake.close()
    await t?.drop()
  })

  test('a full pool queues entries; a newer signal replaces the pair’s; a person removes one; a closed group’s slot goes to the best-ranked', async () => {
    await updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 1 } })
    const btc = await settled(await post(0, { symbol: 'BTCUSDT', action: 'buy' }))
    expect([btc.status, btc.reason]).toEqual(['DONE', null])

    const eth1 = await settled(await post(0, { symbol: 'ETHUSDT', action: 'buy' }))
    expect(eth1.status).toBe('WAITING')
    expect(eth1.reason).toMatch(/^the group pool has no slot for it \(1 of 1 in use\)/)
    const sol = await settled(await post(1, { symbol: 'SOLUSDT', action: 'buy' }))
    expect(sol.status).toBe('WAITING')
    // A newer ETH entry takes the waiting one's place (its time in the queue included) and counts a replacement.
    const eth2 = await settled(await post(0, { symbol: 'ETHUSDT', action: 'buy' }))
    expect(eth2.status).toBe('WAITING')
    expect(eth2.reason).toContain(`it replaces signal ${eth1.id}`)
    const replaced = await t.db.signal.findUniqueOrThrow({ where: { id: eth1.id } })
    expect([replaced.status, replaced.reason]).toEqual(['REJECTED', `replaced in the pool queue by a newer signal for ETH/USDT (${eth2.id})`])

    // SOL arrived before the replacement, but the replaced pair ranks first (nothing is open on either pair).
    let pool = await loadPoolView(t.db, userId)
    expect(pool.slots).toEqual({ cap: 1, used: 1, free: 0 })
    expect(pool.waiting.map((w) => [w.rank, w.symbol, w.signalId, w.replacements, w.pairPnlPct])).toEqual([
      [1, 'ETH/USDT', eth2.id, 1, '0.00'],
      [2, 'SOL/USDT', sol.id, 0, '0.00'],
    ])
    const ethEntry = pool.waiting[0]!
    expect(ethEntry.queuedAt).toBe((await t.db.poolQueueEntry.findUniqueOrThrow({ where: { signalId: eth1.id } })).queuedAt.toISOString())
    await expect(promoteQueueEntry({ db: t.db, userId, entryId: ethEntry.id })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/the group pool is full \(1 of 1 slots in use\)/) })

    pool = await removeQueueEntry({ db: t.db, userId, entryId: pool.waiting[1]!.id })
    expect(pool.waiting.map((w) => w.symbol)).toEqual(['ETH/USDT'])
    expect(pool.recent.find((r) => r.signalId === sol.id)).toMatchObject({ status: 'REMOVED', endReason: 'removed by hand' })
    expect((await t.db.signal.findUniqueOrThrow({ where: { id: sol.id } })).reason).toBe("removed from the group pool's queue: removed by hand")
    await expect(removeQueueEntry({ db: t.db, userId, entryId: pool.recent.find((r) => r.signalId === sol.id)!.id })).rejects.toMatchObject({ status: 409 })

    // Closing the BTC group frees the slot: the worker promotes ETH, whose signal now runs (older
    // than its max lag would allow by now is fine: it waited for its slot).
    await settled(await post(0, { symbol: 'BTCUSDT', action: 'sell', intent: 'close' }))
    const ran = await waitFor(async () => {
      const s = await t.db.signal.findUniqueOrThrow({ where: { id: eth2.id } })
      return s.status === 'DONE' ? s : null
    }, 'the promoted ETH entry carried out')
    expect(ran.result).toMatchObject({ promotedFrom: ethEntry.id, group: { newGroup: true } })
    const groups = await t.db.positionGroup.findMany({ where: { userId, status: { not: 'CLOSED' } }, select: { symbol: true } })
    expect(groups.map((g) => g.symbol)).toEqual(['ETH/USDT'])
    pool = await loadPoolView(t.db, userId)
    expect([pool.slots, pool.waiting.length]).toEqual([{ cap: 1, used: 1, free: 0 }, 0])
    expect(pool.recent[0]).toMatchObject({ signalId: eth2.id, status: 'PROMOTED', endReason: 'its turn in the queue' })
    await closeAll()
  })

  test('an exit signal drops the pair’s waiting entry; an entry left waiting past its expiry is dropped', async () => {
    await updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 1, queueExpiryMinutes: 5 } })
    await settled(await post(2, { symbol: 'SOLUSDT', action: 'buy' }))
    const eth = await settled(await post(2, { symbol: 'ETHUSDT', action: 'buy' }))
    expect(eth.status).toBe('WAITING')
    const exit = await settled(await post(2, { symbol: 'ETHUSDT', action: 'sell', intent: 'close' }))
    expect([exit.status, exit.reason]).toEqual(['DONE', "no open group to close; the entry waiting in the pool's queue for ETH/USDT was removed"])
    expect(await t.db.signal.findUniqueOrThrow({ where: { id: eth.id } })).toMatchObject({ status: 'REJECTED', reason: `removed from the group pool's queue: exit signal ${exit.id} for ETH/USDT` })

    const btc = await settled(await post(2, { symbol: 'BTCUSDT', action: 'buy' }))
    expect(btc.status).toBe('WAITING')
    // Six minutes on (the pass takes "now"): past the 5-minute expiry.
    expect(await promoteFromPool(t.db, userId, new Date(Date.now() + 6 * 60_000))).toEqual([])
    const expired = await t.db.signal.findUniqueOrThrow({ where: { id: btc.id } })
    expect(expired.status).toBe('REJECTED')
    expect(expired.reason).toMatch(/^expired in the group pool's queue: no slot freed within its expiry \(6 min\)$/)
    expect((await t.db.poolQueueEntry.findUniqueOrThrow({ where: { signalId: btc.id } })).status).toBe('EXPIRED')
    await closeAll()
  })

  test('an entry promoted in the moment an exit for its pair was handled does not run after the exit', async () => {
    await updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 1, queueExpiryMinutes: 60 } })
    await settled(await post(3, { symbol: 'SOLUSDT', action: 'buy' }))
    const eth = await settled(await post(3, { symbol: 'ETHUSDT', action: 'buy' }))
    expect(eth.status).toBe('WAITING')
    // The exit came while ETH waited, and was handled as the entry was being promoted: it found
    // nothing waiting and nothing open (as recorded here), so the entry was left in the queue.
    const exit = await t.db.signal.create({
      data: { traderId: traders[3]!.id, userId, payloadHash: 'race-exit', body: '{}', payload: { interval: '60' }, symbol: 'ETH/USDT', action: 'sell', intent: 'close', status: 'DONE', httpStatus: 202, reason: 'no open ETH/USDT position: nothing to close' },
    })
    await updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 2 } })
    const ran = await waitFor(async () => {
      const s = await t.db.signal.findUniqueOrThrow({ where: { id: eth.id } })
      return ['DONE', 'REJECTED', 'FAILED'].includes(s.status) ? s : null
    }, 'the promoted entry processed')
    expect([ran.status, ran.reason]).toEqual(['REJECTED', `exit signal ${exit.id} for ETH/USDT came while it waited in the group pool's queue: the trade it was for is over`])
    expect(await t.db.positionGroup.count({ where: { traderId: traders[3]!.id, symbol: 'ETH/USDT' } })).toBe(0)
    await closeAll()
  })

  test('six traders’ entries at once with two slots: exactly two groups open, four wait; raising the cap runs the best of them', async () => {
    await updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 2, queueExpiryMinutes: 60 } })
    const ids = await Promise.all(traders.map((_, i) => post(i, { symbol: 'BTCUSDT', action: 'buy' })))
    const outcomes = await Promise.all(ids.map(settled))
    expect(outcomes.map((s) => s.status).sort()).toEqual(['DONE', 'DONE', 'WAITING', 'WAITING', 'WAITING', 'WAITING'])
    expect(await openGroups()).toBe(2)

    // Three more slots: the three best-ranked (the earliest, as nothing else differs) run, one still waits.
    const waitingBefore = (await loadPoolView(t.db, userId)).waiting.map((w) => w.signalId)
    await updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 5 } })
    await waitFor(async () => ((await openGroups()) === 5 ? true : null), 'five groups open')
    const pool = await loadPoolView(t.db, userId)
    expect(pool.waiting.map((w) => w.signalId)).toEqual([waitingBefore[3]])
    for (const id of waitingBefore.slice(0, 3)) expect((await settled(id)).status).toBe('DONE')
    await closeAll()
  })

  test('with pyramids taking a slot, a pyramid for an open group waits too, and ranks first as a continuation', async () => {
    await updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 1, pyramidsTakeSlot: true } })
    expect((await settled(await post(3, { symbol: 'BTCUSDT', action: 'buy' }))).status).toBe('DONE')
    const eth = await settled(await post(4, { symbol: 'ETHUSDT', action: 'buy' }))
    const more = await settled(await post(3, { symbol: 'BTCUSDT', action: 'buy', intent: 'pyramid' }))
    expect([eth.status, more.status]).toEqual(['WAITING', 'WAITING'])
    const pool = await loadPoolView(t.db, userId)
    expect(pool.waiting.map((w) => [w.symbol, w.continuation])).toEqual([['BTC/USDT', true], ['ETH/USDT', false]])
    // Off again: a pyramid needs no slot of its own; the one waiting still waits for its turn.
    await updatePoolSettings({ db: t.db, userId, input: { pyramidsTakeSlot: false } })
    const again = await settled(await post(3, { symbol: 'BTCUSDT', action: 'buy', intent: 'pyramid' }))
    expect(again.status).toBe('DONE')
    expect(await t.db.groupPyramid.count({ where: { group: { traderId: traders[3]!.id, status: 'OPEN' } } })).toBe(2)
    await closeAll()
  })

  test('bad pool settings are refused by field, and nothing is written', async () => {
    const before = (await loadPoolView(t.db, userId)).settings
    await expect(updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 0, queueExpiryMinutes: 'soon', nope: 1 } })).rejects.toMatchObject({
      status: 400,
      fieldErrors: [{ field: 'pool.nope', message: 'is not a known setting' }],
    })
    await expect(updatePoolSettings({ db: t.db, userId, input: { maxOpenGroups: 0, queueExpiryMinutes: 'soon' } })).rejects.toMatchObject({
      status: 400,
      fieldErrors: [{ field: 'pool.maxOpenGroups', message: 'must be at least 1' }, { field: 'pool.queueExpiryMinutes', message: 'must be a whole number' }],
    })
    expect((await loadPoolView(t.db, userId)).settings).toEqual(before)
  })
})
