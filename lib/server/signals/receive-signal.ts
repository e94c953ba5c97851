import { createHash } from 'node:crypto'
import type { Db } from '@/lib/db/client'
import { newId } from '@/lib/db/new-id'
import type { FieldError } from '@/lib/domain/field-error'
import { presentedSecret, readSignalBody, redactSignalBody, type SignalBody } from '@/lib/domain/signals/signal-body'
import { signalAgeProblem } from '@/lib/domain/signals/signal-checks'
import { resolveIntent } from '@/lib/domain/signals/signal-intent'
import { symbolForTicker } from '@/lib/domain/signals/ticker-symbol'
import { Prisma } from '@/lib/generated/prisma/client'
import { parseSignalPayload, storedPayload, type SignalPayload } from './signal-payload'
import { readGroupSettings } from '@/lib/server/groups/group-settings'
import { readSignalSettings, TRADINGVIEW_ADDRESSES } from './signal-settings'
import { countRefusal } from './refusal-limit'
import { SIGNALS_CHANNEL } from './signal-queue'
import { openedWebhookSecret, webhookSecretMatches, webhookSignatureMatches } from './webhook-secret'

/** What the webhook answers: 202 with the signal's id, or an error in the API's shape. */
export type WebhookAnswer =
  | { httpStatus: 202; body: { signalId: string; status: 'accepted' | 'duplicate' } }
  | { httpStatus: 400 | 401 | 403 | 404 | 409 | 422; body: { error: { code: string; message: string; fields?: FieldError[] } }; signalId: string | null }

const CODE = { 400: 'VALIDATION', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 422: 'UNPROCESSABLE' } as const

/** Signals of one trader and symbol are written one at a time (see receiveSignal), under this lock class. */
const INTAKE_LOCK_CLASS = 7_311

export interface ReceiveSignalOptions {
  db: Db
  traderId: string
  text: string
  contentType: string | null
  remoteAddr: string | null
  /** The SIGNATURE_HEADER of a sender that signs; with it, the signature is checked instead of the body's secret. */
  signature?: string | null
  now?: () => Date
}

/**
 * A TradingView (or any) alert posted to a trader's webhook. Everything is decided from the body
 * and the trader's row, then one short transaction writes the signal: ACCEPTED (queued for the
 * worker, which is woken by NOTIFY on commit) or DUPLICATE (pointing at the original), and the
 * answer is 202. A refused request (bad secret, bad fields, unknown symbol, a pyramid for a trader
 * without position groups, a stale signal, an entry for a paused trader) is written as REJECTED
 * with its reason and answered 4xx; the body is stored with the secret replaced. Only an unknown
 * trader is not recorded (its row is what a signal belongs to): 404. Nothing here answers 5xx for
 * bad input, so TradingView never resends a refused alert.
 */
