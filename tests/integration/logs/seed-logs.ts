import type { Db } from '@/lib/db/client'
import { createChannel } from '@/lib/server/notifications/channels'
import { createTrader } from '@/lib/server/traders/create-trader'

/** A fixed moment the seeded lines are placed around (ms precision, like the columns). */
export const T0 = new Date('2025-03-01T12:00:00.000Z')
export const at = (secondsFromT0: number) => new Date(T0.getTime() + secondsFromT0 * 1000)

export interface SeededUser {
  userId: string
  traders: { a: string; b: string }
  positions: { btc: string; eth: string }
  /** Ids every line of this user is expected to have, by kind (as `<kind>:<id>`). */
  expected: string[]
}

/**
 * Writes one user's log: audit events with their activity mirrors (which the log shows once),
 * account activity, risk events and notification deliveries, at chosen times, including a burst
 * of lines of every kind at exactly the same millisecond (T0) to exercise ordering ties.
 * `word` goes into every message so that another user's lines would match the same searches.
 */
export async function seedUserLogs(db: Db, o: { email: string; word: string }): Promise<SeededUser> {
  const user = await db.user.create({ data: { email: o.email, passwordHash: 'not used' } })
  const ta = await createTrader({ db, userId: user.id, input: { name: 'Alpha', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT, ETH/USDT' } })
  const tb = await createTrader({ db, userId: user.id, input: { name: 'Beta', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'ETH/USDT' } })
  const position = (traderId: string, accountId: string, symbol: string) =>
    db.position.create({ data: { traderId, accountId, symbol, side: 'LONG', status: 'OPEN', entryType: 'MARKET', requestedQty: '1' }, select: { id: true } })
  const btc = (await position(ta.id, ta.accountId, 'BTC/USDT')).id
  const eth = (await position(tb.id, tb.accountId, 'ETH/USDT')).id
  const symbolOf: Record<string, string> = { [btc]: 'BTC/USDT', [eth]: 'ETH/USDT' }
  const expected: string[] = []

  // Audit events, each mirrored into the feed with its position's symbol and the mirror flag, as recordPositionEvent does.
  const audit = async (positionId: string, type: string, message: string, when: Date, statuses: { fromStatus?: string; toStatus?: string } = {}) => {
    const e = await db.positionEvent.create({ data: { positionId, type, actor: 'USER', actorId: user.id, message, createdAt: when, ...statuses } })
    const mirror = await db.activityEvent.create({ data: { userId: user.id, type, positionId, symbol: symbolOf[positionId], message, mirrorsPositionEvent: true, positionEventId: e.id, createdAt: when } })
    expected.push(`audit:${e.id}`)
    return mirror
  }
  await audit(btc, 'CREATED', `LONG 1 BTC/USDT ${o.word} opened`, at(-300), { toStatus: 'CREATED' })
  const stopMoved = await audit(btc, 'SL_CHANGED', `Stop moved to 59000 ${o.word}`, at(-200))
  await audit(eth, 'STATUS_CHANGED', `Entry failed ${o.word}: insufficient balance`, at(-100), { fromStatus: 'SUBMITTING', toStatus: 'FAILED' })

  // A feed row about a position carries its symbol; one about a symbol alone (an approval) names it.
  const activity = async (data: { type: string; message: string; severity?: string; traderId?: string; positionId?: string; symbol?: string; createdAt: Date }) => {
    const a = await db.activityEvent.create({ data: { userId: user.id, symbol: data.positionId ? symbolOf[data.positionId] : undefined, ...data } })
    expected.push(`activity:${a.id}`)
    return a
  }
  const approval = await activity({ type: 'APPROVAL_NEEDED', message: `Approval needed: LONG BTC/USDT ${o.word}`, severity: 'warning', traderId: ta.id, symbol: 'BTC/USDT', createdAt: at(-50) })
  const panic = await activity({ type: 'PANIC', message: `PANIC pressed ${o.word} 100% done`, severity: 'error', createdAt: at(50) })
  const protection = await activity({ type: 'PROTECTION_FAILED', message: `Stop refused ${o.word}`, severity: 'error', traderId: ta.id, positionId: btc, createdAt: at(100) })

  const risk = async (data: { traderId: string; accountId: string; limit: string; message: string; tripped?: boolean; createdAt: Date }) => {
    const r = await db.riskEvent.create({ data: { currentValue: '3', allowedValue: '2', source: data.tripped ? 'BREAKER' : 'MANUAL', ...data } })
    expected.push(`risk:${r.id}`)
  }
  await risk({ traderId: ta.id, accountId: ta.accountId, limit: 'maxOpenPositions', message: `BTC/USDT: ${o.word} too many open positions`, createdAt: at(-150) })
  await risk({ traderId: tb.id, accountId: tb.accountId, limit: 'consecutiveLosses', message: `Beta ${o.word} lost 3 in a row`, tripped: true, createdAt: at(150) })

  const channel = await createChannel({ db, userId: user.id, input: { name: 'Hook', url: 'https://hooks.example.com/x' } })
  // With its event's symbol, as enqueueChannelDeliveries writes it.
  const delivery = async (event: { id: bigint; symbol: string | null }, status: string, createdAt: Date, lastError?: string) => {
    const d = await db.notificationDelivery.create({ data: { channelId: channel.id, eventId: event.id, symbol: event.symbol, status, attempts: lastError ? 3 : 1, lastError, createdAt } })
    expected.push(`delivery:${d.id}`)
  }
  await delivery(approval, 'DELIVERED', at(-49))
  await delivery(panic, 'FAILED', at(51), 'HTTP 500 from the receiver')
  // About a position: found by the position's trader and symbol.
  await delivery(protection, 'DELIVERED', at(101))
  // A position event's notification: the delivery of its mirror row (shown as a delivery line).
  await delivery(stopMoved, 'DELIVERED', at(-199))

  // A burst at exactly T0: several lines of every kind share the timestamp.
  const ties = []
  for (let i = 0; i < 4; i++) ties.push(await activity({ type: 'TIE', message: `tie activity ${i} ${o.word}`, traderId: ta.id, createdAt: T0 }))
  for (let i = 0; i < 3; i++) await audit(btc, 'TIE', `tie audit ${i} ${o.word}`, T0)
  for (let i = 0; i < 2; i++) await risk({ traderId: ta.id, accountId: ta.accountId, limit: 'tie', message: `BTC/USDT: tie risk ${i} ${o.word}`, createdAt: T0 })
  for (let i = 0; i < 2; i++) await delivery(ties[i]!, 'PENDING', T0)

  return { userId: user.id, traders: { a: ta.id, b: tb.id }, positions: { btc, eth }, expected }
}
