import { afterEach, describe, expect, test } from 'vitest'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import type { Db } from '@/lib/db/client'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { pressPanic } from '@/lib/server/panic/press-panic'
import { runPanic, type PanicReport } from '@/lib/server/panic/run-panic'
import { lockTraderForEntry, setTraderStatus } from '@/lib/server/trading/halt-trading'
import { resumeTrading } from '@/lib/server/trading/resume-trading'
import { FlakyExchange, type Misbehaviour } from './flaky-exchange'
import { ACTIVE_POSITION, createPanicWorld, OPEN_ORDER, seedPrices, type PanicWorld } from './panic-world'

const noWait = () => 0
let w: PanicWorld | undefined
afterEach(async () => {
  await w?.drop()
  w = undefined
})

const actorOf = (w: PanicWorld) => ({ kind: 'USER' as const, id: w.userId })

/** A paper exchange per account that misbehaves as planned (keyed by account id, then symbol). */
function flaky(db: Db, plans: Record<string, Record<string, Misbehaviour>>) {
  const made: FlakyExchange[] = []
  const exchangeFor = (a: { id: string; kind: 'PAPER' | 'CCXT' }) => {
    const x = new FlakyExchange(exchangeForAccount(db, a, { allowStaleMarket: true }), new Map(Object.entries(plans[a.id] ?? {})))
    made.push(x)
    return x
  }
  return { exchangeFor, calls: () => made.flatMap((x) => x.calls) }
}

/** What "flat" means for a user: nothing open in our books or on the paper exchange, no holdings left. */
async function expectFlat(db: Db, where: { userId: string } | { traderId: string }) {
  const owner = 'userId' in where ? { account: { userId: where.userId } } : { traderId: where.traderId }
  expect(await db.order.findMany({ where: { ...owner, status: { in: [...OPEN_ORDER] } } })).toEqual([])
  expect(await db.position.findMany({ where: { ...owner, status: { in: [...ACTIVE_POSITION] } } })).toEqual([])
  if ('userId' in where) {
    expect(await db.paperOrder.findMany({ where: { account: { userId: where.userId }, status: { in: [...OPEN_ORDER] } } })).toEqual([])
    const holdings = await db.accountBalance.findMany({ where: { account: { userId: where.userId }, asset: { not: 'USDT' } } })
    expect(holdings.map((b) => [b.asset, b.amount.toString()]).filter(([, a]) => a !== '0')).toEqual([])
  }
}

const allPositions = (runs: PanicReport[]) => runs.flatMap((r) => r.positions)
const allOrders = (runs: PanicReport[]) => runs.flatMap((r) => r.orders)

