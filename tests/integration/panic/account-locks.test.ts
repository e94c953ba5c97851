import { afterEach, describe, expect, test } from 'vitest'
import type { DbTx } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { requestExit } from '@/lib/server/positions/request-exit'
import { haltAccount, lockTraderForEntry } from '@/lib/server/trading/halt-trading'
import { createPanicWorld, type PanicWorld } from './panic-world'

// The account row's locks: an opening transaction and a halt are ordered (an entry commits before
// the halt, and panic closes it, or it is refused), while the paper fills of the account, and the
// rows that merely name it, do not wait on either. Each "waits" below is checked as still pending
// after a while and done once the holder lets go; each "does not wait" would hang (and time out)
// if it did.

let w: PanicWorld | undefined
afterEach(async () => {
  await w?.drop()
  w = undefined
})

/**
 * Runs `work`, which calls `pause()` once it holds its lock: `held` resolves then, and `pause()`
 * returns once `release()` is called. `done` is what the work gives.
 */
function holding<T>(work: (pause: () => Promise<void>) => Promise<T>) {
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  let taken!: () => void
  const held = new Promise<void>((r) => (taken = r))
  const done = work(() => {
    taken()
    return released
  })
  return { held, release, done }
}

/** A transaction that runs `take`, then holds what it took until `release()`. */
const holdInTransaction = (w: PanicWorld, take: (tx: DbTx) => Promise<unknown>) =>
  holding((pause) =>
    w.db.$transaction(async (tx) => {
      await take(tx)
      await pause()
    }),
  )

/** Whether `p` is still pending `ms` after this call. */
async function stillPendingAfter(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false
  void p.then(
    () => (settled = true),
    () => (settled = true),
  )
  await new Promise((r) => setTimeout(r, ms))
  return !settled
}

const noLongerThan = <T,>(p: Promise<T>, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited on the lock held beside it`)), 10_000))])

describe('account row locks', () => {
  test('a halt waits for an opening transaction in flight; an entry arriving during a halt waits for it, then is refused', async () => {
    w = await createPanicWorld()
    const actor = { kind: 'USER' as const, id: w.userId }
    const opening = holdInTransaction(w, (tx) => lockTraderForEntry(tx, w!.alpha.id))
    await opening.held
    const halt = w.db.$transaction((tx) => haltAccount(tx, { accountId: w!.alpha.accountId, reason: 'test halt', actor }))
    expect(await stillPendingAfter(halt, 400)).toBe(true)
    opening.release()
    await opening.done
    expect(await halt).toEqual({ alreadyHalted: false })

    const halting = holdInTransaction(w, (tx) => haltAccount(tx, { accountId: w!.beta.accountId, reason: 'test halt', actor }))
    await halting.held
    const entry = w.open(w.beta, 'BTC/USDT', 'LONG', '0.01').catch((e: { status?: number; message: string }) => e)
    expect(await stillPendingAfter(entry, 400)).toBe(true)
    halting.release()
    await halting.done
    expect(await entry).toMatchObject({ status: 409, message: expect.stringMatching(/^trading is halted on account "Beta \(paper\)"/) })
    expect(await w.db.position.count({ where: { traderId: w.beta.id } })).toBe(0)
  })

  test('an opening transaction that fills on paper takes the account up to NO KEY UPDATE while a halt waits: no deadlock, the halt follows it', async () => {
    w = await createPanicWorld()
    const actor = { kind: 'USER' as const, id: w.userId }
    const { accountId } = w.alpha
    // The entry's own steps: its check under KEY SHARE, then (the paper fill, in the same
    // transaction) the account's fill lock, taken while a halt queues for FOR UPDATE.
    const opening = holding((pause) =>
      w!.db.$transaction(async (tx) => {
        await lockTraderForEntry(tx, w!.alpha.id)
        await pause()
        await tx.$queryRaw`SELECT id FROM "ExchangeAccount" WHERE id = ${accountId} FOR NO KEY UPDATE`
        return 'committed'
      }),
    )
    await opening.held
    const halt = w.db.$transaction((tx) => haltAccount(tx, { accountId, reason: 'test halt', actor }))
    expect(await stillPendingAfter(halt, 400)).toBe(true)
    opening.release()
    expect(await noLongerThan(opening.done, 'the opening transaction')).toBe('committed')
    expect(await halt).toEqual({ alreadyHalted: false })
  })

  test('a paper exit fills beside an opening transaction; while a fill holds the account, the rows naming it are written and the next fill waits', async () => {
    w = await createPanicWorld()
    const { db, alpha, userId } = w
    const actor = { kind: 'USER' as const, id: userId }
    const positionId = await w.open(alpha, 'BTC/USDT', 'LONG', '0.01')

    const opening = holdInTransaction(w, (tx) => lockTraderForEntry(tx, alpha.id))
    await opening.held
    await noLongerThan(requestExit({ db, userId, positionId, actor, purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'test exit' }), 'the exit')
    expect((await db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
    opening.release()
    await opening.done

    // A paper fill holding the account: its bookkeeping (the apply step) is kept from finishing.
    const paper = exchangeForAccount(db, { id: alpha.accountId, kind: 'PAPER', venue: null })
    const buy = (clientOrderId: string) => ({ clientOrderId, symbol: 'ETH/USDT', side: 'BUY' as const, type: 'MARKET' as const, qty: dec('0.1'), reduceOnly: false })
    const first = holding((pause) => paper.placeOrderAndApply!(buy('lock-test-1'), () => pause()))
    await first.held
    // What an exit writes before sending (its order row names the account) is not held up.
    await noLongerThan(
      db.order.create({ data: { accountId: alpha.accountId, traderId: alpha.id, clientOrderId: 'lock-test-row', symbol: 'ETH/USDT', side: 'SELL', type: 'MARKET', purpose: 'MANUAL_EXIT', qty: '0.1', status: 'NEW', createdBy: 'USER' } }),
      'the order row',
    )
    const second = paper.placeOrder(buy('lock-test-2'))
    expect(await stillPendingAfter(second, 400)).toBe(true)
    first.release()
    expect([(await first.done).status, (await second).status]).toEqual(['FILLED', 'FILLED'])
    const eth = await db.accountBalance.findUniqueOrThrow({ where: { accountId_asset: { accountId: alpha.accountId, asset: 'ETH' } } })
    expect(eth.amount.toString()).toBe('0.2')
  })
})
