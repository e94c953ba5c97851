import type { Db } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import { PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { ExchangePort } from '@/lib/exchange/port'
import { conflict } from '@/lib/server/errors/app-error'

export interface ExchangeForAccountOptions {
  /**
   * Panic closes: the paper exchange fills at the last known quote however old it is (a live
   * exchange has its own prices, so this only concerns the paper engine).
   */
  allowStaleMarket?: boolean
}

/** The composition point: the only place that knows which adapter an account uses. */
export function exchangeForAccount(db: Db, account: { id: string; kind: 'PAPER' | 'CCXT' }, opts: ExchangeForAccountOptions = {}): ExchangePort {
  if (account.kind === 'PAPER') {
    return new PaperExchange(db, account.id, { staleAfterMs: opts.allowStaleMarket ? Number.POSITIVE_INFINITY : env().MARKET_STALE_AFTER_MS })
  }
  throw conflict('live exchange accounts are not available in this version')
}
