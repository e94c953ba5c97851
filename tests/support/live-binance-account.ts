import { expect } from 'vitest'
import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { BinanceSpotExchange } from '@/lib/exchange/ccxt/binance-spot-exchange'
import { openPosition } from '@/lib/server/positions/open-position'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import type { FakeSymbolSpec } from '@/tests/support/fake-binance'
import type { FakeBinanceSpot, FakeSpotRequest } from '@/tests/support/fake-binance-spot'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'

/**
 * A user with a Binance spot account in TESTNET mode whose REST host is the fake server (sealed
 * keys, 0.1 % fees, USDT), and one trader on it with manual settings (no limits, no automation).
 */
export async function createBinanceTestnetTrader(db: Db, fake: FakeBinanceSpot, o: { watchlist: string[] }) {
  const n = Math.random().toString(36).slice(2, 8)
  const userId = (await db.user.create({ data: { email: `live-${n}@example.com`, passwordHash: 'x' } })).id
  const account = await db.exchangeAccount.create({
    data: {
      userId,
      name: `Binance testnet ${n}`,
      kind: 'CCXT',
      venue: 'binance',
      mode: 'TESTNET',
      apiKeyEnc: sealSecret(fake.apiKey),
      secretEnc: sealSecret(fake.secret),
      keyHint: '••••6789',
      baseUrl: fake.url,
      quoteCurrency: 'USDT',
      makerFeeRate: '0.001',
      takerFeeRate: '0.001',
      // As if the worker had read its balances once: entries wait for that on exchange accounts.
      reconciledAt: new Date(),
    },
  })
  const traderId = (await db.trader.create({ data: { userId, accountId: account.id, name: `Live ${n}`, quoteCurrency: 'USDT', watchlist: o.watchlist } })).id
  await useManualTraderSettings(db, traderId)
  return { userId, accountId: account.id, traderId, actor: { kind: 'USER' as const, id: userId } }
}

/**
 * The real Binance adapter on the fake with a short HTTP timeout. The account's own adapter
 * (LiveAccountExchange → buildVenueAdapter) always uses the 10 s default: the timeout is not a
 * setting of the account, so tests that need a timeout to fire pass this one through the
 * services' `exchange` / `exchangeFor` seams.
 */
export function binanceWithTimeout(fake: FakeBinanceSpot, accountId: string, timeoutMs: number): BinanceSpotExchange {
  return new BinanceSpotExchange({ accountId, apiKey: fake.apiKey, secret: fake.secret, sandbox: true, baseUrl: fake.url, timeoutMs })
}

/** POST /api/v3/order requests that carried this client order id (sent at most once, or never twice). */
export function ordersPostedWith(fake: FakeBinanceSpot, clientOrderId: string): number {
  return fake.requests.filter((r) => isNewOrder(r) && r.params.newClientOrderId === clientOrderId).length
}

export const isNewOrder = (r: FakeSpotRequest) => r.method === 'POST' && r.path === '/api/v3/order'

/** Stops resting (not yet executed) on the fake, per Binance symbol id (BTCUSDT). */
export function restingStopsOn(fake: FakeBinanceSpot, symbolId?: string) {
  return fake.orders.filter((o) => o.type === 'STOP_LOSS_LIMIT' && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (!symbolId || o.symbol === symbolId))
}

/** `n` spot markets alike (QAA/USDT, QAB/USDT, ...) at 100.00 / 100.01: one position per symbol and account. */
export function alikeSymbols(n: number): FakeSymbolSpec[] {
  const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  return Array.from({ length: n }, (_, i) => ({
    symbol: `Q${L[Math.floor(i / 26)]}${L[i % 26]}/USDT`,
    tickSize: '0.01',
    stepSize: '0.00001',
    minQty: '0.00001',
    minNotional: '5',
    notionalFilter: 'NOTIONAL' as const,
    bid: '100.00',
    ask: '100.01',
  }))
}

/**
 * A new trader on its own account (the fake's keys) holding a LONG of 0.1 in each symbol,
 * each with its stop (90) resting on the exchange. Opened a few at a time: each open locks the
 * trader row, so they still commit one by one.
 */
export async function openProtectedLongs(db: Db, fake: FakeBinanceSpot, symbols: FakeSymbolSpec[]) {
  const tr = await createBinanceTestnetTrader(db, fake, { watchlist: symbols.map((s) => s.symbol) })
  const positionIds: string[] = []
  for (let i = 0; i < symbols.length; i += 6) {
    const batch = symbols.slice(i, i + 6)
    await Promise.all(batch.map((s) => seedMarket(db, { symbol: s.symbol, bid: s.bid, ask: s.ask })))
    const ids = await Promise.all(
      batch.map(async (s) => {
        const { positionId } = await openPosition({
          db,
          userId: tr.userId,
          actor: tr.actor,
          input: { traderId: tr.traderId, symbol: s.symbol, side: 'LONG', sizeMode: 'BASE', size: '0.1', entryType: 'MARKET', stopLoss: '90' },
        })
        const r = await keepProtected({ db, positionId, actor: { kind: 'WORKER', id: 'test-keeper' } })
        if (r !== 'placed') throw new Error(`stop of ${s.symbol} not placed: ${r}`)
        return positionId
      }),
    )
    positionIds.push(...ids)
  }
  return { ...tr, positionIds }
}

