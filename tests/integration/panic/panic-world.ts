import type { Db } from '@/lib/db/client'
import { LIMIT_LABELS } from '@/lib/domain/risk/risk-limits'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { seedMarket } from '../../support/seed-market'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

export const PRICES: Record<string, { bid: string; ask: string }> = {
  'BTC/USDT': { bid: '60000', ask: '60010' },
  'ETH/USDT': { bid: '3000', ask: '3001' },
  'SOL/USDT': { bid: '150', ask: '150.05' },
  'XRP/USDT': { bid: '0.5', ask: '0.5001' },
}

export const OPEN_ORDER = ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] as const
export const ACTIVE_POSITION = ['CREATED', 'SUBMITTING', 'OPEN', 'MONITORING', 'CLOSING'] as const

/** Fresh quotes for every symbol; `ageMs` makes them that old (a failing market-data feed). */
export async function seedPrices(db: Db, ageMs = 0, symbols = Object.keys(PRICES)) {
  for (const symbol of symbols) await seedMarket(db, { symbol, ...PRICES[symbol]!, receivedAt: Date.now() - ageMs })
}

export interface PanicWorld {
  t: TestDatabase
  db: Db
  userId: string
  email: string
  alpha: { id: string; accountId: string }
  beta: { id: string; accountId: string }
  open(trader: { id: string }, symbol: string, side: 'LONG' | 'SHORT', size: string, limitPrice?: string): Promise<string>
  drop(): Promise<void>
}

/** One user with two traders (each with its own funded paper account) and fresh prices. */
export async function createPanicWorld(t?: TestDatabase): Promise<PanicWorld> {
  t ??= await createTestDatabase()
  const db = t.db
  const email = 'pat@example.com'
  const userId = (await db.user.create({ data: { email, passwordHash: 'x' } })).id
  const mk = (name: string, watchlist: string) => createTrader({ db, userId, input: { name, quoteCurrency: 'USDT', startingBalance: '100000', watchlist } })
  const alpha = await mk('Alpha', 'BTC/USDT, ETH/USDT, SOL/USDT, XRP/USDT')
  const beta = await mk('Beta', 'BTC/USDT, ETH/USDT, SOL/USDT, XRP/USDT')
  // Panic is about what is open, not about how it got there: switch the entry risk limits off
  // so the fixture can open as many positions as a scenario needs.
  const noLimits = Object.fromEntries(Object.keys(LIMIT_LABELS).map((k) => [k, null]))
  await db.trader.updateMany({ where: { userId }, data: { riskLimits: noLimits } })
  await db.user.update({ where: { id: userId }, data: { riskLimits: noLimits } })
  await seedPrices(db)
  const actor = { kind: 'USER' as const, id: userId }
  return {
    t,
    db,
    userId,
    email,
    alpha: { id: alpha.id, accountId: alpha.accountId },
    beta: { id: beta.id, accountId: beta.accountId },
    async open(trader, symbol, side, size, limitPrice) {
      const ref = Number(limitPrice ?? PRICES[symbol]![side === 'LONG' ? 'ask' : 'bid'])
      const stopLoss = (side === 'LONG' ? ref * 0.9 : ref * 1.1).toFixed(4)
      const { positionId } = await openPosition({
        db,
        userId,
        actor,
        input: { traderId: trader.id, symbol, side, sizeMode: 'BASE', size, entryType: limitPrice ? 'LIMIT' : 'MARKET', limitPrice, stopLoss },
      })
      return positionId
    },
    drop: () => t.drop(),
  }
}