export async function receiveSignal(o: ReceiveSignalOptions): Promise<WebhookAnswer> {
  const now = o.now?.() ?? new Date()
  // One plain statement: on this hot path a model query with a relation costs ~4x the CPU.
  const [trader] = await o.db.$queryRaw<IntakeTrader[]>`
    SELECT t.id, t."userId", t.name, t.status::text AS status, t.watchlist, t."webhookSecretEnc", t."signalSettings", t."groupSettings", t."accountId",
      a.halted AS "accountHalted", a.name AS "accountName"
    FROM "Trader" t JOIN "ExchangeAccount" a ON a.id = t."accountId" WHERE t.id = ${o.traderId}`
  if (!trader) return { httpStatus: 404, body: { error: { code: 'NOT_FOUND', message: 'no such webhook' } }, signalId: null }

  const body = readSignalBody(o.text)
  const presented = body.ok ? presentedSecret(body) : secretInText(o.text)
  const redacted = redactSignalBody(o.text, [openedWebhookSecret(trader.webhookSecretEnc), presented])
  const base = { db: o.db, trader, contentType: o.contentType, remoteAddr: o.remoteAddr, body: redacted, now }

  const settings = readSignalSettings(trader.signalSettings)
  if (settings.tradingViewAddressesOnly && !(o.remoteAddr && TRADINGVIEW_ADDRESSES.includes(o.remoteAddr))) {
    return reject({ ...base, httpStatus: 403, reason: `sent from ${o.remoteAddr ?? 'an unknown address'}, not one of TradingView's addresses (the trader takes only those)` })
  }
  if (!trader.webhookSecretEnc) return reject({ ...base, httpStatus: 401, reason: 'no webhook secret has been generated for this trader yet (see its Signals page)' })
  if (o.signature) {
    // A signed request is judged by its signature alone: a bad one is not rescued by a body secret.
    if (!webhookSignatureMatches(trader.webhookSecretEnc, o.text, o.signature)) return reject({ ...base, httpStatus: 401, reason: 'bad signature' })
  } else if (!webhookSecretMatches(trader.webhookSecretEnc, presented)) {
    return reject({ ...base, httpStatus: 401, reason: presented === null ? 'no secret in the body' : 'bad secret' })
  }
  if (!body.ok) return reject({ ...base, httpStatus: 400, reason: `${body.field}: ${body.message}`, fields: [{ field: body.field, message: body.message }] })

  const parsed = parseSignalPayload(body.fields)
  if (!parsed.ok) {
    const fields = parsed.errors.map((e) => ({ field: noNul(e.field.slice(0, 60)), message: e.message }))
    return reject({ ...base, httpStatus: 400, reason: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields, payload: payloadForLog(body) })
  }
  const p = parsed.value
  const fields = storedPayload(p)
  const hash = payloadHash(fields)
  const intent = resolveIntent({ intent: p.intent, action: p.action, marketPosition: p.market_position })
  const described = { ...base, payload: fields, hash, action: p.action, intent, signalAt: p.timestamp ?? null }

  const symbol = symbolForTicker(p.symbol, trader.watchlist)
  if (!symbol) {
    return reject({ ...described, httpStatus: 422, reason: `unknown symbol ${p.symbol}: it names none of ${trader.name}'s markets (${trader.watchlist.join(', ') || 'an empty watchlist'})` })
  }
  const known = { ...described, symbol }
  if (intent === 'pyramid' && !readGroupSettings(trader.groupSettings).enabled) {
    return reject({ ...known, httpStatus: 422, reason: `a pyramid adds to a position group, and ${trader.name} does not build groups (turn them on in its Signals page): send entry, exit, close or reverse` })
  }
  const stale = signalAgeProblem({ firedAt: p.timestamp ?? null, receivedAt: now, now, maxLagSeconds: settings.maxLagSeconds })
  if (stale) return reject({ ...known, httpStatus: 422, reason: stale })
  // Exits still run for a paused or halted trader (as its stops do); only new positions stop.
  if ((intent === 'entry' || intent === 'pyramid') && (trader.status !== 'ACTIVE' || trader.accountHalted)) {
    const why = trader.accountHalted ? `trading is halted on account "${trader.accountName}"` : `trader "${trader.name}" is ${trader.status.toLowerCase()}`
    return reject({ ...known, httpStatus: 409, reason: `${why}: it opens nothing until re-enabled` })
  }

  return accept({ ...known, key: p.id ?? null, windowSeconds: settings.duplicateWindowSeconds, p })
}

type IntakeTrader = {
  id: string; userId: string; name: string; status: string; watchlist: string[]; webhookSecretEnc: string | null; signalSettings: unknown; groupSettings: unknown; accountId: string
  accountHalted: boolean; accountName: string
}
type Trader = { id: string; userId: string; accountId: string }
interface Described {
  db: Db
  trader: Trader
  contentType: string | null
  remoteAddr: string | null
  body: string
  now: Date
  payload?: Record<string, unknown> | null
  hash?: string
  symbol?: string
  action?: string
  intent?: string
  signalAt?: Date | null
}

