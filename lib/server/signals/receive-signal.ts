import { createHash, randomUUID } from 'node:crypto'
import type { Db, DbTx } from '@/lib/db/client'
import type { FieldError } from '@/lib/domain/field-error'
import { presentedSecret, readSignalBody, redactSignalBody, type SignalBody } from '@/lib/domain/signals/signal-body'
import { signalAgeProblem } from '@/lib/domain/signals/signal-checks'
import { resolveIntent } from '@/lib/domain/signals/signal-intent'
import { symbolForTicker } from '@/lib/domain/signals/ticker-symbol'
import type { Prisma } from '@/lib/generated/prisma/client'
import { parseSignalPayload, storedPayload, type SignalPayload } from './signal-payload'
import { readSignalSettings } from './signal-settings'
import { SIGNALS_CHANNEL } from './signal-queue'
import { openedWebhookSecret, webhookSecretMatches } from './webhook-secret'

/** What the webhook answers: 202 with the signal's id, or an error in the API's shape. */
export type WebhookAnswer =
  | { httpStatus: 202; body: { signalId: string; status: 'accepted' | 'duplicate' } }
  | { httpStatus: 400 | 401 | 404 | 409 | 422; body: { error: { code: string; message: string; fields?: FieldError[] } }; signalId: string | null }

const CODE = { 400: 'VALIDATION', 401: 'UNAUTHENTICATED', 404: 'NOT_FOUND', 409: 'CONFLICT', 422: 'UNPROCESSABLE' } as const

/** Signals of one trader and symbol are written one at a time (see receiveSignal), under this lock class. */
const INTAKE_LOCK_CLASS = 7_311

export interface ReceiveSignalOptions {
  db: Db
  traderId: string
  text: string
  contentType: string | null
  remoteAddr: string | null
  now?: () => Date
}

/**
 * A TradingView (or any) alert posted to a trader's webhook. Everything is decided from the body
 * and the trader's row, then one short transaction writes the signal: ACCEPTED (queued for the
 * worker, which is woken by NOTIFY on commit) or DUPLICATE (pointing at the original), and the
 * answer is 202. A refused request (bad secret, bad fields, unknown symbol, a pyramid, a stale
 * signal, an entry for a paused trader) is written as REJECTED with its reason and answered
 * 4xx; the body is stored with the secret replaced. Only an unknown trader is not recorded (its
 * row is what a signal belongs to): 404. Nothing here answers 5xx for bad input, so TradingView
 * never resends a refused alert.
 */
