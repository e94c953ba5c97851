import type { Prisma } from '@/lib/generated/prisma/client'
import type { AccountMode, Venue } from '@/lib/generated/prisma/enums'

/** An exchange account as it leaves the server: never its keys, only their hint. */
export interface ExchangeAccountView {
  id: string
  name: string
  exchange: Venue
  mode: AccountMode
  quoteCurrency: string
  keyHint: string | null
  baseUrl: string | null
  /** The last key test passed: the keys work and may trade. */
  verified: boolean
  verifiedAt: string | null
  verifyError: string | null
  canTrade: boolean | null
  canWithdraw: boolean | null
  /**
   * How the worker hears of this account's orders, as it last said: from the exchange's private
   * stream ('stream'), or by polling while the stream connects or is down (with why); null when
   * no stream runs for it (the venue has none, or no worker is streaming).
   */
  orderUpdates: { via: 'stream' | 'polling'; detail: string | null } | null
  traders: { id: string; name: string }[]
  createdAt: string
}

/** The columns a view needs; apiKeyEnc and secretEnc are deliberately absent. */
export const EXCHANGE_ACCOUNT_VIEW_SELECT = {
  id: true,
  name: true,
  venue: true,
  mode: true,
  quoteCurrency: true,
  keyHint: true,
  baseUrl: true,
  verifiedAt: true,
  verifyError: true,
  canTrade: true,
  canWithdraw: true,
  orderStreamState: true,
  orderStreamError: true,
  createdAt: true,
  traders: { select: { id: true, name: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
} satisfies Prisma.ExchangeAccountSelect

export interface ExchangeAccountViewRow {
  id: string
  name: string
  venue: Venue | null
  mode: AccountMode
  quoteCurrency: string
  keyHint: string | null
  baseUrl: string | null
  verifiedAt: Date | null
  verifyError: string | null
  canTrade: boolean | null
  canWithdraw: boolean | null
  orderStreamState: string | null
  orderStreamError: string | null
  createdAt: Date
  traders: { id: string; name: string }[]
}

export function toExchangeAccountView(a: ExchangeAccountViewRow): ExchangeAccountView {
  if (!a.venue) throw new Error(`exchange account ${a.id} has no venue`)
  return {
    id: a.id,
    name: a.name,
    exchange: a.venue,
    mode: a.mode,
    quoteCurrency: a.quoteCurrency,
    keyHint: a.keyHint,
    baseUrl: a.baseUrl,
    verified: a.verifiedAt !== null && a.verifyError === null,
    verifiedAt: a.verifiedAt?.toISOString() ?? null,
    verifyError: a.verifyError,
    canTrade: a.canTrade,
    canWithdraw: a.canWithdraw,
    orderUpdates:
      a.orderStreamState === null
        ? null
        : a.orderStreamState === 'subscribed'
          ? { via: 'stream', detail: null }
          : { via: 'polling', detail: a.orderStreamState === 'down' ? `stream down: ${a.orderStreamError ?? 'no reason given'}` : 'stream connecting' },
    traders: a.traders,
    createdAt: a.createdAt.toISOString(),
  }
}
