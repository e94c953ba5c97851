import type { Db } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import { PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { ExchangePort } from '@/lib/exchange/port'
import { conflict } from '@/lib/server/errors/app-error'

/** The composition point: the only place that knows which adapter an account uses. */
export function exchangeForAccount(db: Db, account: { id: string; kind: 'PAPER' | 'CCXT' }): ExchangePort {
  if (account.kind === 'PAPER') return new PaperExchange(db, account.id, { staleAfterMs: env().MARKET_STALE_AFTER_MS })
  throw conflict('live exchange accounts are not available in this version')
}
