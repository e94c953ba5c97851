import type { Db } from '@/lib/db/client'
import { conflict, fromZodError, notFound, validationError } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { ZUpdateTraderRequest } from './trader-input'
import { readUniverse } from './trader-settings'

/**
 * Renames a trader, changes its watchlist (symbols must stay in the trader's currency) or how the
 * watchlist is chosen. A new universe counts as not resolved until the worker has resolved it.
 */
export async function updateTrader(opts: { db: Db; userId: string; traderId: string; input: unknown }) {
  const parsed = ZUpdateTraderRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const v = parsed.data
  return opts.db.$transaction(async (tx) => {
    const t = await tx.trader.findFirst({ where: { id: opts.traderId, userId: opts.userId } })
    if (!t) throw notFound('trader')
    const wrong = v.watchlist?.findIndex((s) => !s.endsWith(`/${t.quoteCurrency}`)) ?? -1
    if (wrong >= 0) throw validationError([{ field: `watchlist.${wrong}`, message: `${v.watchlist![wrong]} is not quoted in ${t.quoteCurrency}` }])
    if (v.name && v.name !== t.name && (await tx.trader.findFirst({ where: { userId: opts.userId, name: v.name } }))) {
      throw conflict(`a trader named "${v.name}" already exists`)
    }
    const universeChanged = v.universe !== undefined && JSON.stringify(v.universe) !== JSON.stringify(readUniverse(t.universe))
    const resolution = universeChanged ? { universe: v.universe, universeRefreshedAt: null, universeError: null } : {}
    const updated = await tx.trader.update({ where: { id: t.id }, data: { name: v.name, watchlist: v.watchlist, ...resolution } })
    await notify(tx, { kind: 'trader', userId: opts.userId, traderId: t.id })
    if (universeChanged && v.universe?.kind === 'TOP') await notify(tx, { kind: 'universe', traderId: t.id })
    return updated
  })
}