export async function receiveSignal(o: ReceiveSignalOptions): Promise<WebhookAnswer> {
  const now = o.now?.() ?? new Date()
  const trader = await o.db.trader.findUnique({
    where: { id: o.traderId },
    select: {
      id: true, userId: true, name: true, status: true, watchlist: true, webhookSecretEnc: true, signalSettings: true, accountId: true,
      account: { select: { halted: true, name: true } },
    },
  })
  if (!trader) return { httpStatus: 404, body: { error: { code: 'NOT_FOUND', message: 'no such webhook' } }, signalId: null }

  const body = readSignalBody(o.text)
  const presented = body.ok ? presentedSecret(body) : secretInText(o.text)
  const redacted = redactSignalBody(o.text, [openedWebhookSecret(trader.webhookSecretEnc), presented])
  const base = { db: o.db, trader, contentType: o.contentType, remoteAddr: o.remoteAddr, body: redacted, now }

  if (!trader.webhookSecretEnc) return reject({ ...base, httpStatus: 401, reason: 'no webhook secret has been generated for this trader yet (see its Signals page)' })
  if (!webhookSecretMatches(trader.webhookSecretEnc, presented)) {
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
  const intent = resolveIntent({ intent: p.intent, marketPosition: p.market_position })
  const described = { ...base, payload: fields, hash, action: p.action, intent, signalAt: p.timestamp ?? null }

  const symbol = symbolForTicker(p.symbol, trader.watchlist)
  if (!symbol) {
    return reject({ ...described, httpStatus: 422, reason: `unknown symbol ${p.symbol}: it names none of ${trader.name}'s markets (${trader.watchlist.join(', ') || 'an empty watchlist'})` })
  }
  const known = { ...described, symbol }
  if (intent === 'pyramid') {
    return reject({ ...known, httpStatus: 422, reason: 'pyramids need position groups, which are not available yet: send entry, exit, close or reverse' })
  }
  const settings = readSignalSettings(trader.signalSettings)
  const stale = signalAgeProblem({ firedAt: p.timestamp ?? null, receivedAt: now, now, maxLagSeconds: settings.maxLagSeconds })
  if (stale) return reject({ ...known, httpStatus: 422, reason: stale })
  // Exits still run for a paused or halted trader (as its stops do); only new positions stop.
  if (intent === 'entry' && (trader.status !== 'ACTIVE' || trader.account.halted)) {
    const why = trader.account.halted ? `trading is halted on account "${trader.account.name}"` : `trader "${trader.name}" is ${trader.status.toLowerCase()}`
    return reject({ ...known, httpStatus: 409, reason: `${why}: it opens nothing until re-enabled` })
  }

  return accept({ ...known, key: p.id ?? null, windowSeconds: settings.duplicateWindowSeconds, p })
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

async function reject(o: Described & { httpStatus: 400 | 401 | 409 | 422; reason: string; fields?: FieldError[] }): Promise<WebhookAnswer> {
  const id = randomUUID()
  await o.db.signal.create({
    data: {
      ...rowOf(o, id),
      status: 'REJECTED',
      httpStatus: o.httpStatus,
      reason: o.reason,
      processedAt: o.now,
    },
  })
  // A bad secret says nothing more: the sender is not known to be the trader's.
  const message = o.httpStatus === 401 ? 'bad secret' : o.reason
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
 * Queues the signal, or answers that it is a duplicate. One transaction per trader and symbol at a
 * time (an advisory lock): so signals of one trader and symbol are stamped (clock_timestamp, after
 * the lock) in the order they are committed, which is the order the worker runs them in; and a
 * payload repeated without an id is found by the second request, not written twice. The unique
 * (trader, id) index settles the one race the lock does not cover (one id sent for two symbols):
 * ON CONFLICT DO NOTHING waits for the first writer and the second becomes its duplicate.
 */
async function accept(o: Described & { symbol: string; hash: string; key: string | null; windowSeconds: number; p: SignalPayload }): Promise<WebhookAnswer> {
  const row = rowOf(o, randomUUID())
  return o.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INTAKE_LOCK_CLASS}::int, hashtext(${`${o.trader.id}|${o.symbol}`}))`
    const original = o.key
      ? await findOriginal(tx, { traderId: o.trader.id, key: o.key })
      : o.windowSeconds > 0
        ? await findOriginal(tx, { traderId: o.trader.id, hash: o.hash, windowSeconds: o.windowSeconds })
        : null
    if (original) return duplicate(tx, o, row, original, o.key ? 'the same id' : `the same fields within ${o.windowSeconds} s`)
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      WITH ins AS (
        INSERT INTO "Signal" (id, "traderId", "userId", "idempotencyKey", "payloadHash", "contentType", "remoteAddr", body, payload, symbol, action, intent, "signalAt", status, "httpStatus", "receivedAt")
        VALUES (${row.id}, ${row.traderId}, ${row.userId}, ${o.key}, ${row.payloadHash}, ${row.contentType}, ${row.remoteAddr}, ${row.body}, ${JSON.stringify(row.payload)}::jsonb,
          ${row.symbol}, ${row.action}, ${row.intent}, ${row.signalAt}, 'ACCEPTED', 202, clock_timestamp() AT TIME ZONE 'UTC')
        ON CONFLICT ("traderId", "idempotencyKey") DO NOTHING
        RETURNING id
      )
      SELECT ins.id FROM ins, LATERAL (SELECT pg_notify(${SIGNALS_CHANNEL}, ${o.trader.accountId})) n`
    if (inserted.length) return { httpStatus: 202 as const, body: { signalId: row.id, status: 'accepted' as const } }
    const raced = await findOriginal(tx, { traderId: o.trader.id, key: o.key! })
    if (!raced) throw new Error('signal id conflicted, yet no signal holds it')
    return duplicate(tx, o, row, raced, 'the same id')
  })
}

async function findOriginal(tx: DbTx, f: { traderId: string; key: string } | { traderId: string; hash: string; windowSeconds: number }): Promise<string | null> {
  const rows =
    'key' in f
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Signal" WHERE "traderId" = ${f.traderId} AND "idempotencyKey" = ${f.key}`
      : await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Signal"
          WHERE "traderId" = ${f.traderId} AND "payloadHash" = ${f.hash} AND status NOT IN ('REJECTED', 'DUPLICATE')
            AND "receivedAt" > (clock_timestamp() AT TIME ZONE 'UTC') - make_interval(secs => ${f.windowSeconds})
          ORDER BY "receivedAt" LIMIT 1`
  return rows[0]?.id ?? null
}

async function duplicate(tx: DbTx, o: Described, row: ReturnType<typeof rowOf>, originalId: string, why: string): Promise<WebhookAnswer> {
  await tx.signal.create({
    data: { ...row, status: 'DUPLICATE', httpStatus: 202, duplicateOfId: originalId, reason: `duplicate of signal ${originalId} (${why}): nothing done`, processedAt: o.now },
  })
  return { httpStatus: 202, body: { signalId: originalId, status: 'duplicate' } }
}

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