async function reject(o: Described & { httpStatus: 400 | 401 | 403 | 409 | 422; reason: string; fields?: FieldError[] }): Promise<WebhookAnswer> {
  // A sender not known to be the trader's writes a bounded number of rows (429 past it).
  if (o.httpStatus === 401 || o.httpStatus === 403) await countRefusal(o.trader.id)
  const id = newId()
  await o.db.signal.create({
    data: {
      ...rowOf(o, id),
      status: 'REJECTED',
      httpStatus: o.httpStatus,
      reason: o.reason,
      processedAt: o.now,
    },
  })
  // A refused sender hears nothing more: it is not known to be the trader's.
  const message = o.httpStatus === 401 ? (o.reason === 'bad signature' ? 'bad signature' : 'bad secret') : o.httpStatus === 403 ? 'this address may not send signals to this webhook' : o.reason
  return { httpStatus: o.httpStatus, body: { error: { code: CODE[o.httpStatus], message, ...(o.fields ? { fields: o.fields } : {}) } }, signalId: id }
}

function rowOf(o: Described, id: string) {
  return {
    id,
    traderId: o.trader.id,
    userId: o.trader.userId,
    idempotencyKey: null,
    payloadHash: o.hash ?? createHash('sha256').update(o.body).digest('hex'),
    contentType: o.contentType?.slice(0, 200) ?? null,
    remoteAddr: o.remoteAddr,
    body: noNul(o.body),
    payload: (o.payload ?? undefined) as Prisma.InputJsonValue | undefined,
    symbol: o.symbol ?? null,
    action: o.action ?? null,
    intent: o.intent ?? null,
    signalAt: o.signalAt ?? null,
    receivedAt: o.now,
  }
}

/**
 * Queues the signal, or answers that it is a duplicate, in one transaction of two statements: an
 * advisory lock per trader and symbol, then one statement that looks for the original, writes the
 * signal (ACCEPTED, or DUPLICATE pointing at the original) and NOTIFYs the worker. The lock does
 * two things. Signals of one trader and symbol are stamped (clock_timestamp, taken after the lock)
 * in the order they commit, which is the order the worker runs them in (receivedAt, then id). The
 * stamp is cut to the millisecond, as the JavaScript times of refused and duplicate rows are:
 * the column keeps milliseconds and PostgreSQL would round it, so a duplicate received after its
 * original could sort before it. Within one millisecond the id decides; ids (newId) increase in
 * the order a process makes them. And the second statement
 * runs with a snapshot taken after the lock, so a payload repeated without an id is seen by the
 * second request (a single statement's snapshot would predate the lock and miss it). An id is
 * unique per trader and symbol (the unique index backs the lock): an alert's retries name its
 * ticker, and one strategy alerting on two tickers in the same second sends one id for both.
 */
