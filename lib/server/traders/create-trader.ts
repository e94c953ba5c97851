import type { Db, DbTx } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import { toDb } from '@/lib/db/decimal-columns'
import { conflict, fromZodError, notFound, validationError } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { notQuotedIn, quotedIn, ZCreateTraderRequest } from './trader-input'

/**
 * Creates a trader: with startingBalance on its own paper account funded with it, or with
 * accountId on one of the user's exchange accounts, in that account's quote currency.
 */
export async function createTrader(opts: { db: Db; userId: string; input: unknown }) {
  const parsed = ZCreateTraderRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const v = parsed.data
  return opts.db.$transaction(async (tx) => {
    if (await tx.trader.findFirst({ where: { userId: opts.userId, name: v.name } })) throw conflict(`a trader named "${v.name}" already exists`)
    const { accountId, quoteCurrency } = v.accountId !== undefined ? await exchangeAccountFor(tx, opts.userId, v) : await fundPaperAccount(tx, opts.userId, v)
    const trader = await tx.trader.create({
      data: { userId: opts.userId, accountId, name: v.name, quoteCurrency, watchlist: v.watchlist ?? [], universe: v.universe, autoTrade: v.autoTrade, totals: { create: {} } },
    })
    await notify(tx, { kind: 'trader', userId: opts.userId, traderId: trader.id })
    if (v.universe?.kind === 'TOP') await notify(tx, { kind: 'universe', traderId: trader.id })
    return trader
  })
}

type Input = ReturnType<typeof ZCreateTraderRequest.parse>

async function fundPaperAccount(tx: DbTx, userId: string, v: Input) {
  // The schema requires both for a paper trader.
  const quoteCurrency = v.quoteCurrency!
  const fee = env().PAPER_FEE_RATE
  const account = await tx.exchangeAccount.create({
    data: {
      userId,
      name: `${v.name} (paper)`,
      kind: 'PAPER',
      quoteCurrency,
      makerFeeRate: fee,
      takerFeeRate: fee,
      balances: { create: { asset: quoteCurrency, amount: toDb(v.startingBalance!) } },
    },
  })
  return { accountId: account.id, quoteCurrency }
}

/** One of the user's exchange accounts (never a paper account, never someone else's): 404 otherwise. */
async function exchangeAccountFor(tx: DbTx, userId: string, v: Input) {
  const account = await tx.exchangeAccount.findFirst({ where: { id: v.accountId, userId, kind: 'CCXT' }, select: { id: true, name: true, quoteCurrency: true } })
  if (!account) throw notFound('exchange account')
  const quote = account.quoteCurrency
  if (v.quoteCurrency !== undefined && v.quoteCurrency !== quote) {
    throw validationError([{ field: 'quoteCurrency', message: `the exchange account "${account.name}" trades in ${quote}; leave quoteCurrency out or give ${quote}` }])
  }
  const wrong = (v.watchlist ?? []).flatMap((s, i) => (quotedIn(s, quote) ? [] : [{ field: `watchlist.${i}`, message: notQuotedIn(s, quote) }]))
  if (wrong.length) throw validationError(wrong)
  return { accountId: account.id, quoteCurrency: quote }
}
