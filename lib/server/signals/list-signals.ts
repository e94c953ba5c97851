import { z } from 'zod'
import type { DbTx } from '@/lib/db/client'
import { SignalStatus } from '@/lib/generated/prisma/enums'
import type { Prisma } from '@/lib/generated/prisma/client'
import { notFound } from '@/lib/server/errors/app-error'
import type { CsvColumn } from '@/lib/server/exports/csv-response'
import { ID_PATTERN } from '@/lib/server/validation/id-field'
import { ZSymbolField } from '@/lib/server/validation/symbol-field'
import { textField } from '@/lib/server/validation/text-field'
import { ZTimeField } from '@/lib/server/validation/time-field'

/** The signal log's filters (the Signals page, GET …/signals and …/signals.csv). */
const ZSignalFilterFields = {
  status: z.enum(SignalStatus, { error: `must be one of ${Object.keys(SignalStatus).join(', ')}` }).optional(),
  symbol: ZSymbolField.optional(),
  from: ZTimeField.optional(),
  to: ZTimeField.optional(),
  /** Words found in the body (secret redacted), the reason or the ids. */
  q: textField({ max: 200 }).optional(),
}

export const ZSignalExportQuery = z.object(ZSignalFilterFields)

export const ZListSignalsQuery = z.object({
  ...ZSignalFilterFields,
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  cursor: textField({ max: 200 })
    .transform((v, ctx) => {
      const c = decodeCursor(v)
      if (!c) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor of this log (use nextCursor from the previous page)' })
        return z.NEVER
      }
      return c
    })
    .optional(),
})
export type SignalFilter = z.output<typeof ZSignalExportQuery>

