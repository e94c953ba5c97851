import type { DbTx } from '@/lib/db/client'
import type { Prisma } from '@/lib/generated/prisma/client'
import { CANDIDATE_TYPES, notificationKind, type NotificationKind } from './notifiable-events'

/** One activity event that goes out, with the context a message needs. */
export interface NotifiableEvent {
  id: bigint
  kind: NotificationKind
  type: string
  severity: string
  message: string
  positionId: string | null
  traderId: string | null
  traderName: string | null
  symbol: string | null
  side: string | null
  at: Date
}

/** Activity rows that may be notifiable; `notifiableEvents` decides. */
export const candidateEventWhere: Prisma.ActivityEventWhereInput = {
  OR: [{ type: { in: [...CANDIDATE_TYPES] } }, { severity: 'error' }],
}

type ActivityRow = {
  id: bigint
  type: string
  severity: string
  message: string
  positionId: string | null
  traderId: string | null
  createdAt: Date
}

/**
 * Classifies activity rows, loading what their own columns do not say: the statuses of the
 * PositionEvent each mirrors (same position, type and message, written in the same
 * transaction), the position's close reason and symbol, and for ORDER_STATUS the purpose of the
 * order whose client id the message names. At most four queries for any number of rows.
 */
export async function notifiableEvents(db: DbTx, rows: ActivityRow[]): Promise<NotifiableEvent[]> {
  if (rows.length === 0) return []
  const positionIds = [...new Set(rows.flatMap((r) => (r.positionId ? [r.positionId] : [])))]
  const mirrored = rows.filter((r) => r.positionId && (r.type === 'STATUS_CHANGED' || r.type === 'ORDER_STATUS'))
  const orderRows = rows.some((r) => r.type === 'ORDER_STATUS' && r.positionId)
  const [positions, positionEvents, orders] = await Promise.all([
    positionIds.length
      ? db.position.findMany({ where: { id: { in: positionIds } }, select: { id: true, symbol: true, side: true, statusReason: true, traderId: true } })
      : [],
    mirrored.length
      ? db.positionEvent.findMany({
          where: { positionId: { in: [...new Set(mirrored.map((r) => r.positionId!))] }, type: { in: ['STATUS_CHANGED', 'ORDER_STATUS'] }, message: { in: [...new Set(mirrored.map((r) => r.message))] } },
          select: { positionId: true, type: true, message: true, fromStatus: true, toStatus: true },
        })
      : [],
    orderRows
      ? db.order.findMany({
          where: { positionId: { in: [...new Set(rows.filter((r) => r.type === 'ORDER_STATUS' && r.positionId).map((r) => r.positionId!))] } },
          select: { positionId: true, clientOrderId: true, purpose: true },
        })
      : [],
  ])
  // Position events carry no traderId of their own: take the position's.
  const traderIds = [...new Set([...rows.flatMap((r) => (r.traderId ? [r.traderId] : [])), ...positions.map((p) => p.traderId)])]
  const traders = traderIds.length ? await db.trader.findMany({ where: { id: { in: traderIds } }, select: { id: true, name: true } }) : []
  const positionById = new Map(positions.map((p) => [p.id, p]))
  const eventKey = (positionId: string, type: string, message: string) => `${positionId}\u0000${type}\u0000${message}`
  const statuses = new Map(positionEvents.map((e) => [eventKey(e.positionId, e.type, e.message), e]))
  const traderNames = new Map(traders.map((t) => [t.id, t.name]))

  const out: NotifiableEvent[] = []
  for (const r of rows) {
    const position = r.positionId ? positionById.get(r.positionId) : undefined
    const pe = r.positionId ? statuses.get(eventKey(r.positionId, r.type, r.message)) : undefined
    const order = r.type === 'ORDER_STATUS' ? orders.find((o) => o.positionId === r.positionId && r.message.includes(o.clientOrderId)) : undefined
    const kind = notificationKind({
      type: r.type,
      severity: r.severity,
      positionId: r.positionId,
      fromStatus: pe?.fromStatus,
      toStatus: pe?.toStatus,
      closeReason: position?.statusReason,
      orderPurpose: order?.purpose,
    })
    if (!kind) continue
    const traderId = r.traderId ?? position?.traderId ?? null
    out.push({
      id: r.id,
      kind,
      type: r.type,
      severity: r.severity,
      message: r.message,
      positionId: r.positionId,
      traderId,
      traderName: traderId ? (traderNames.get(traderId) ?? null) : null,
      symbol: position?.symbol ?? null,
      side: position?.side ?? null,
      at: r.createdAt,
    })
  }
  return out
}
