import type { Db } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import { PaperExchange } from '@/lib/exchange/paper/paper-exchange'
import type { ExchangePort } from '@/lib/exchange/port'
import { LiveAccountExchange } from './live-account-exchange'
import type { Venue } from './venue-adapter'

export interface ExchangeForAccountOptions {
  /**
   * Panic closes: the paper exchange fills at the last known quote however old it is (a live
   * exchange has its own prices, so this only concerns the paper engine).
   */
  allowStaleMarket?: boolean
}

/** What the composition needs to know of an account: which adapter, and for CCXT which venue. */
export interface AccountRef {
  id: string
  kind: 'PAPER' | 'CCXT'
  venue?: Venue | null
}

/** The columns to select for an AccountRef. */
export const ACCOUNT_REF = { id: true, kind: true, venue: true } as const

/** The composition point: the only place that knows which adapter an account uses. */
export function exchangeForAccount(db: Db, account: AccountRef, opts: ExchangeForAccountOptions = {}): ExchangePort {
  if (account.kind === 'PAPER') {
    return new PaperExchange(db, account.id, { staleAfterMs: opts.allowStaleMarket ? Number.POSITIVE_INFINITY : env().MARKET_STALE_AFTER_MS })
  }
  if (!account.venue) throw new Error(`exchangeForAccount: the venue of CCXT account ${account.id} was not selected`)
  return new LiveAccountExchange(db, account.id, account.venue)
}
