import type { Db } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import { toDb } from '@/lib/db/decimal-columns'
import { conflict, fromZodError } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { ZCreateTraderRequest } from './trader-input'

/** Creates a trader with its own paper account funded with the starting balance. */
export async function createTrader(opts: { db: Db; userId: string; input: unknown }) {
  const parsed = ZCreateTraderRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const v = parsed.data
  return opts.db.$transaction(async (tx) => {
    if (await tx.trader.findFirst({ where: { userId: opts.userId, name: v.name } })) throw conflict(`a trader named "${v.name}" already exists`)
    const fee = env().PAPER_FEE_RATE
    const account = await tx.exchangeAccount.create({
      data: {
        userId: opts.userId,
        name: `${v.name} (paper)`,
        kind: 'PAPER',
        quoteCurrency: v.quoteCurrency,
        makerFeeRate: fee,
        takerFeeRate: fee,
        balances: { create: { asset: v.quoteCurrency, amount: toDb(v.startingBalance) } },
      },
    })
    const trader = await tx.trader.create({
      data: { userId: opts.userId, accountId: account.id, name: v.name, quoteCurrency: v.quoteCurrency, watchlist: v.watchlist, autoTrade: v.autoTrade },
    })
    await notify(tx, { kind: 'trader', userId: opts.userId, traderId: trader.id })
    return trader
  })
}
