import { describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * Holdings below what Binance takes as an order (BTC/USDT here: a 5 USDT minimum order value).
 * Before, each pass of the keeper (every few seconds) sent a stop, had it refused, sent an exit at
 * market, had it refused too, and said so as an error: forever, and the position never closed.
 */
describe('Binance spot: holdings below the exchange minimums', () => {
  const live = liveBinanceScenario()
  const { position, newOrdersSent } = live

  /** A limit entry of 0.01 BTC of which only 0.00005 (about 3 USDT) filled: the ask crossed the limit with no more there to take. */
  async function limitEntryFilledBelowMinimum(): Promise<string> {
    const { positionId } = await openPosition({
      db: live.t.db, userId: live.userId, actor: live.user(),
      input: { traderId: live.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'LIMIT', limitPrice: '59990', stopLoss: '59000' },
    })
    live.fake.setLiquidity('BTC/USDT', '0.00005')
    await live.price('59980.00', '59980.01')
    await live.reconciler().runOnce()
    return positionId
  }

  test('a partial close that would leave less than the minimum order value closes the whole position', async () => {
    const { positionId } = await openPosition({
      db: live.t.db, userId: live.userId, actor: live.user(),
      input: { traderId: live.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.001', entryType: 'MARKET', stopLoss: '59000' },
    })
    expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('placed')
    // It holds 0.000999 (the fee was taken in BTC): 95 % leaves 0.000059 BTC, 3.54 USDT at the bid,
    // which a stop or a sale would be refused for.
    await closePosition({ db: live.t.db, userId: live.userId, actor: live.user(), positionId, input: { sharePct: '95' } })
    // All the step grid allows is sold (0.00099); what is left (0.000009) is below one step: dust.
    const p = await position(positionId)
    expect([p.status, fromDb(p.openQty).toFixed()]).toEqual(['CLOSED', '0.000009'])
    const exits = await live.t.db.order.findMany({ where: { positionId, purpose: 'MANUAL_EXIT' }, select: { status: true, qty: true } })
    expect(exits.map((o) => [o.status, fromDb(o.qty).toFixed()])).toEqual([['FILLED', '0.00099']])
    // (the fake exchange keeps balances as floats)
    expect(live.fake.balance('BTC').free).toBeCloseTo(0.000009, 12)
  })

  test('the first small fill of a limit entry gets no stop it cannot have (nor an exit at market), said once; the stop goes on once the entry has filled enough', async () => {
    const positionId = await limitEntryFilledBelowMinimum()
    // (0.00005 less the 0.1 % fee Binance takes in the coin bought)
    expect(fromDb((await position(positionId)).openQty).toFixed()).toBe('0.00004995')
    const sent = newOrdersSent()
    for (let pass = 0; pass < 3; pass++) expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('too-small')
    expect(newOrdersSent()).toBe(sent)
    const said = await live.t.db.activityEvent.findMany({ where: { positionId, type: 'PROTECTION_FAILED' }, select: { severity: true, message: true } })
    expect(said).toEqual([{ severity: 'warning', message: expect.stringMatching(/^No stop rests on the exchange for this position: it holds less than the exchange takes as an order \(order value 2\.36 USDT \(0\.00004 × 59000\) is below the minimum 5 USDT for BTC\/USDT\)/) }])
    expect((await position(positionId)).status).not.toBe('CLOSED')

    // The rest of the entry fills: now the stop rests, for all of it.
    live.fake.setLiquidity('BTC/USDT', undefined)
    await live.price('59970.00', '59970.01')
    await live.reconciler().runOnce()
    expect(fromDb((await position(positionId)).openQty).toFixed()).toBe('0.00999')
    expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('placed')
  })

  test('closing what a limit entry filled below the minimum takes the entry off and sends no sale: the position closes as dust', async () => {
    const positionId = await limitEntryFilledBelowMinimum()
    const sent = newOrdersSent()
    await closePosition({ db: live.t.db, userId: live.userId, actor: live.user(), positionId, input: {} })
    // The entry was canceled on the exchange, and no sale went out: it would be refused.
    expect(newOrdersSent()).toBe(sent)
    expect(live.sells()).toEqual([])
    expect((await live.t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'ENTRY' } })).status).toBe('CANCELED')
    const p = await position(positionId)
    expect([p.status, fromDb(p.openQty).toFixed()]).toEqual(['CLOSED', '0.00004995'])
    expect(p.statusReason).toMatch(/^Left as dust: 0\.00004995 BTC cannot be sold \(order value 2\.3\d* USDT \(0\.00004 × 59980\) is below the minimum 5 USDT for BTC\/USDT\)$/)
    // The coins stay in the account on the exchange.
    expect(live.fake.balance('BTC').free).toBeCloseTo(0.00004995, 12)
    // Nothing keeps trying: the keeper has nothing to protect.
    expect(await keepProtected({ db: live.t.db, positionId, actor: live.worker })).toBe('in-place')
    expect(newOrdersSent()).toBe(sent)
  })
})