/**
 * After closing every position of `openProtectedLongs`: flat on the exchange, every stop canceled
 * there and in our books, exactly one executed market sell per symbol (never two orders under one
 * client order id), every trade booked once, and the realized PnL equal to the cash change.
 */
export async function expectClosedOnceOnExchange(
  db: Db,
  fake: FakeBinanceSpot,
  o: {
    accountId: string
    positionIds: string[]
    symbols: FakeSymbolSpec[]
    ordersBefore: number
    usdtBefore: Decimal
    /** Stops were put back in between (after an exit that did not go through): any number per symbol, one at a time. */
    stopsReplaced?: boolean
  },
) {
  const ids = o.symbols.map((s) => s.symbol.replace('/', '')).sort()
  const mine = fake.orders.slice(o.ordersBefore)
  const stops = mine.filter((x) => x.type === 'STOP_LOSS_LIMIT')
  if (o.stopsReplaced) expect([...new Set(stops.map((x) => x.symbol))].sort()).toEqual(ids)
  else expect(stops.map((x) => x.symbol).sort()).toEqual(ids)
  expect(stops.every((x) => x.status === 'CANCELED')).toBe(true)
  expect(restingStopsOn(fake)).toHaveLength(0)
  expect(await db.order.count({ where: { accountId: o.accountId, type: 'STOP_MARKET', status: { not: 'CANCELED' } } })).toBe(0)

  const sells = mine.filter((x) => x.side === 'SELL' && x.type === 'MARKET')
  expect(sells.map((x) => x.symbol).sort()).toEqual(ids)
  expect(sells.every((x) => x.status === 'FILLED')).toBe(true)
  expect(new Set(fake.orders.map((x) => x.clientOrderId)).size).toBe(fake.orders.length)
  for (const s of o.symbols) {
    const b = fake.balance(s.symbol.split('/')[0]!)
    expect(b.free.plus(b.locked).isZero()).toBe(true)
  }

  const mineIds = new Set(mine.map((x) => x.orderId))
  const fills = await db.fill.findMany({ where: { positionId: { in: o.positionIds } } })
  expect(fills.map((f) => f.exchangeFillId).sort()).toEqual(fake.trades.filter((x) => mineIds.has(x.orderId)).map((x) => String(x.id)).sort())
  const positions = await db.position.findMany({ where: { id: { in: o.positionIds } } })
  expect(positions.map((p) => `${p.status} ${p.statusReason}`)).toEqual(positions.map(() => 'CLOSED MANUAL_EXIT'))
  const pnl = positions.reduce((sum, p) => sum.plus(fromDb(p.realizedPnl)), dec(0))
  expect(pnl.toFixed()).toBe(fake.balance('USDT').free.plus(fake.balance('USDT').locked).minus(o.usdtBefore).toFixed())
}

/**
 * Our books equal the exchange's for the only position traded on `fake`: every trade recorded
 * once as a fill, with the exchange's quantity, price, fee and fee asset; what we hold is what
 * the exchange holds; the quote balance moved by exactly the trades (when closed: by the
 * realized PnL).
 */
export async function expectBooksEqualExchange(db: Db, fake: FakeBinanceSpot, positionId: string, o: { base: string; startQuote: string }) {
  const fills = await db.fill.findMany({ where: { positionId } })
  expect(fills.map((f) => f.exchangeFillId).sort()).toEqual(fake.trades.map((x) => String(x.id)).sort())
  for (const tr of fake.trades) {
    const f = fills.find((x) => x.exchangeFillId === String(tr.id))!
    expect([fromDb(f.qty).toFixed(), fromDb(f.price).toFixed(), fromDb(f.fee).toFixed(), f.feeAsset]).toEqual([tr.qty.toFixed(), tr.price.toFixed(), tr.commission.toFixed(), tr.commissionAsset])
  }
  const p = await db.position.findUniqueOrThrow({ where: { id: positionId } })
  const held = fake.balance(o.base)
  expect(fromDb(p.openQty).toFixed()).toBe(held.free.plus(held.locked).toFixed())
  const quote = fake.balance('USDT')
  const quoteChange = quote.free.plus(quote.locked).minus(o.startQuote)
  if (p.status === 'CLOSED') expect(fromDb(p.realizedPnl).toFixed()).toBe(quoteChange.toFixed())
  else {
    const spent = fake.trades.filter((x) => x.isBuyer).reduce((s, x) => s.plus(x.quoteQty), dec(0))
    const received = fake.trades.filter((x) => !x.isBuyer).reduce((s, x) => s.plus(x.quoteQty).minus(x.commission), dec(0))
    expect(quoteChange.toFixed()).toBe(received.minus(spent).toFixed())
  }
}
