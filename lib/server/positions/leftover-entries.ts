import type { Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import type { ExchangePort } from '@/lib/exchange/port'
import { cancelWorkingEntry } from './cancel-entry'

type Leftover = { id: string; clientOrderId: string; accountId: string; kind: AccountRef['kind']; venue: AccountRef['venue'] }

/**
 * Limit entries still working on the exchange whose positions have closed: an exit that closes a
 * position takes its entry off first, but that cancel can fail (the exchange away, a back-off)
 * and a resting stop that executes on the exchange closes the position without an exit of ours.
 * Left there, the entry would fill into a closed position. Each one is canceled (and its answer
 * booked: a fill that came first reopens the position, protected by its stop). Returns how many
 * were canceled; a failure is reported to `onError` and tried again on the next call.
 */
export async function cancelLeftoverEntries(
  db: Db,
  o: { actor: ActorRef; owns?: (accountId: string) => boolean; exchangeFor?: (account: AccountRef) => ExchangePort; onError?: (orderId: string, e: Error) => void },
): Promise<number> {
  const rows = await db.$queryRaw<Leftover[]>`
    SELECT o.id, o."clientOrderId", a.id AS "accountId", a.kind::text AS kind, a.venue::text AS venue
    FROM "Order" o JOIN "Position" p ON p.id = o."positionId" JOIN "ExchangeAccount" a ON a.id = o."accountId"
    WHERE o.status IN ('SUBMITTED', 'PARTIALLY_FILLED') AND o.purpose = 'ENTRY' AND p.status = 'CLOSED'`
  let canceled = 0
  for (const r of rows) {
    if (o.owns && !o.owns(r.accountId)) continue
    const account: AccountRef = { id: r.accountId, kind: r.kind, venue: r.venue }
    const exchange = o.exchangeFor?.(account) ?? exchangeForAccount(db, account)
    try {
      if ((await cancelWorkingEntry(db, exchange, r, 'canceled: its position had closed', o.actor)) === 'CANCELED') canceled++
    } catch (e) {
      o.onError?.(r.id, e as Error)
    }
  }
  return canceled
}