describe('panic: account-wide', () => {
  test('5 positions and resting entries over two traders, one exit refused once: everything flat, halted, every step recorded', async () => {
    w = await createPanicWorld()
    const { db, alpha, beta, userId } = w
    const ids = {
      alphaBtc: await w.open(alpha, 'BTC/USDT', 'LONG', '0.01'),
      alphaEth: await w.open(alpha, 'ETH/USDT', 'SHORT', '0.5'),
      alphaSol: await w.open(alpha, 'SOL/USDT', 'LONG', '5'),
      betaBtc: await w.open(beta, 'BTC/USDT', 'SHORT', '0.02'),
      betaEth: await w.open(beta, 'ETH/USDT', 'LONG', '0.3'),
      alphaXrpLimit: await w.open(alpha, 'XRP/USDT', 'SHORT', '20', '0.6'),
      betaSolLimit: await w.open(beta, 'SOL/USDT', 'LONG', '4', '120'),
    }
    expect(await db.position.count({ where: { status: 'MONITORING' } })).toBe(5)
    expect(await db.paperOrder.count({ where: { status: 'SUBMITTED', type: 'LIMIT' } })).toBe(2)

    // Alpha's ETH exit hits a rate limit (transport error); Beta's BTC exit is answered REJECTED once.
    const x = flaky(db, { [alpha.accountId]: { 'ETH/USDT': { mode: 'THROW' } }, [beta.accountId]: { 'BTC/USDT': { mode: 'REJECT' } } })
    const result = await pressPanic({ db, userId, actor: actorOf(w), input: { confirm: true }, backoffMs: noWait, exchangeFor: x.exchangeFor })

    // The report: every order canceled, every position closed, the refused ones after a retry.
    expect(result.failed).toBe(0)
    expect(result.runs.map((r) => [r.accountId, r.status, r.halted])).toEqual([
      [alpha.accountId, 'COMPLETED', true],
      [beta.accountId, 'COMPLETED', true],
    ])
    const byId = new Map(allPositions(result.runs).map((p) => [p.positionId, p]))
    expect([...byId.keys()].sort()).toEqual([ids.alphaBtc, ids.alphaEth, ids.alphaSol, ids.betaBtc, ids.betaEth].sort())
    expect([...byId.values()].every((p) => p.outcome === 'CLOSED')).toBe(true)
    expect(byId.get(ids.alphaBtc)).toMatchObject({ side: 'LONG', attempts: 1, exitPrice: '60000' }) // sold at the bid
    expect(byId.get(ids.betaBtc)).toMatchObject({ side: 'SHORT', attempts: 2, exitPrice: '60010' }) // bought back at the ask
    expect(byId.get(ids.betaBtc)!.detail).toMatch(/exchange rejected the exit: system busy/)
    expect(byId.get(ids.alphaEth)).toMatchObject({ attempts: 2, exitPrice: '3001' })
    expect(byId.get(ids.alphaEth)!.detail).toMatch(/429 Too Many Requests/)
    expect(allOrders(result.runs).map((o) => [o.positionId, o.outcome]).sort()).toEqual(
      [
        [ids.alphaXrpLimit, 'CANCELED'],
        [ids.betaSolLimit, 'CANCELED'],
      ].sort(),
    )

    // The retries: the exit refused by the rate limit was never sent, so it is REJECTED "not sent"
    // and replaced by a new order, like the rejected one.
    const ethExits = await db.order.findMany({ where: { positionId: ids.alphaEth, purpose: 'MANUAL_EXIT' }, orderBy: { createdAt: 'asc' } })
    expect(ethExits.map((o) => o.status)).toEqual(['REJECTED', 'FILLED'])
    expect(ethExits[0]!.rejectReason).toMatch(/^not sent: 429/)
    expect(x.calls().filter((c) => c.accountId === alpha.accountId && c.symbol === 'ETH/USDT').map((c) => [c.clientOrderId, c.outcome])).toEqual([
      [ethExits[0]!.clientOrderId, 'THROWN'],
      [ethExits[1]!.clientOrderId, 'PASSED'],
    ])
    const btcExits = await db.order.findMany({ where: { positionId: ids.betaBtc, purpose: 'MANUAL_EXIT' }, orderBy: { createdAt: 'asc' } })
    expect(btcExits.map((o) => o.status)).toEqual(['REJECTED', 'FILLED'])

    // End state.
    await expectFlat(db, { userId })
    for (const id of [ids.alphaXrpLimit, ids.betaSolLimit]) {
      expect(await db.position.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'FAILED', statusReason: 'canceled by panic' })
    }
    const accounts = await db.exchangeAccount.findMany({ where: { userId } })
    expect(accounts.map((a) => [a.halted, a.haltedReason])).toEqual([
      [true, 'panic by pat@example.com via the web app'],
      [true, 'panic by pat@example.com via the web app'],
    ])

    // Every step recorded: the run with its report, an audit trail on each position, notifications.
    // (The accounts' runs start side by side: listed by account, in the order the report gives them.)
    const runs = (await db.panicRun.findMany()).sort((a, b) => [alpha.accountId, beta.accountId].indexOf(a.accountId) - [alpha.accountId, beta.accountId].indexOf(b.accountId))
    expect(runs.map((r) => [r.accountId, r.status, r.requestedBy, r.finishedAt !== null])).toEqual([
      [alpha.accountId, 'COMPLETED', 'pat@example.com via the web app', true],
      [beta.accountId, 'COMPLETED', 'pat@example.com via the web app', true],
    ])
    const stored = runs.map((r) => r.report as unknown as PanicReport)
    expect(stored.map((r) => r.positions.length)).toEqual([3, 2])
    expect(stored.map((r) => r.orders.length)).toEqual([1, 1])
    for (const id of [ids.alphaBtc, ids.alphaEth, ids.alphaSol, ids.betaBtc, ids.betaEth]) {
      const events = await db.positionEvent.findMany({ where: { positionId: id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
      expect(events.filter((e) => e.type === 'STATUS_CHANGED').map((e) => e.toStatus).slice(-2), id).toEqual(['CLOSING', 'CLOSED'])
      const panic = events.filter((e) => e.type === 'PANIC_OUTCOME')
      expect(panic, id).toHaveLength(1)
      expect(panic[0]!.after).toMatchObject({ outcome: 'CLOSED', panicRunId: expect.any(String) })
      expect(panic[0]!.actor).toBe('USER')
    }
    const rejected = await db.positionEvent.findFirst({ where: { positionId: ids.betaBtc, type: 'ORDER_STATUS', toStatus: 'REJECTED' } })
    expect(rejected?.message).toMatch(/system busy/)
    const activity = await db.activityEvent.findMany({ where: { userId, type: { in: ['PANIC', 'TRADING_HALTED'] } }, orderBy: { id: 'asc' } })
    expect(activity.filter((a) => a.type === 'TRADING_HALTED')).toHaveLength(2)
    const panics = activity.filter((a) => a.type === 'PANIC')
    expect(panics).toHaveLength(4) // started + finished, per account
    expect(panics.every((a) => a.severity === 'warning')).toBe(true)
    // The accounts are flattened side by side: their messages interleave.
    const finished = panics.filter((a) => / finished in /.test(a.message)).map((a) => a.message.replace(/finished in [\d.]+ s/, 'finished in N s')).sort()
    expect(finished).toEqual([
      'PANIC on account "Alpha (paper)" finished in N s: 3 position(s) closed, 1 order(s) canceled. Trading stays halted until a person re-enables it.',
      'PANIC on account "Beta (paper)" finished in N s: 2 position(s) closed, 1 order(s) canceled. Trading stays halted until a person re-enables it.',
    ])

    // Pressing again does no harm: nothing to do, nothing sent.
    const ordersBefore = await db.order.count()
    const again = await pressPanic({ db, userId, actor: actorOf(w), input: { confirm: true }, backoffMs: noWait })
    expect(again.failed).toBe(0)
    expect(again.runs.map((r) => [r.status, r.orders.length, r.positions.length])).toEqual([
      ['COMPLETED', 0, 0],
      ['COMPLETED', 0, 0],
    ])
    expect(await db.order.count()).toBe(ordersBefore)
    expect((await db.exchangeAccount.findMany({ where: { userId } })).every((a) => a.halted)).toBe(true)

    // Nothing opens until a person re-enables trading (an entry takes its locks with lockTraderForEntry).
    const refused = await db.$transaction((tx) => lockTraderForEntry(tx, alpha.id)).catch((e) => e)
    expect(refused.status).toBe(409)
    expect(refused.message).toMatch(
      /^trading is halted on account "Alpha \(paper\)" since \d{4}-\d\d-\d\dT[\d:.]+Z \(panic by pat@example\.com via the web app\); re-enable it in Settings$/,
    )
    // Only a person may resume.
    await expect(resumeTrading({ db, userId, actor: { kind: 'WORKER', id: 'w1' }, input: { confirm: true } })).rejects.toMatchObject({ status: 403 })
    const state = await resumeTrading({ db, userId, actor: actorOf(w), input: { confirm: true } })
    expect(state.accounts.map((a) => [a.halted, a.haltedReason, a.haltedAt])).toEqual([
      [false, null, null],
      [false, null, null],
    ])
    await db.$transaction((tx) => lockTraderForEntry(tx, alpha.id))
    expect(await db.activityEvent.count({ where: { userId, type: 'TRADING_RESUMED' } })).toBe(2)
  })

  test('two panics at once on the same account close each position exactly once', async () => {
    w = await createPanicWorld()
    const { db, alpha, userId } = w
    const ids = [await w.open(alpha, 'BTC/USDT', 'LONG', '0.01'), await w.open(alpha, 'ETH/USDT', 'SHORT', '0.5'), await w.open(alpha, 'SOL/USDT', 'LONG', '5')]
    const go = () => runPanic({ db, userId, actor: actorOf(w!), scope: { accountId: alpha.accountId }, backoffMs: () => 20 })
    const [a, b] = await Promise.all([go(), go()])
    expect(a.status).toBe('COMPLETED')
    expect(b.status).toBe('COMPLETED')
    for (const id of ids) {
      // Exactly one exit filled, for exactly the open quantity.
      const exits = await db.order.findMany({ where: { positionId: id, purpose: 'MANUAL_EXIT', status: 'FILLED' } })
      expect(exits, id).toHaveLength(1)
      const p = await db.position.findUniqueOrThrow({ where: { id } })
      expect(p.status).toBe('CLOSED')
      expect(p.exitQty.toString()).toBe(p.entryQty.toString())
      const outcomes = [a, b].map((r) => r.positions.find((x) => x.positionId === id)?.outcome ?? 'NOT_SEEN')
      expect(outcomes, id).toContain('CLOSED')
      expect(outcomes.every((o) => ['CLOSED', 'ALREADY_CLOSED', 'NOT_SEEN'].includes(o)), id).toBe(true)
    }
    await expectFlat(db, { userId })
  })
})

describe('panic: per trader', () => {
  test('halts and flattens one trader only; the other keeps its positions and may still open', async () => {
    w = await createPanicWorld()
    const { db, alpha, beta, userId } = w
    const alphaIds = [await w.open(alpha, 'BTC/USDT', 'LONG', '0.01'), await w.open(alpha, 'ETH/USDT', 'SHORT', '0.5')]
    const betaIds = [await w.open(beta, 'BTC/USDT', 'SHORT', '0.02'), await w.open(beta, 'SOL/USDT', 'LONG', '5')]
    const betaLimit = await w.open(beta, 'XRP/USDT', 'LONG', '20', '0.4')

    const report = await runPanic({ db, userId, actor: { kind: 'API', id: userId }, scope: { traderId: beta.id }, backoffMs: noWait })
    expect(report).toMatchObject({ traderId: beta.id, accountId: beta.accountId, status: 'COMPLETED', halted: true })
    expect(report.positions.map((p) => [p.positionId, p.outcome]).sort()).toEqual(betaIds.map((id) => [id, 'CLOSED']).sort())
    expect(report.orders.map((o) => [o.positionId, o.outcome])).toEqual([[betaLimit, 'CANCELED']])
    await expectFlat(db, { traderId: beta.id })

    // Alpha untouched and still allowed to trade; Beta halted by status, its account is not.
    expect((await db.position.findMany({ where: { id: { in: alphaIds } } })).map((p) => p.status)).toEqual(['MONITORING', 'MONITORING'])
    await db.$transaction((tx) => lockTraderForEntry(tx, alpha.id))
    const trader = await db.trader.findUniqueOrThrow({ where: { id: beta.id } })
    expect(trader).toMatchObject({ status: 'HALTED', statusCause: 'PANIC', statusReason: 'panic by pat@example.com via the API' })
    expect((await db.exchangeAccount.findUniqueOrThrow({ where: { id: beta.accountId } })).halted).toBe(false)
    const refused = await db.$transaction((tx) => lockTraderForEntry(tx, beta.id)).catch((e) => e)
    expect(refused.status).toBe(409)
    expect(refused.message).toMatch(/^trader "Beta" is halted since .* \(panic by pat@example\.com via the API\); re-enable it in Settings$/)
    expect((await db.panicRun.findFirstOrThrow()).traderId).toBe(beta.id)

    // A paused trader is refused the same way; resuming "everything" re-activates only what a panic halted.
    await db.$transaction((tx) => setTraderStatus(tx, { traderId: alpha.id, status: 'PAUSED', cause: 'PERSON', reason: 'holiday', actor: actorOf(w!) }))
    expect((await db.$transaction((tx) => lockTraderForEntry(tx, alpha.id)).catch((e) => e)).message).toMatch(/^trader "Alpha" is paused since .* \(holiday\)/)
    const state = await resumeTrading({ db, userId, actor: actorOf(w), input: { confirm: true } })
    expect(state.traders.map((t) => [t.name, t.status, t.statusCause])).toEqual([
      ['Alpha', 'PAUSED', 'PERSON'],
      ['Beta', 'ACTIVE', null],
    ])
    await resumeTrading({ db, userId, actor: actorOf(w), input: { confirm: true, traderId: alpha.id } })
    await db.$transaction((tx) => lockTraderForEntry(tx, alpha.id))
    await db.$transaction((tx) => lockTraderForEntry(tx, beta.id))
  })

  test('a panic on a trader a person paused flattens it and leaves it paused: "Re-enable trading" does not resume it', async () => {
    w = await createPanicWorld()
    const { db, alpha, userId } = w
    const id = await w.open(alpha, 'BTC/USDT', 'LONG', '0.01')
    await db.$transaction((tx) => setTraderStatus(tx, { traderId: alpha.id, status: 'PAUSED', cause: 'PERSON', reason: 'holiday', actor: actorOf(w!) }))

    const report = await runPanic({ db, userId, actor: actorOf(w), scope: { traderId: alpha.id }, backoffMs: noWait })
    expect(report.positions.map((p) => [p.positionId, p.outcome])).toEqual([[id, 'CLOSED']])
    expect(await db.trader.findUniqueOrThrow({ where: { id: alpha.id } })).toMatchObject({ status: 'PAUSED', statusCause: 'PERSON', statusReason: 'holiday' })
    const pressed = await db.activityEvent.findFirstOrThrow({ where: { userId, type: 'PANIC' }, orderBy: { id: 'asc' } })
    expect(pressed.message).toMatch(/: trader "Alpha" already paused, stays so; canceling its open orders/)

    const state = await resumeTrading({ db, userId, actor: actorOf(w), input: { confirm: true } })
    expect(state.traders.find((t) => t.name === 'Alpha')).toMatchObject({ status: 'PAUSED', statusCause: 'PERSON' })
  })
})

describe('panic: failure modes', () => {
  test('market data failing (stale quotes): still closes, at the last known price, and says so', async () => {
    w = await createPanicWorld()
    const { db, alpha, userId } = w
    const long = await w.open(alpha, 'BTC/USDT', 'LONG', '0.01')
    const short = await w.open(alpha, 'ETH/USDT', 'SHORT', '0.5')
    await seedPrices(db, 120_000) // the feed stopped two minutes ago
    const report = await runPanic({ db, userId, actor: actorOf(w), scope: { accountId: alpha.accountId }, backoffMs: noWait })
    expect(report.status).toBe('COMPLETED')
    const [a, b] = [long, short].map((id) => report.positions.find((p) => p.positionId === id)!)
    expect(a).toMatchObject({ outcome: 'CLOSED', exitPrice: '60000', attempts: 1 })
    expect(b).toMatchObject({ outcome: 'CLOSED', exitPrice: '3001', attempts: 1 })
    expect(a.stalePriceAgeMs).toBeGreaterThanOrEqual(120_000)
    expect(a.detail).toMatch(/on a stale price \(12\d s old/)
    await expectFlat(db, { userId })
  })

  test('an exchange that keeps refusing: bounded retries, FAILED in the report, position still open, error notification, still halted', async () => {
    w = await createPanicWorld()
    const { db, alpha, userId } = w
    const ok = await w.open(alpha, 'BTC/USDT', 'LONG', '0.01')
    const stuck = await w.open(alpha, 'ETH/USDT', 'LONG', '0.3')
    const waits: number[] = []
    const x = flaky(db, { [alpha.accountId]: { 'ETH/USDT': { mode: 'REJECT', times: 99 } } })
    const report = await runPanic({
      db,
      userId,
      actor: actorOf(w),
      scope: { accountId: alpha.accountId },
      maxAttempts: 3,
      backoffMs: (n) => (waits.push(n), 0),
      exchangeFor: x.exchangeFor,
    })
    expect(report.status).toBe('FAILED')
    expect(report.positions.find((p) => p.positionId === ok)).toMatchObject({ outcome: 'CLOSED' })
    const failed = report.positions.find((p) => p.positionId === stuck)!
    expect(failed).toMatchObject({ outcome: 'FAILED', attempts: 3 })
    expect(failed.detail).toMatch(/still open after 3 attempts: attempt 3: exchange rejected the exit: system busy/)
    expect(waits).toEqual([1, 2]) // backoff between attempts, none after the last
    expect(x.calls().filter((c) => c.symbol === 'ETH/USDT').map((c) => c.outcome)).toEqual(['REJECTED', 'REJECTED', 'REJECTED'])
    expect((await db.position.findUniqueOrThrow({ where: { id: stuck } })).status).toBe('MONITORING')
    expect((await db.panicRun.findFirstOrThrow()).status).toBe('FAILED')
    const last = await db.activityEvent.findFirstOrThrow({ where: { userId, type: 'PANIC' }, orderBy: { id: 'desc' } })
    expect(last.severity).toBe('error')
    expect(last.message).toMatch(/1 FAILED \(still open: ETH\/USDT LONG\)/)
    expect((await db.exchangeAccount.findUniqueOrThrow({ where: { id: alpha.accountId } })).halted).toBe(true)

    // Once the exchange takes orders again, pressing panic again finishes the job.
    const again = await runPanic({ db, userId, actor: actorOf(w), scope: { accountId: alpha.accountId }, backoffMs: noWait })
    expect(again.positions.map((p) => [p.positionId, p.outcome])).toEqual([[stuck, 'CLOSED']])
    await expectFlat(db, { userId })
  })

  test('an entry order that never reached the exchange (crash between commit and send) is canceled, not sent', async () => {
    w = await createPanicWorld()
    const { db, alpha, userId } = w
    // The state openPosition leaves if the process dies right after its transaction commits.
    const p = await db.position.create({
      data: { traderId: alpha.id, accountId: alpha.accountId, symbol: 'SOL/USDT', side: 'LONG', status: 'SUBMITTING', entryType: 'MARKET', requestedQty: '1', stopLoss: '140' },
    })
    const o = await db.order.create({
      data: { accountId: alpha.accountId, traderId: alpha.id, positionId: p.id, clientOrderId: 'tl-e-crashed-1', symbol: 'SOL/USDT', side: 'BUY', type: 'MARKET', purpose: 'ENTRY', qty: '1', status: 'NEW', createdBy: 'USER' },
    })
    const report = await runPanic({ db, userId, actor: actorOf(w), scope: { accountId: alpha.accountId }, backoffMs: noWait, newOrderGraceMs: 0 })
    expect(report.orders).toEqual([expect.objectContaining({ clientOrderId: 'tl-e-crashed-1', outcome: 'CANCELED', detail: 'had not reached the exchange; canceled before sending' })])
    expect(report.positions).toEqual([]) // the position ended FAILED with its entry, nothing to close
    expect(await db.order.findUniqueOrThrow({ where: { id: o.id } })).toMatchObject({ status: 'CANCELED' })
    expect(await db.position.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ status: 'FAILED' })
    expect(await db.paperOrder.count()).toBe(0)
    await expectFlat(db, { userId })
  })

  test('an account whose exchange cannot be reached is still halted, and every position in it reported FAILED', async () => {
    w = await createPanicWorld()
    const { db, userId } = w
    // A live account whose exchange refuses every connection (nothing listens on port 1).
    const account = await db.exchangeAccount.create({
      data: {
        userId, name: 'Live', kind: 'CCXT', venue: 'binance', mode: 'TESTNET', apiKeyEnc: sealSecret('k'.repeat(20)), secretEnc: sealSecret('s'.repeat(20)),
        baseUrl: 'http://127.0.0.1:1', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001',
      },
    })
    const trader = await db.trader.create({ data: { userId, accountId: account.id, name: 'Live trader', quoteCurrency: 'USDT', watchlist: ['BTC/USDT'] } })
    const p = await db.position.create({
      data: { traderId: trader.id, accountId: account.id, symbol: 'BTC/USDT', side: 'LONG', status: 'MONITORING', entryType: 'MARKET', requestedQty: '0.01', openQty: '0.01', entryQty: '0.01', stopLoss: '50000' },
    })
    const report = await runPanic({ db, userId, actor: actorOf(w), scope: { accountId: account.id }, backoffMs: noWait })
    expect(report.status).toBe('FAILED')
    expect(report.positions).toEqual([expect.objectContaining({ positionId: p.id, outcome: 'FAILED', detail: expect.stringMatching(/^still open after \d+ attempts: .*(ECONNREFUSED|connect|reach)/i) })])
    // No exit ever left: each is REJECTED "not sent", and the position is still watched.
    expect(await db.position.findUniqueOrThrow({ where: { id: p.id }, select: { status: true } })).toEqual({ status: 'MONITORING' })
    const exits = await db.order.findMany({ where: { positionId: p.id }, select: { status: true, rejectReason: true } })
    expect(exits.length).toBeGreaterThan(0)
    expect(exits.every((o) => o.status === 'REJECTED' && /^not sent: /.test(o.rejectReason ?? ''))).toBe(true)
    expect((await db.exchangeAccount.findUniqueOrThrow({ where: { id: account.id } })).halted).toBe(true)
    const refused = await db.$transaction((tx) => lockTraderForEntry(tx, trader.id)).catch((e) => e)
    expect(refused.status).toBe(409)
  })

  test('a transport error on cancel is retried', async () => {
    w = await createPanicWorld()
    const { db, alpha, userId } = w
    const limit = await w.open(alpha, 'SOL/USDT', 'LONG', '4', '120')
    let failures = 1
    const exchangeFor = (a: { id: string; kind: 'PAPER' | 'CCXT' }) => {
      const inner = exchangeForAccount(db, a, { allowStaleMarket: true })
      return Object.assign(Object.create(inner) as typeof inner, {
        accountId: inner.accountId,
        cancelOrder: async (id: string) => {
          if (failures-- > 0) throw new ExchangeError('ECONNRESET (simulated)', true)
          return inner.cancelOrder(id)
        },
      })
    }
    const report = await runPanic({ db, userId, actor: actorOf(w), scope: { accountId: alpha.accountId }, backoffMs: noWait, exchangeFor })
    expect(report.orders).toEqual([expect.objectContaining({ positionId: limit, outcome: 'CANCELED' })])
    expect(report.orders[0]!.detail).toMatch(/after 2 attempts \(first: ECONNRESET/)
    await expectFlat(db, { userId })
  })
})
