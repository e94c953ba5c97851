import type { Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'

/** Puts a symbol's rules and a fresh quote with a one-level book (so market fills are exact) into the database. */
export async function seedMarket(db: Db, o: { symbol?: string; bid: string; ask: string; depth?: string; receivedAt?: number }) {
  const symbol = o.symbol ?? 'BTC/USDT'
  const [base, quote] = symbol.split('/')
  await saveMarketRules(
    db,
    { symbol, base, quote, tickSize: dec('0.01'), stepSize: dec('0.00001'), minQty: dec('0.00001'), minNotional: dec('5') },
    'test',
  )
  const depth = dec(o.depth ?? '100')
  const now = o.receivedAt ?? Date.now()
  await saveQuotes(
    db,
    [{ symbol, bid: dec(o.bid), ask: dec(o.ask), last: dec(o.bid), bids: [[dec(o.bid), depth]], asks: [[dec(o.ask), depth]], exchangeTs: now, receivedAt: now }],
    'test',
  )
}