type Cursor = { at: Date; id: string }
function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.at.getTime()}:${c.id}`, 'utf8').toString('base64url')
}
function decodeCursor(v: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(v)) return null
  const m = /^(\d{1,15}):(.+)$/.exec(Buffer.from(v, 'base64url').toString('utf8'))
  if (!m || !ID_PATTERN.test(m[2]!)) return null
  return { at: new Date(Number(m[1])), id: m[2]! }
}

const select = {
  id: true, traderId: true, receivedAt: true, processedAt: true, status: true, httpStatus: true, reason: true, symbol: true, action: true, intent: true,
  idempotencyKey: true, duplicateOfId: true, positionId: true, attempts: true, remoteAddr: true, contentType: true, body: true, payload: true, result: true, signalAt: true,
} as const
type Row = Prisma.SignalGetPayload<{ select: typeof select }>

export interface SignalView {
  id: string
  receivedAt: string
  processedAt: string | null
  /** From arrival to the outcome written (rejections at intake: 0). */
  latencyMs: number | null
  status: SignalStatus
  httpStatus: number
  reason: string | null
  symbol: string | null
  action: string | null
  intent: string | null
  signalAt: string | null
  idempotencyKey: string | null
  duplicateOfId: string | null
  positionId: string | null
  attempts: number
  remoteAddr: string | null
  contentType: string | null
  /** The request body as received, secret redacted. */
  body: string
  payload: unknown
  result: unknown
}

function toView(r: Row): SignalView {
  return {
    id: r.id,
    receivedAt: r.receivedAt.toISOString(),
    processedAt: r.processedAt?.toISOString() ?? null,
    latencyMs: r.processedAt ? Math.max(0, r.processedAt.getTime() - r.receivedAt.getTime()) : null,
    status: r.status,
    httpStatus: r.httpStatus,
    reason: r.reason,
    symbol: r.symbol,
    action: r.action,
    intent: r.intent,
    signalAt: r.signalAt?.toISOString() ?? null,
    idempotencyKey: r.idempotencyKey,
    duplicateOfId: r.duplicateOfId,
    positionId: r.positionId,
    attempts: r.attempts,
    remoteAddr: r.remoteAddr,
    contentType: r.contentType,
    body: r.body,
    payload: r.payload,
    result: r.result,
  }
}

async function whereFor(db: DbTx, userId: string, traderId: string, f: SignalFilter): Promise<Prisma.SignalWhereInput> {
  const t = await db.trader.findFirst({ where: { id: traderId, userId }, select: { id: true } })
  if (!t) throw notFound('trader')
  const words = f.q ? [...new Set(f.q.split(/\s+/).filter(Boolean))].slice(0, 8) : []
  return {
    traderId,
    userId,
    status: f.status,
    symbol: f.symbol,
    ...(f.from || f.to ? { receivedAt: { gte: f.from, lt: f.to } } : {}),
    AND: words.map((w) => ({
      OR: [
        { body: { contains: w, mode: 'insensitive' as const } },
        { reason: { contains: w, mode: 'insensitive' as const } },
        { id: w },
        { idempotencyKey: w },
        { positionId: w },
      ],
    })),
  }
}

const ORDER: Prisma.SignalOrderByWithRelationInput[] = [{ receivedAt: 'desc' }, { id: 'desc' }]
const before = (c: Cursor): Prisma.SignalWhereInput => ({ OR: [{ receivedAt: { lt: c.at } }, { receivedAt: c.at, id: { lt: c.id } }] })

/** A page of a trader's signal log, newest first, with a cursor for the next (keyset: a deep page costs what the first does). */
export async function listSignals(o: { db: DbTx; userId: string; traderId: string; query: z.output<typeof ZListSignalsQuery> }) {
  const where = await whereFor(o.db, o.userId, o.traderId, o.query)
  const rows = await o.db.signal.findMany({ where: o.query.cursor ? { AND: [where, before(o.query.cursor)] } : where, select, orderBy: ORDER, take: o.query.limit + 1 })
  const page = rows.slice(0, o.query.limit)
  const last = page.at(-1)
  return { signals: page.map(toView), nextCursor: rows.length > o.query.limit && last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null }
}

/** Every matching signal, newest first, read a page at a time (the CSV export). */
export async function* allSignals(o: { db: DbTx; userId: string; traderId: string; filter: SignalFilter }): AsyncGenerator<SignalView> {
  const where = await whereFor(o.db, o.userId, o.traderId, o.filter)
  let cursor: Cursor | null = null
  for (;;) {
    const rows: Row[] = await o.db.signal.findMany({ where: cursor ? { AND: [where, before(cursor)] } : where, select, orderBy: ORDER, take: 500 })
    for (const r of rows) yield toView(r)
    if (rows.length < 500) return
    const last = rows[rows.length - 1]!
    cursor = { at: last.receivedAt, id: last.id }
  }
}

export const SIGNAL_COLUMNS: CsvColumn<SignalView>[] = [
  { header: 'received_at', value: (s) => s.receivedAt },
  { header: 'signal_id', value: (s) => s.id },
  { header: 'status', value: (s) => s.status },
  { header: 'http_status', value: (s) => s.httpStatus },
  { header: 'reason', value: (s) => s.reason },
  { header: 'symbol', value: (s) => s.symbol },
  { header: 'action', value: (s) => s.action },
  { header: 'intent', value: (s) => s.intent },
  { header: 'fired_at', value: (s) => s.signalAt },
  { header: 'idempotency_key', value: (s) => s.idempotencyKey },
  { header: 'duplicate_of', value: (s) => s.duplicateOfId },
  { header: 'position_id', value: (s) => s.positionId },
  { header: 'processed_at', value: (s) => s.processedAt },
  { header: 'latency_ms', value: (s) => s.latencyMs },
  { header: 'attempts', value: (s) => s.attempts },
  { header: 'remote_addr', value: (s) => s.remoteAddr },
  { header: 'result', value: (s) => (s.result === null ? null : JSON.stringify(s.result)) },
  { header: 'body', value: (s) => s.body },
]
