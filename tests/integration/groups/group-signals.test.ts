import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { getGroup, type GroupView } from '@/lib/server/groups/group-views'
import { updateGroupSettings } from '@/lib/server/groups/update-group-settings'
import { openPosition } from '@/lib/server/positions/open-position'
import { loadRiskState } from '@/lib/server/risk/load-risk-state'
import { processSignal } from '@/lib/server/signals/process-signal'
import { receiveSignal } from '@/lib/server/signals/receive-signal'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'
import { createTrader } from '@/lib/server/traders/create-trader'
import { RISK_LIMITS_OFF, useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '../../support/fake-binance'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

// Webhook signal → group → legs → fills → target or stop → closed, through a real worker whose
// market data comes from a Binance-compatible server, on a paper account (fee 0.1%).
describe('position groups from webhook signals', () => {
  let t: TestDatabase
  let fake: FakeBinance
  let worker: Worker | null = null
  let userId: string
  let traderId: string
  let accountId: string
  let secret: string
  let n = 0
  const log: string[] = []

  const post = async (fields: Record<string, string>) => {
    const answer = await receiveSignal({ db: t.db, traderId, text: JSON.stringify({ secret, symbol: 'BTCUSDT', interval: '60', id: `s${++n}`, ...fields }), contentType: 'application/json', remoteAddr: '127.0.0.1' })
    if (answer.httpStatus !== 202) throw new Error(`webhook answered ${answer.httpStatus}: ${JSON.stringify(answer.body)}`)
    return answer.body.signalId
  }
  const processed = (signalId: string) => waitFor(async () => {
    const s = await t.db.signal.findUniqueOrThrow({ where: { id: signalId } })
    return s.status === 'DONE' || s.status === 'REJECTED' || s.status === 'FAILED' ? s : null
  }, `signal ${signalId} processed`)
  const done = async (signalId: string) => {
    const s = await processed(signalId)
    expect([s.status, s.reason]).toEqual(['DONE', null])
    return s
  }
  const group = async (): Promise<GroupView> => {
    const g = await t.db.positionGroup.findFirstOrThrow({ where: { traderId }, orderBy: { createdAt: 'desc' } })
    return getGroup(t.db, userId, g.id)
  }
  const legs = (g: GroupView) => g.pyramids.flatMap((p) => p.legs)
  const until = (what: string, check: (g: GroupView) => boolean) => waitFor(async () => {
    const g = await group()
    return check(g) ? g : null
  }, what)

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinance()
    userId = (await t.db.user.create({ data: { email: 'groups@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Grid', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })
    await useManualTraderSettings(t.db, trader.id)
    traderId = trader.id
    accountId = trader.accountId
    secret = (await rotateWebhookSecret({ db: t.db, userId, traderId, actor: { kind: 'USER', id: userId } })).secret
    await updateGroupSettings({
      db: t.db, userId, traderId,
      input: {
        enabled: true, maxPyramids: 2, pyramidCapitalQuote: '300', groupBudgetQuote: '450', legs: 3, firstGapPct: '1', stepScale: '1', sizing: 'EQUAL',
        maxActiveLegs: 3, takeProfitMode: 'AGGREGATE', aggregateTakeProfitPct: '1', legTakeProfitPct: '2', stopPct: '5', stopBasis: 'FIRST_ENTRY',
      },
    })
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: fake.url, MARKET_POLL_INTERVAL_MS: '150', WORKER_HEARTBEAT_MS: '500' })
    worker = await startWorker({ db: t.db, cfg, databaseUrl: t.url, log: (m) => log.push(m) })
    await waitFor(() => t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }), 'first quote')
  }, 60_000)
  afterAll(async () => {
    await worker?.stop()
    await fake.close()
    await t?.drop()
  })
  beforeEach(async () => {
    fake.setPrice('BTC/USDT', '60000.00', '60000.01')
    await waitFor(async () => (await t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }))?.ask.toString() === '60000.01', 'the starting price')
  })

  test('an entry plans a pyramid of 3 legs; the DCA legs rest once the base fills; a DCA fill resets the average and every target; the target closes all, the resting leg is canceled, the books are exact', async () => {
    await done(await post({ action: 'buy' }))

    // Worked by hand: reference = ask 60000.01; capital 300 in 3 equal legs of 100.
    // leg 1 at market: 100 / 60000.01 = 0.0016666… → 0.00166 (step 0.00001)
    // leg 2: 60000.01 × 0.99 = 59400.0099 → 59400.00 (a LONG limit rounds down); 100 / 59400 → 0.00168
    // leg 3: 60000.01 × 0.98 = 58800.0098 → 58800.00; 100 / 58800 → 0.00170
    // stop: first entry × 0.95 = 57000.0095 → 57000.01 (a LONG stop rounds up)
    // target: average 60000.01 × 1.01 = 60600.0101 → 60600.01 (a LONG target rounds down)
    let g = await until('the DCA legs resting', (x) => legs(x).every((l) => l.position !== null))
    expect(legs(g).map((l) => [l.price, l.qty, l.status, l.position?.status])).toEqual([
      ['60000.01', '0.00166', 'PLACED', 'MONITORING'],
      ['59400', '0.00168', 'PLACED', 'SUBMITTING'],
      ['58800', '0.0017', 'PLACED', 'SUBMITTING'],
    ])
    g = await until('the average from the first fill', (x) => x.aggregateTarget === '60600.01' && legs(x).every((l) => l.position?.target === '60600.01'))
    expect([g.status, g.avgEntryPrice, g.stopLoss, g.legsFilled, g.legsPlanned]).toEqual(['OPEN', '60000.01', '57000.01', 1, 3])
    expect(legs(g).map((l) => l.position?.stopLoss)).toEqual(['57000.01', '57000.01', '57000.01'])

    // Down through leg 2's limit (a resting buy fills when the ask is below it, at its limit).
    fake.setPrice('BTC/USDT', '59399.98', '59399.99')
    // average = (0.00166 × 60000.01 + 0.00168 × 59400) / 0.00334 = 199.3920166 / 0.00334 = 59698.2085628…
    // target = 59698.2085628… × 1.01 = 60295.1906485… → 60295.19; the stop keeps the first entry's.
    g = await until('the average after the DCA fill', (x) => x.legsFilled === 2 && x.aggregateTarget === '60295.19' && legs(x).filter((l) => l.position?.status !== 'CLOSED').every((l) => l.position?.target === '60295.19'))
    // (stored to 18 decimals, as every price column)
    expect(g.avgEntryPrice).toBe('59698.208562874251497006')
    expect(g.stopLoss).toBe('57000.01')
    expect(g.entryQty).toBe('0.00334')

    // Up to the new target: both filled legs sell at the bid; the leg still resting is canceled.
    fake.setPrice('BTC/USDT', '60295.19', '60295.20')
    g = await until('the group closed', (x) => x.status === 'CLOSED')
    expect(g.closeReason).toMatch(/everything it held has been closed/)
    expect(legs(g).map((l) => [l.position?.status, l.position?.entryQty])).toEqual([['CLOSED', '0.00166'], ['CLOSED', '0.00168'], ['FAILED', '0']])
    // (60295.19 − 60000.01) × 0.00166 = 0.4899988 and (60295.19 − 59400) × 0.00168 = 1.5039192, before fees.
    const exits = await t.db.fill.findMany({ where: { order: { positionId: { in: legs(g).map((l) => l.position!.id) }, purpose: 'TAKE_PROFIT' } }, select: { price: true, qty: true } })
    expect(exits.map((f) => [fromDb(f.price).toFixed(), fromDb(f.qty).toFixed()]).sort()).toEqual([['60295.19', '0.00166'], ['60295.19', '0.00168']])
    // Cash: 10000 − 99.6000166 × 1.001 − 99.792 × 1.001 + 100.0900154 × 0.999 + 101.2959192 × 0.999 = 10001.5931400488
    const usdt = await t.db.accountBalance.findUniqueOrThrow({ where: { accountId_asset: { accountId, asset: 'USDT' } } })
    expect(fromDb(usdt.amount).toFixed()).toBe('10001.5931400488')
    const btc = await t.db.accountBalance.findUnique({ where: { accountId_asset: { accountId, asset: 'BTC' } } })
    expect(btc ? fromDb(btc.amount).toFixed() : '0').toBe('0')
  })

  test("the group's stop closes every leg at once, and nothing more is sent", async () => {
    await done(await post({ action: 'buy' }))
    await until('the DCA legs resting', (x) => x.status === 'OPEN' && legs(x).every((l) => l.position !== null))
    // Through both DCA legs, then through the stop (57000.01).
    fake.setPrice('BTC/USDT', '58799.98', '58799.99')
    await until('all three legs filled', (x) => x.legsFilled === 3)
    fake.setPrice('BTC/USDT', '56999.00', '56999.01')
    const g = await until('the group closed', (x) => x.status === 'CLOSED')
    expect(g.closeReason).toMatch(/stop was hit/)
    expect(legs(g).map((l) => l.position?.status)).toEqual(['CLOSED', 'CLOSED', 'CLOSED'])
    const stops = await t.db.order.count({ where: { positionId: { in: legs(g).map((l) => l.position!.id) }, purpose: 'STOP_LOSS', status: 'FILLED' } })
    const other = await t.db.order.count({ where: { positionId: { in: legs(g).map((l) => l.position!.id) }, purpose: { in: ['MANUAL_EXIT', 'TAKE_PROFIT'] } } })
    // The legs share the stop price: each leg's own stop fired once; none was also closed by the group.
    expect([stops, other]).toEqual([3, 0])
    // For the loss-streak breaker the group is one losing trade, not three.
    const risk = await loadRiskState(t.db, { userId, traderId, timeZone: 'UTC', now: Date.now(), pnlPeak: dec(0) })
    expect(risk.state.consecutiveLosses).toBe(1)
  })

  test("a signal's stop_loss is the group's stop: the settings' distance (5 %, 57000.01) does not replace it once the base fills", async () => {
    await done(await post({ action: 'buy', stop_loss: '56000' }))
    let g = await until('the DCA legs resting', (x) => x.status === 'OPEN' && x.legsFilled === 1 && legs(x).every((l) => l.position !== null))
    g = await until('the legs synced', (x) => x.aggregateTarget === '60600.01' && legs(x).every((l) => l.position?.target === '60600.01'))
    expect([g.stopLoss, ...legs(g).map((l) => l.position?.stopLoss)]).toEqual(['56000', '56000', '56000', '56000'])
    // A DCA fill moves the average and the target; the signal's stop stays.
    fake.setPrice('BTC/USDT', '59399.98', '59399.99')
    g = await until('the average after the DCA fill', (x) => x.legsFilled === 2 && x.aggregateTarget === '60295.19')
    expect([g.stopLoss, ...legs(g).map((l) => l.position?.stopLoss)]).toEqual(['56000', '56000', '56000', '56000'])
    await done(await post({ action: 'sell', intent: 'close' }))
    await until('the group closed', (x) => x.status === 'CLOSED')
  })

  test('HYBRID: once the deepest leg has exited at its own target, the aggregate target is over the legs still held, not below their entries', async () => {
    await updateGroupSettings({ db: t.db, userId, traderId, input: { takeProfitMode: 'HYBRID' } })
    try {
      await done(await post({ action: 'buy' }))
      await until('the DCA legs resting', (x) => x.status === 'OPEN' && x.legsFilled === 1 && legs(x).every((l) => l.position !== null))
      // Through both DCA legs: 0.00166 at 60000.01, 0.00168 at 59400, 0.0017 at 58800; average
      // 299.3520166 / 0.00504 = 59395.2413888…, its 1 % target 59989.19. Leg 3's own 2 % target, 59976, is lower.
      fake.setPrice('BTC/USDT', '58799.98', '58799.99')
      let g = await until('all three filled, their targets set', (x) => x.legsFilled === 3 && x.aggregateTarget === '59989.19' && legs(x)[0]!.position?.target === '59989.19')
      g = await until("the legs' targets", (x) => legs(x).map((l) => l.position?.target).join() === '59989.19,59989.19,59976')
      // Leg 3 sells at its target. Held now: legs 1 and 2, average 199.3920166 / 0.00334 = 59698.2085…;
      // their target 1 % above that, 60295.19 (at 59989.19, leg 1 would have sold below its 60000.01 entry).
      fake.setPrice('BTC/USDT', '59976.00', '59976.01')
      g = await until('leg 3 out, the target over what is held', (x) => legs(x)[2]!.position?.status === 'CLOSED' && x.aggregateTarget === '60295.19' && legs(x).slice(0, 2).every((l) => l.position?.target === '60295.19'))
      expect([g.status, g.avgEntryPrice]).toEqual(['OPEN', '59395.241388888888888889'])
      await done(await post({ action: 'sell', intent: 'close' }))
      await until('the group closed', (x) => x.status === 'CLOSED')
    } finally {
      await updateGroupSettings({ db: t.db, userId, traderId, input: { takeProfitMode: 'AGGREGATE' } })
    }
  })

  test("an exit for another interval closes nothing: not the group, and not one of its legs on its own", async () => {
    await done(await post({ action: 'buy' }))
    await until('the DCA legs resting', (x) => x.status === 'OPEN' && x.legsFilled === 1 && legs(x).every((l) => l.position !== null))
    for (const intent of ['close', 'exit']) {
      const s = await processed(await post({ action: 'sell', intent, interval: '15' }))
      expect([s.status, s.reason]).toEqual(['DONE', 'no open BTC/USDT position or group of interval 15 (its groups are of 60): nothing closed'])
    }
    const g = await group()
    expect([g.status, legs(g).map((l) => l.position?.status)]).toEqual(['OPEN', ['MONITORING', 'SUBMITTING', 'SUBMITTING']])
    await done(await post({ action: 'sell', intent: 'close' }))
    await until('the group closed', (x) => x.status === 'CLOSED')
  })

  test("a pyramid over the group's budget is refused; a plain entry on the symbol is refused while the group holds it; a close signal closes the group whole", async () => {
    await done(await post({ action: 'buy' }))
    await until('pyramid 1 resting', (x) => x.status === 'OPEN' && legs(x).every((l) => l.position !== null))
    // 0.00166 × 60000.01 + 0.00168 × 59400 + 0.0017 × 58800 = 99.6000166 + 99.792 + 99.96 = 299.3520166 planned;
    // a second pyramid (the same again) would make 598.7040332, over the budget of 450.
    const second = await processed(await post({ action: 'buy', intent: 'pyramid' }))
    expect(second.status).toBe('REJECTED')
    expect(second.reason).toContain('would take the group to 598.7040332, over its budget of 450')
    expect((await group()).pyramids.length).toBe(1)

    await expect(openPosition({
      db: t.db, userId, actor: { kind: 'USER', id: userId },
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'QUOTE', size: '50', entryType: 'MARKET', stopLoss: '55000' },
    })).rejects.toMatchObject({ code: 'CONFLICT' })

    await done(await post({ action: 'sell', intent: 'close' }))
    const g = await until('the group closed', (x) => x.status === 'CLOSED')
    expect(legs(g).map((l) => l.position?.status)).toEqual(['CLOSED', 'FAILED', 'FAILED'])
    const exits = await t.db.order.findMany({ where: { positionId: legs(g)[0]!.position!.id, purpose: { not: 'ENTRY' } }, select: { purpose: true, status: true } })
    expect(exits).toEqual([{ purpose: 'MANUAL_EXIT', status: 'FILLED' }])
  })

  test('an entry in the same direction adds a pyramid up to the maximum; one more is refused', async () => {
    await updateGroupSettings({ db: t.db, userId, traderId, input: { groupBudgetQuote: '650' } })
    await done(await post({ action: 'buy' }))
    await until('pyramid 1 resting', (x) => x.status === 'OPEN' && legs(x).every((l) => l.position !== null))
    // At most one open position: the group is that one, and a pyramid adds to it, not a second.
    await t.db.trader.update({ where: { id: traderId }, data: { riskLimits: { ...RISK_LIMITS_OFF, maxConcurrentPositions: 1 } } })
    try {
      await done(await post({ action: 'buy' }))
    } finally {
      await t.db.trader.update({ where: { id: traderId }, data: { riskLimits: RISK_LIMITS_OFF } })
    }
    // At most 3 DCA legs rest at once across the group: pyramid 1 has 2, so pyramid 2 gets 1 now.
    let g = await until('pyramid 2 resting', (x) => x.pyramids.length === 2 && x.pyramids[1]!.legs[1]!.position?.status === 'SUBMITTING')
    await new Promise((r) => setTimeout(r, 1500)) // a keeper pass or more: still no fourth resting leg
    g = await group()
    expect(g.pyramids.map((p) => p.legs.map((l) => [l.status, l.position?.status ?? null]))).toEqual([
      [['PLACED', 'MONITORING'], ['PLACED', 'SUBMITTING'], ['PLACED', 'SUBMITTING']],
      [['PLACED', 'MONITORING'], ['PLACED', 'SUBMITTING'], ['PLANNED', null]],
    ])
    expect(g.plannedNotional).toBe('598.7040332')
    const third = await processed(await post({ action: 'buy' }))
    expect(third.status).toBe('REJECTED')
    expect(third.reason).toContain('already has 2 of its 2 pyramids')
    await done(await post({ action: 'sell', intent: 'close' }))
    g = await until('the group closed', (x) => x.status === 'CLOSED')
    expect(legs(g).map((l) => [l.status, l.position?.status ?? null])).toEqual([
      ['PLACED', 'CLOSED'], ['PLACED', 'FAILED'], ['PLACED', 'FAILED'],
      ['PLACED', 'CLOSED'], ['PLACED', 'FAILED'], ['CANCELED', null],
    ])
  })

  test('a signal carried out again (its worker stopped before writing the outcome) makes no second pyramid and sends nothing twice', async () => {
    const id = await post({ action: 'buy' })
    await done(id)
    await until('pyramid 1 resting', (x) => x.status === 'OPEN' && legs(x).every((l) => l.position !== null))
    await t.db.signal.update({ where: { id }, data: { status: 'PROCESSING' } })
    const again = await processSignal({ db: t.db, signalId: id, actor: { kind: 'WORKER', id: 'retry' } })
    expect([again?.status, again?.reason]).toEqual(['DONE', 'new group already planned by an earlier attempt'])
    const g = await group()
    expect([g.pyramids.length, legs(g).length]).toEqual([1, 3])
    expect(await t.db.order.count({ where: { positionId: { in: legs(g).map((l) => l.position!.id) }, purpose: 'ENTRY' } })).toBe(3)
    await done(await post({ action: 'sell', intent: 'close' }))
    await until('the group closed', (x) => x.status === 'CLOSED')
  })

  test('a trailing take-profit starts at the aggregate target, follows the best price and closes the group when it comes back by the deviation', async () => {
    await updateGroupSettings({ db: t.db, userId, traderId, input: { trailingDeviationPct: '0.5' } })
    try {
      await done(await post({ action: 'buy' }))
      // activation: 60000.01 × 1.01 = 60600.0101 → 60600.01; the legs carry no target of their own.
      let g = await until('the trail armed', (x) => x.aggregateTarget === '60600.01' && legs(x).every((l) => l.position !== null))
      expect([g.trailingDeviationPct, g.trailPeak]).toEqual(['0.5', null])
      expect(legs(g).map((l) => l.position?.target)).toEqual([null, null, null])
      // Through the target: no sale, the trail starts at the bid.
      fake.setPrice('BTC/USDT', '61000.00', '61000.01')
      g = await until('the peak', (x) => x.trailPeak === '61000')
      expect(g.status).toBe('OPEN')
      // 61000 × 0.995 = 60695: 60800 holds, 60695 sells.
      fake.setPrice('BTC/USDT', '60800.00', '60800.01')
      await new Promise((r) => setTimeout(r, 1500))
      expect((await group()).status).toBe('OPEN')
      fake.setPrice('BTC/USDT', '60695.00', '60695.01')
      g = await until('the group closed', (x) => x.status === 'CLOSED')
      expect(g.closeReason).toBe('trailing take-profit: the price came back 0.5% from its best 61000 since the target 60600.01 (at 60695)')
      expect(legs(g).map((l) => l.position?.status)).toEqual(['CLOSED', 'FAILED', 'FAILED'])
      const exit = await t.db.fill.findFirstOrThrow({ where: { order: { positionId: legs(g)[0]!.position!.id, purpose: 'MANUAL_EXIT' } }, select: { price: true, qty: true } })
      expect([fromDb(exit.price).toFixed(), fromDb(exit.qty).toFixed()]).toEqual(['60695', '0.00166'])
    } finally {
      await updateGroupSettings({ db: t.db, userId, traderId, input: { trailingDeviationPct: '' } })
    }
  })

  test("a trader's own breakeven and trailing rules leave a group's legs alone: their stop is the group's", async () => {
    const before = await t.db.trader.findUniqueOrThrow({ where: { id: traderId }, select: { management: true } })
    await t.db.trader.update({ where: { id: traderId }, data: { management: { breakevenAtPct: '0.5', breakevenOffsetPct: '0.1', trailingPct: '1' } } })
    try {
      await done(await post({ action: 'buy' }))
      const g = await until('pyramid 1 resting', (x) => x.status === 'OPEN' && legs(x).every((l) => l.position !== null) && x.aggregateTarget === '60600.01')
      // Up 0.83 %, short of the target: breakeven (0.5 %) and a 1 % trail would both lift a plain position's stop.
      fake.setPrice('BTC/USDT', '60500.00', '60500.01')
      await waitFor(async () => (await t.db.marketQuote.findUnique({ where: { symbol: 'BTC/USDT' } }))?.bid.toString() === '60500', 'the new price')
      const seen = new Set<string>()
      for (let i = 0; i < 20; i++) {
        const p = await t.db.position.findUniqueOrThrow({ where: { id: legs(g)[0]!.position!.id }, select: { stopLoss: true } })
        seen.add(fromDb(p.stopLoss!).toFixed())
        await new Promise((r) => setTimeout(r, 100))
      }
      expect([...seen]).toEqual(['57000.01'])
      await done(await post({ action: 'sell', intent: 'close' }))
      await until('the group closed', (x) => x.status === 'CLOSED')
    } finally {
      await t.db.trader.update({ where: { id: traderId }, data: { management: before.management ?? {} } })
    }
  })
})