async function accept(o: Described & { symbol: string; hash: string; key: string | null; windowSeconds: number; p: SignalPayload }): Promise<WebhookAnswer> {
  const row = rowOf(o, newId())
  const dupId = newId()
  const why = o.key ? 'the same id' : `the same fields within ${o.windowSeconds} s`
  const original = o.key
    ? Prisma.sql`SELECT id FROM "Signal" WHERE "traderId" = ${row.traderId} AND symbol = ${o.symbol} AND "idempotencyKey" = ${o.key}`
    : Prisma.sql`SELECT id FROM "Signal"
        WHERE ${o.windowSeconds > 0} AND "traderId" = ${row.traderId} AND "payloadHash" = ${row.payloadHash} AND status NOT IN ('REJECTED', 'DUPLICATE')
          AND "receivedAt" > (clock_timestamp() AT TIME ZONE 'UTC') - make_interval(secs => ${o.windowSeconds})
        ORDER BY "receivedAt" LIMIT 1`
  const [, written] = await o.db.$transaction([
    o.db.$executeRaw`SELECT pg_advisory_xact_lock(${INTAKE_LOCK_CLASS}::int, hashtext(${`${row.traderId}|${o.symbol}`}))`,
    o.db.$queryRaw<{ inserted: string | null; original: string | null; notified: bigint }[]>`
      WITH orig AS (${original}),
      ins AS (
        INSERT INTO "Signal" (id, "traderId", "userId", "idempotencyKey", "payloadHash", "contentType", "remoteAddr", body, payload, symbol, action, intent, "signalAt", status, "httpStatus", "receivedAt")
        SELECT ${row.id}, ${row.traderId}, ${row.userId}, ${o.key}, ${row.payloadHash}, ${row.contentType}, ${row.remoteAddr}, ${row.body}, ${JSON.stringify(row.payload)}::jsonb,
          ${row.symbol}, ${row.action}, ${row.intent}, ${utc(row.signalAt)}, 'ACCEPTED', 202, date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC')
        WHERE NOT EXISTS (SELECT 1 FROM orig)
        RETURNING id
      ),
      dup AS (
        INSERT INTO "Signal" (id, "traderId", "userId", "payloadHash", "contentType", "remoteAddr", body, payload, symbol, action, intent, "signalAt", status, "httpStatus", "duplicateOfId", reason, "receivedAt", "processedAt")
        SELECT ${dupId}, ${row.traderId}, ${row.userId}, ${row.payloadHash}, ${row.contentType}, ${row.remoteAddr}, ${row.body}, ${JSON.stringify(row.payload)}::jsonb,
          ${row.symbol}, ${row.action}, ${row.intent}, ${utc(row.signalAt)}, 'DUPLICATE', 202, orig.id, 'duplicate of signal ' || orig.id || ${` (${why}): nothing done`}, ${utc(o.now)}, ${utc(o.now)}
        FROM orig
      ),
      n AS (SELECT pg_notify(${SIGNALS_CHANNEL}, ${o.trader.accountId}) FROM ins)
      SELECT (SELECT id FROM ins) AS inserted, (SELECT id FROM orig) AS original, (SELECT count(*) FROM n) AS notified`,
  ])
  const r = written[0]!
  if (r.inserted) return { httpStatus: 202, body: { signalId: r.inserted, status: 'accepted' } }
  return { httpStatus: 202, body: { signalId: r.original!, status: 'duplicate' } }
}

/** A time for a timestamp(3) column (UTC, as Prisma stores them), whatever the session's time zone. */
const utc = (d: Date | null) => (d ? Prisma.sql`${d.toISOString()}::timestamp(3)` : Prisma.sql`NULL::timestamp(3)`)

/** The same fields (secret aside) give the same hash, whatever their order or the body's format. */
export function payloadHash(fields: Record<string, string>): string {
  const canonical = JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]))
  return createHash('sha256').update(canonical).digest('hex')
}

/** The secret of a body that does not parse, so a sender with the right one hears what is wrong with it. */
function secretInText(text: string): string | null {
  const json = /"secret"\s*:\s*"((?:[^"\\]|\\.)*)"/i.exec(text)
  if (json) {
    try {
      return JSON.parse(`"${json[1]}"`) as string
    } catch {
      return null
    }
  }
  const line = /(?:^|[\n;])\s*secret\s*=([^\n;]*)/i.exec(text)
  return line ? line[1]!.trim() : null
}

/** The fields of a body refused for its fields, as text, secret left out (for the log). */
function payloadForLog(body: Extract<SignalBody, { ok: true }>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(body.fields).slice(0, 40)) {
    if (k.toLowerCase() === 'secret') continue
    out[noNul(k.slice(0, 60))] = noNul((typeof v === 'string' ? v : JSON.stringify(v) ?? '').slice(0, 200))
  }
  return out
}

/** PostgreSQL stores no NUL in text or jsonb: a body carrying one is logged with it replaced. */
function noNul(s: string): string {
  return s.replaceAll('\u0000', '\uFFFD')
}
