import { z } from 'zod'
import { ZIdField, ID_PATTERN } from '@/lib/server/validation/id-field'
import { ZSymbolField } from '@/lib/server/validation/symbol-field'
import { textField } from '@/lib/server/validation/text-field'
import { ZTimeField } from '@/lib/server/validation/time-field'

/**
 * Where a log line comes from: the activity feed (account events), the audit trail of positions
 * (PositionEvent), risk-limit refusals and breaker trips (RiskEvent), outgoing notification
 * deliveries (NotificationDelivery), webhook signals (Signal: every request, secret redacted).
 */
export const LOG_KINDS = ['activity', 'audit', 'risk', 'delivery', 'signal'] as const
export type LogKind = (typeof LOG_KINDS)[number]

/** Levels from least to most severe; a level filter keeps that level and the more severe ones. */
export const LOG_LEVELS = ['info', 'warning', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** A position in the log's order (newest first): a line's time, kind and id. */
export interface LogCursor {
  at: Date
  kind: LogKind
  id: string
}

export function encodeLogCursor(c: LogCursor): string {
  return Buffer.from(`${c.at.getTime()}:${c.kind}:${c.id}`, 'utf8').toString('base64url')
}

/** The cursor a page handed out, or null when `value` is not one. */
export function decodeLogCursor(value: string): LogCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null
  const m = /^(\d{1,15}):([a-z]+):(.+)$/.exec(Buffer.from(value, 'base64url').toString('utf8'))
  if (!m) return null
  const at = new Date(Number(m[1]))
  const kind = m[2] as LogKind
  const id = m[3]!
  if (Number.isNaN(at.getTime()) || !LOG_KINDS.includes(kind) || !ID_PATTERN.test(id)) return null
  // Feed rows have decimal ids (a bigint column).
  if (kind === 'activity' && !/^\d{1,18}$/.test(id)) return null
  return { at, kind, id }
}

const ZLimit = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50)

/** The filters of the logs page, GET /api/v1/logs and GET /api/v1/logs.csv (without paging). */
export const ZLogFilterFields = {
  kind: z.enum(LOG_KINDS, { error: `must be one of ${LOG_KINDS.join(', ')}` }).optional(),
  level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  type: textField({ max: 64 })
    .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an event type such as STATUS_CHANGED')
    .optional(),
  traderId: ZIdField.optional(),
  symbol: ZSymbolField.optional(),
  from: ZTimeField.optional(),
  to: ZTimeField.optional(),
  q: textField({ max: 200 }).optional(),
}

function fromBeforeTo(v: { from?: Date; to?: Date }, ctx: z.RefinementCtx) {
  if (v.from && v.to && v.from >= v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' })
}

export const ZLogExportQuery = z.object(ZLogFilterFields).superRefine(fromBeforeTo)

/** GET /api/v1/logs */
export const ZListLogsQuery = z
  .object({
    ...ZLogFilterFields,
    limit: ZLimit,
    cursor: textField({ max: 200 })
      .transform((v, ctx) => {
        const c = decodeLogCursor(v)
        if (!c) {
          ctx.addIssue({ code: 'custom', message: 'is not a cursor of this log (use nextCursor from the previous page)' })
          return z.NEVER
        }
        return c
      })
      .optional(),
  })
  .superRefine(fromBeforeTo)

export type LogFilter = Omit<z.output<typeof ZListLogsQuery>, 'limit' | 'cursor'>
export type ListLogsQuery = z.output<typeof ZListLogsQuery>

/** The words of a search: every one must appear in the message (any order, any case). */
export function searchTerms(q: string | undefined): string[] {
  if (!q) return []
  return [...new Set(q.split(/\s+/).filter(Boolean))].slice(0, 8)
}
