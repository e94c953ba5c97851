import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { fromDb } from '@/lib/db/decimal-columns'
import { loadRiskEngineView, runRiskEngineNow, setGroupRiskControls, updateRiskEngineSettings } from '@/lib/server/groups/risk-engine-views'
import { updateGroupSettings } from '@/lib/server/groups/update-group-settings'
import { exitGroupFifo } from '@/lib/server/groups/exit-group-fifo'
import { dec } from '@/lib/domain/decimal'
import { receiveSignal } from '@/lib/server/signals/receive-signal'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// The group risk engine through a real worker on paper accounts (taker fee 0.1%) priced by a
// Binance-compatible server: a deep loser offset by a winner's partial close, with exact books.
describe('the group risk engine', () => {
  let t: TestDatabase
  let fake: FakeBinance
  let worker: Worker | null = null
  let userId: string
  const traders: Record<'btc' | 'eth' | 'sol', { id: string; accountId: string; secret: string }> = {} as never
  let n = 0
  const actor = { kind: 'USER' as const, id: '' }

  const post = async (who: keyof typeof traders, fields: Record<string, string>) => {
    const { id, secret } = traders[who]
    const answer = await receiveSignal({ db: t.db, traderId: id, text: JSON.stringify({ secret, interval: '60', id: `r${++n}`, ...fields }), contentType: 'application/json', remoteAddr: '127.0.0.1' })
    if (answer.httpStatus !== 202) throw new Error(`webhook answered ${answer.httpStatus}: ${JSON.stringify(answer.body)}`)
    const signalId = answer.body.signalId
    return waitFor(async () => {
      const s = await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })
      return s.status === 'ACCEPTED' || s.status === 'PROCESSING' ? null : s
    }, `signal ${signalId} processed`)
  }
  const group = (who: keyof typeof traders) => t.db.positionGroup.findFirstOrThrow({ where: { traderId: traders[who].id }, orderBy: { createdAt: 'desc' }, include: { positions: true } })
  const cash = async (who: keyof typeof traders) => fromDb((await t.db.accountBalance.findUniqueOrThrow({ where: { accountId_asset: { accountId: traders[who].accountId, asset: 'USDT' } } })).amount).toFixed()
  const quoted = (symbol: string, bid: string) => waitFor(async () => ((await t.db.marketQuote.findUnique({ where: { symbol } }))?.bid.toString() === bid ? true : null), `${symbol} at ${bid}`)

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinance()
    userId = (await t.db.user.create({ data: { email: 'risk-engine@example.com', passwordHash: 'x' } })).id
    actor.id = userId
    for (const who of ['btc', 'eth', 'sol'] as const) {
      const trader = await createTrader({ db: t.db, userId, input: { name: `Offset ${who}`, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } })
      await useManualTraderSettings(t.db, trader.id)
      // One pyramid of one leg of 1000 USDT: the group has all its pyramids at once. Its own stop and
      // target are far away, so only the risk engine acts.
      await updateGroupSettings({ db: t.db, userId, traderId: trader.id, input: { enabled: true, legs: 1, maxPyramids: 1, pyramidCapitalQuote: '1000', stopPct: '50', aggregateTakeProfitPct: '90' } })
      traders[who] = { id: trader.id, accountId: trader.accountId, secret: (await rotateWebhookSecret({ db: t.db, userId, traderId: trader.id, actor: { kind: 'USER', id: userId } })).secret }
    }
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500', RISK_ENGINE_INTERVAL_MS: '200' })
    worker = await startWorker({ db: t.db, cfg, databaseUrl: t.url, log: () => {} })
    for (const s of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: s } }), `first ${s} quote`)
  }, 60_000)
  afterAll(async () => {
    await worker?.stop()
    await fake.close()
    await t?.drop()
  })

  test('dry run records the plan once; skip once passes the loser over; then the winner is partly sold, first in, first out, and the loser closed: the books are exact', async () => {
    await expect(runRiskEngineNow({ db: t.db, userId, actor })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/^the risk engine is off/) })
    // Bought at the ask: 1000 / 60000.01 → 0.01666 BTC, 1000 / 3000.01 → 0.3333 ETH, 1000 / 150.01 → 6.666 SOL.
    for (const [who, symbol] of [['btc', 'BTCUSDT'], ['eth', 'ETHUSDT'], ['sol', 'SOLUSDT']] as const) expect((await post(who, { symbol, action: 'buy' })).status).toBe('DONE')
    await waitFor(async () => ((await t.db.positionGroup.count({ where: { userId, avgEntryPrice: { not: null } } })) === 3 ? true : null), 'three groups filled')

    fake.setPrice('BTC/USDT', '54000.00', '54000.01')
    fake.setPrice('ETH/USDT', '3600.00', '3600.01')
    await quoted('BTC/USDT', '54000')
    await quoted('ETH/USDT', '3600')
    await updateRiskEngineSettings({ db: t.db, userId, input: { enabled: true, dryRun: true, lossThresholdPct: '5', minAgeMinutes: 0 } })

    // Worked by hand. Loser BTC: (54000 − 60000.01) × 0.01666 = −99.9601666, −10.000015%.
    // Winners by profit: ETH (3600 − 3000.01) × 0.3333 = 199.976667, then SOL (its price has not moved: 0).
    // ETH nets 599.99 − 3600 × 0.001 = 596.39 a unit: 99.9601666 / 596.39 = 0.16760… → 0.1677 (step 0.0001),
    // realizing 0.1677 × 596.39 = 100.014603.
    const planned = await waitFor(() => t.db.riskEngineRun.findFirst({ where: { userId, status: 'PLANNED' } }), 'the dry-run plan')
    expect([planned.dryRun, planned.trigger, planned.loserSymbol, fromDb(planned.loss).toFixed(), fromDb(planned.covered).toFixed()]).toEqual([true, 'SCHEDULE', 'BTC/USDT', '-99.9601666', '100.014603'])
    expect(planned.steps).toEqual([
      { kind: 'PARTIAL_CLOSE', groupId: (await group('eth')).id, symbol: 'ETH/USDT', side: 'LONG', qty: '0.1677', price: '3600', netPerUnit: '596.39', realized: '100.014603' },
      { kind: 'CLOSE_LOSER', groupId: (await group('btc')).id, symbol: 'BTC/USDT' },
    ])
    expect(planned.message).toBe('dry run: would offset BTC/USDT group -10.00% (-99.9602 USDT) with 0.1677 ETH/USDT at 3600 (+100.015), then close it')
    let view = await loadRiskEngineView(t.db, userId)
    expect(view.groups.map((g) => [g.symbol, g.pnlPct, g.eligible, g.notEligible])).toEqual([
      ['BTC/USDT', '-10.00', true, null],
      ['ETH/USDT', '20.00', false, 'its PnL 20.00% is above the −5% threshold'],
      ['SOL/USDT', '-0.01', false, 'its PnL -0.01% is above the −5% threshold'],
    ])
    // Passes keep running (every 200 ms): the same plan is not recorded again.
    await new Promise((r) => setTimeout(r, 800))
    expect(await t.db.riskEngineRun.count({ where: { userId } })).toBe(1)
    expect(fromDb((await group('eth')).positions[0]!.openQty).toFixed()).toBe('0.3333')

    await setGroupRiskControls({ db: t.db, userId, groupId: (await group('btc')).id, input: { skipOnce: true } })
    const skipped = await waitFor(() => t.db.riskEngineRun.findFirst({ where: { userId, status: 'SKIPPED' } }), 'the skip')
    expect(skipped.message).toBe('BTC/USDT group -10.00% (-99.9602 USDT) passed over once, as a person asked; its timer starts again')
    expect((await group('btc')).riskEngineSkipOnce).toBe(false)

    view = await updateRiskEngineSettings({ db: t.db, userId, input: { dryRun: false } })
    const done = await waitFor(() => t.db.riskEngineRun.findFirst({ where: { userId, status: 'DONE' } }), 'the offset carried out')
    expect(done.message).toBe('offset BTC/USDT group -10.00% (-99.9602 USDT) with 0.1677 ETH/USDT at 3600 (+100.015), then close it')
    const steps = done.steps as { kind: string; orderIds?: string[]; status?: string }[]
    expect(steps.map((s) => [s.kind, s.orderIds?.length ?? null, s.status ?? null])).toEqual([['PARTIAL_CLOSE', 1, null], ['CLOSE_LOSER', null, expect.stringMatching(/^CLOS(ING|ED)$/)]])

    await waitFor(async () => ((await group('btc')).status === 'CLOSED' ? true : null), 'the loser closed')
    const eth = await group('eth')
    // The winner stays open with what is left; its average entry is untouched.
    expect([eth.status, fromDb(eth.avgEntryPrice!).toFixed(), fromDb(eth.positions[0]!.openQty).toFixed()]).toEqual(['OPEN', '3000.01', '0.1656'])
    // Cash, fee 0.1% each way. The sells walk the book: its best bid holds 0.01 BTC (0.1 ETH), the rest
    // fills a tick lower. BTC: 10000 − 0.01666 × 60000.01 × 1.001 + (0.01 × 54000 + 0.00666 × 53999.99) × 0.999
    // = 9898.1405267; ETH: 10000 − 0.3333 × 3000.01 × 1.001 + (0.1 × 3600 + 0.0677 × 3599.99) × 0.999 = 9602.212367344.
    await waitFor(async () => ((await cash('btc')) === '9898.1405267' ? true : null), 'BTC cash')
    expect(await cash('eth')).toBe('9602.212367344')
    expect(await t.db.riskEngineRun.count({ where: { userId, status: 'DONE' } })).toBe(1)
  })

  test('winners that cannot cover the loss: the run says so and nothing is sold; a blocked group is never the loser', async () => {
    await updateRiskEngineSettings({ db: t.db, userId, input: { dryRun: false } })
    // ETH now loses: (2700 − 3000.01) × 0.1656 = −49.681656; SOL's profit, (151 − 150.01) × 6.666 = 6.59934, cannot cover it.
    fake.setPrice('ETH/USDT', '2700.00', '2700.01')
    fake.setPrice('SOL/USDT', '151.00', '151.01')
    await quoted('ETH/USDT', '2700')
    await quoted('SOL/USDT', '151')
    const r = await waitFor(() => t.db.riskEngineRun.findFirst({ where: { userId, status: 'NOT_COVERED' } }), 'not covered')
    // SOL nets 0.99 − 0.151 = 0.839 a unit, at most 6.666 × 0.839 = 5.592774.
    expect(r.message).toBe("ETH/USDT group -10.00% (-49.6817 USDT): the winners' profit covers only 5.59277 USDT (6.666 SOL/USDT at 151 (+5.59277)); nothing was done")
    expect(fromDb((await group('sol')).positions[0]!.openQty).toFixed()).toBe('6.666')
    expect((await group('eth')).status).toBe('OPEN')

    const now = await runRiskEngineNow({ db: t.db, userId, actor })
    expect([now.run?.status, now.run?.trigger]).toEqual(['NOT_COVERED', 'MANUAL'])
    await setGroupRiskControls({ db: t.db, userId, groupId: (await group('eth')).id, input: { blocked: true } })
    expect(await runRiskEngineNow({ db: t.db, userId, actor })).toEqual({ run: null, message: 'no group qualifies as the loser now: see why next to each group' })
    const view = await loadRiskEngineView(t.db, userId)
    expect(view.groups.find((g) => g.symbol === 'ETH/USDT')).toMatchObject({ blocked: true, eligible: false, notEligible: 'blocked by a person' })
    await expect(setGroupRiskControls({ db: t.db, userId, groupId: (await group('eth')).id, input: { blocked: 'maybe' } })).rejects.toMatchObject({ status: 400 })
    await expect(updateRiskEngineSettings({ db: t.db, userId, input: { lossThresholdPct: '0', maxWinners: 11 } })).rejects.toMatchObject({
      status: 400,
      fieldErrors: [{ field: 'riskEngine.lossThresholdPct', message: 'must be between 0.1 and 90' }, { field: 'riskEngine.maxWinners', message: 'at most 10' }],
    })
  })

  test('a sized exit signal reduces a group first in, first out by leg', async () => {
    await updateRiskEngineSettings({ db: t.db, userId, input: { enabled: false } })
    // SOL holds one leg of 6.666: an exit of 2.5 leaves 4.166, still one open group.
    const s = await post('sol', { symbol: 'SOLUSDT', action: 'sell', intent: 'exit', size: '2.5' })
    expect([s.status, s.reason]).toEqual(['DONE', null])
    expect(s.result).toMatchObject({ reducedGroup: { qty: '2.5', exits: [{ qty: '2.5' }] } })
    await waitFor(async () => (fromDb((await group('sol')).positions[0]!.openQty).toFixed() === '4.166' ? true : null), 'SOL reduced')
    expect((await group('sol')).status).toBe('OPEN')
    const tooMuch = await post('sol', { symbol: 'SOLUSDT', action: 'sell', intent: 'exit', size: '5' })
    expect([tooMuch.status, tooMuch.reason]).toEqual(['REJECTED', 'qty: 5 is more than the 4.166 the SOL/USDT group holds: send close to exit it whole'])

    // Asked again with the same ids (a signal's worker stopped after the exit went out, before it
    // said so): the earlier exit counts, and nothing is sent a second time.
    const reduce = { db: t.db, userId, groupId: (await group('sol')).id, qty: dec('1'), actor, reason: 'a repeated attempt', clientOrderIdBase: 'tl-x-test-fifo' }
    const first = await exitGroupFifo(reduce)
    expect(first.exits).toMatchObject([{ qty: '1' }])
    expect(await exitGroupFifo(reduce)).toEqual(first)
    await waitFor(async () => (fromDb((await group('sol')).positions[0]!.openQty).toFixed() === '3.166' ? true : null), 'SOL reduced by 1')
    expect(await t.db.order.findMany({ where: { clientOrderId: { startsWith: 'tl-x-test-fifo' } }, select: { clientOrderId: true } })).toEqual([{ clientOrderId: 'tl-x-test-fifo-1' }])
  })
})
