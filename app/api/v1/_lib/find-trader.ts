import type { DbTx } from '@/lib/db/client'
import { notFound } from '@/lib/server/errors/app-error'
import { ZTrader } from '@/lib/server/openapi/response-schemas'
import { accountSummaries } from '@/lib/server/positions/position-views'

type Summary = Awaited<ReturnType<typeof accountSummaries>>[number]

function toTrader(s: Summary) {
  return ZTrader.parse({
    id: s.traderId,
    name: s.traderName,
    quoteCurrency: s.quoteCurrency,
    watchlist: s.watchlist,
    universe: s.universe,
    universeRefreshedAt: s.universeRefreshedAt,
    universeError: s.universeError,
    exchange: s.exchange,
    mode: s.mode,
    balances: s.balances,
    equity: s.equity,
  })
}

/** Every trader of the user with balances and equity. */
export async function listTraders(db: DbTx, userId: string) {
  return (await accountSummaries(db, userId)).map(toTrader)
}

/** One trader of the user with balances and equity; NOT_FOUND otherwise. */
export async function findTrader(db: DbTx, userId: string, traderId: string) {
  const [s] = await accountSummaries(db, userId, { traderId })
  if (!s) throw notFound('trader')
  return toTrader(s)
}
