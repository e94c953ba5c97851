import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import { ACCOUNT_REF, exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { exitGroupFifo } from '@/lib/server/groups/exit-group-fifo'
import { readGroupSettings } from '@/lib/server/groups/group-settings'
import { placeGroupLegs } from '@/lib/server/groups/place-group-legs'
import { planGroupEntry } from '@/lib/server/groups/plan-group-entry'
import { runRiskEngine } from '@/lib/server/groups/risk-engine'
import { updateRiskEngineSettings } from '@/lib/server/groups/risk-engine-views'
import { syncGroup } from '@/lib/server/groups/sync-group'
import { requestExit } from '@/lib/server/positions/request-exit'
import { createTrader } from '@/lib/server/traders/create-trader'
import { DelegatingExchange } from '@/tests/support/delegating-exchange'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/** The paper engine, refusing every order for one symbol as an exchange refuses (a definite no). */
class RefusingSymbol extends DelegatingExchange {
  constructor(inner: DelegatingExchange['inner'], private readonly symbol: string) {
    super(inner)
  }
  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    if (req.symbol === this.symbol) throw new ExchangeError('Account has insufficient balance for requested action.', false)
    return this.inner.placeOrder(req)
  }
}

// The group risk engine and FIFO exits when the exchange refuses or the run's process stops: the
// loser's loss is never realized without the winners' offset having gone out, and a resumed run
// counts only its own exits.
describe('the group risk engine under faults', () => {
  let t: TestDatabase
  let userId: string
  const actor = { kind: 'WORKER' as const, id: 'risk-engine-faults' }
  const traders: Record<string, { id: string; account: AccountRef }> = {}
  let n = 0

  /** One group of one leg of 1000 USDT, filled on paper at the ask. */
  const openGroup = async (who: string, symbol: string, ask: string) => {
    const signal = await t.db.signal.create({ data: { traderId: traders[who]!.id, userId, payloadHash: `h${++n}`, body: '{}', status: 'DONE', httpStatus: 202 } })
    const settings = readGroupSettings({ enabled: true, legs: 1, maxPyramids: 1, pyramidCapitalQuote: '1000', stopPct: '50', aggregateTakeProfitPct: '90' })
    const planned = await planGroupEntry({ db: t.db, traderId: traders[who]!.id, userId, signalId: signal.id, symbol, side: 'LONG', timeframe: '60', reference: dec(ask), settings, exchange: exchangeForAccount(t.db, traders[who]!.account) })
    if ('queued' in planned) throw new Error('queued')
    await placeGroupLegs({ db: t.db, groupId: planned.groupId, actor })
    await syncGroup({ db: t.db, groupId: planned.groupId, actor })
    return planned.groupId
  }
  /** A BTC group bought at 60,000.01 and an ETH one at 3,000.01; then BTC down 10 %, ETH up 20 %: ETH's profit covers BTC's loss. */
  const loserAndWinner = async (btcTrader: string, ethTrader: string) => {
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000.00', ask: '60000.01' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000.00', ask: '3000.01' })
    const btc = await openGroup(btcTrader, 'BTC/USDT', '60000.01')
    const eth = await openGroup(ethTrader, 'ETH/USDT', '3000.01')
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '54000.00', ask: '54000.01' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3600.00', ask: '3600.01' })
    return { btc, eth }
  }
  const leg = (groupId: string) => t.db.position.findFirstOrThrow({ where: { groupId } })
  const exits = (groupId: string) => t.db.order.findMany({ where: { position: { groupId }, purpose: 'MANUAL_EXIT' }, orderBy: { createdAt: 'asc' }, select: { status: true, qty: true, clientOrderId: true } })

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'risk-engine-faults@example.com', passwordHash: 'x' } })).id
    for (const who of ['btc', 'eth', 'btc2', 'eth2', 'btc3', 'eth3']) {
      const trader = await createTrader({ db: t.db, userId, input: { name: who, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })
      await useManualTraderSettings(t.db, trader.id)
      traders[who] = { id: trader.id, account: await t.db.exchangeAccount.findUniqueOrThrow({ where: { id: trader.accountId }, select: ACCOUNT_REF }) }
    }
    await updateRiskEngineSettings({ db: t.db, userId, input: { enabled: true, dryRun: false, lossThresholdPct: '5', minAgeMinutes: 0 } })
  }, 60_000)
  afterAll(() => t?.drop())

  test("a winner's exit the exchange refuses stops the run before the loser is closed; FIFO reports it unsold", async () => {
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000.00', ask: '60000.01' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000.00', ask: '3000.01' })
    const btc = await openGroup('btc', 'BTC/USDT', '60000.01')
    const eth = await openGroup('eth', 'ETH/USDT', '3000.01')
    const held = fromDb((await leg(eth)).openQty).toFixed()

    const refusing = (a: AccountRef) => new RefusingSymbol(exchangeForAccount(t.db, a), 'ETH/USDT')
    const direct = await exitGroupFifo({ db: t.db, userId, groupId: eth, qty: dec('0.01'), actor, reason: 'by hand', exchangeFor: refusing })
    expect([direct.exits, direct.unfilled.toFixed(), direct.refused]).toEqual([[], '0.01', [expect.stringMatching(/^0\.01 of leg \w+: Account has insufficient balance/)]])

    // BTC down 10 %, ETH up 20 %: ETH's profit covers BTC's loss, but its exchange refuses the sale.
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '54000.00', ask: '54000.01' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3600.00', ask: '3600.01' })
    const run = await runRiskEngine({ db: t.db, userId, actor, trigger: 'MANUAL', exchangeFor: refusing })
    expect(run?.status).toBe('FAILED')
    expect(run?.message).toMatch(/: stopped at the partial close of ETH\/USDT: 0\.\d+ of the 0\.\d+ ETH\/USDT was not sold: the exchange refused it \(/)
    const [partial, close] = run!.steps as { kind: string; error?: string; status?: string }[]
    expect(partial).toMatchObject({ kind: 'PARTIAL_CLOSE', error: expect.stringContaining('Account has insufficient balance') })
    expect(close).toEqual({ kind: 'CLOSE_LOSER', groupId: btc, symbol: 'BTC/USDT' })
    // Nothing sold: the loser is open and whole (no exit sent), the winner holds all it bought.
    expect([(await t.db.positionGroup.findUniqueOrThrow({ where: { id: btc } })).status, (await leg(btc)).status, fromDb((await leg(btc)).openQty).toFixed(), await exits(btc)]).toEqual(['OPEN', 'MONITORING', '0.01666', []])
    expect(fromDb((await leg(eth)).openQty).toFixed()).toBe(held)
    expect((await exits(eth)).map((o) => o.status)).toEqual(['REJECTED', 'REJECTED'])
    for (const id of [btc, eth]) await t.db.positionGroup.update({ where: { id }, data: { riskEngineBlocked: true } })
  })

  test("a run resumed after its process stopped counts only its own exits: a person's sale since it began does not stand in for the offset", async () => {
    const { btc, eth } = await loserAndWinner('btc2', 'eth2')
    // A run whose process stopped right after it was written: RUNNING, untouched for 3 minutes.
    const run = await t.db.riskEngineRun.create({
      data: {
        userId, trigger: 'SCHEDULE', dryRun: false, loserGroupId: btc, loserSymbol: 'BTC/USDT', loss: '-99.96', lossPct: '-10', covered: '100.01', status: 'RUNNING', message: 'offset',
        steps: [
          { kind: 'PARTIAL_CLOSE', groupId: eth, symbol: 'ETH/USDT', side: 'LONG', qty: '0.1677', price: '3600', netPerUnit: '596.39', realized: '100.014603' },
          { kind: 'CLOSE_LOSER', groupId: btc, symbol: 'BTC/USDT' },
        ],
      },
    })
    await t.db.$executeRaw`UPDATE "RiskEngineRun" SET "createdAt" = now() - interval '3 minutes', "updatedAt" = now() - interval '3 minutes' WHERE id = ${run.id}`
    // Meanwhile a person sold 0.01 ETH of the winner.
    await requestExit({ db: t.db, positionId: (await leg(eth)).id, size: { kind: 'QTY', qty: dec('0.01') }, purpose: 'MANUAL_EXIT', actor, reason: 'by hand' })

    const done = await runRiskEngine({ db: t.db, userId, actor, trigger: 'SCHEDULE' })
    expect(done?.status).toBe('DONE')
    // The run sold its whole offset under the client ids it saved first, beside the person's sale.
    const base = (done!.steps as { exitClientOrderIdBase?: string }[])[0]!.exitClientOrderIdBase!
    expect((await exits(eth)).map((o) => [o.status, fromDb(o.qty).toFixed(), o.clientOrderId.startsWith(`${base}-`)])).toEqual([
      ['FILLED', '0.01', false],
      ['FILLED', '0.1677', true],
    ])
    expect((await leg(btc)).status).toBe('CLOSED')
    for (const id of [btc, eth]) await t.db.positionGroup.update({ where: { id }, data: { riskEngineBlocked: true } })
  })

  test('a decision that read the groups before another run acted does not act on what it read: the winner is sold once', async () => {
    const { btc, eth } = await loserAndWinner('btc3', 'eth3')
    // The worker's pass has read the groups and planned; it waits to take the lock...
    let reached!: () => void
    const atLock = new Promise<void>((r) => (reached = r))
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const slow = new Proxy(t.db, {
      get(target, prop) {
        if (prop === '$transaction') return async (...args: unknown[]) => (reached(), await gate, (target.$transaction as (...a: unknown[]) => unknown)(...args))
        const v = Reflect.get(target, prop, target)
        return typeof v === 'function' ? v.bind(target) : v
      },
    }) as Db
    const scheduled = runRiskEngine({ db: slow, userId, actor, trigger: 'SCHEDULE' })
    await atLock
    // ...while a person's "run now" decides and acts in full.
    expect((await runRiskEngine({ db: t.db, userId, actor, trigger: 'MANUAL' }))?.status).toBe('DONE')
    release()
    expect(await scheduled).toBeNull()
    expect((await exits(eth)).map((o) => [o.status, fromDb(o.qty).toFixed()])).toEqual([['FILLED', '0.16761']])
    expect(await t.db.riskEngineRun.count({ where: { userId, loserGroupId: btc, status: 'DONE' } })).toBe(1)
  })
})
