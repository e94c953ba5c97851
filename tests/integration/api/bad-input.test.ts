import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { describeStep, type PlanStep } from '@/lib/server/decisions/decision-plan'
import { createChannel } from '@/lib/server/notifications/channels'
import { buildOpenApiDocument } from '@/lib/server/openapi/openapi-document'
import { openPosition } from '@/lib/server/positions/open-position'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { apiUser, startApiDatabase } from './api-harness'

/**
 * Every operation of the OpenAPI document gets every class of bad input, generated from the
 * document itself (a new operation is covered without touching this file): malformed JSON,
 * a wrong JSON type, huge numbers, an overlong string, NUL and other control characters in each
 * body property (nested ones included), as JSON and as text/plain; malformed path ids; bad
 * query values. Every answer must be a 4xx in the API's error shape, and no table may change.
 * Body cases set the bad value on a body that is otherwise valid where the document lets us
 * build one, so the bad value is what the server must catch.
 */

type Json = Record<string, unknown>
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>

const doc = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } }

let t: Awaited<ReturnType<typeof startApiDatabase>>
let token: string
/** Real ids of the caller's rows, by the collection segment before `{id}` and by body/query field name. */
const ids: Record<string, string> = {}

// ---------------------------------------------------------------- the document, read generically

function resolve(s: Json | undefined): Json {
  let cur = s ?? {}
  for (let i = 0; i < 10 && typeof cur.$ref === 'string'; i++) cur = doc.components.schemas[(cur.$ref as string).split('/').pop()!] ?? {}
  return cur
}

/** The JSON types a schema accepts (null when it accepts anything). */
function acceptedTypes(s0: Json): Set<string> | null {
  const s = resolve(s0)
  const out = new Set<string>()
  const add = (v: unknown) => out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v)
  if ('const' in s) add(s.const)
  if (Array.isArray(s.enum)) s.enum.forEach(add)
  if (typeof s.type === 'string') out.add(s.type)
  if (Array.isArray(s.type)) s.type.forEach((x) => out.add(String(x)))
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    if (!Array.isArray(s[k])) continue
    for (const sub of s[k] as Json[]) {
      const inner = acceptedTypes(sub)
      if (!inner) return null
      inner.forEach((x) => out.add(x))
    }
  }
  if (out.has('number')) out.add('integer')
  return out.size ? out : null
}

/** Object properties of a schema (its anyOf/oneOf/allOf options merged, for discriminated groups). */
function propertiesOf(s0: Json): Record<string, Json> {
  const s = resolve(s0)
  const props: Record<string, Json> = { ...((s.properties as Record<string, Json>) ?? {}) }
  for (const k of ['anyOf', 'oneOf', 'allOf']) for (const sub of (s[k] as Json[] | undefined) ?? []) Object.assign(props, propertiesOf(sub), props)
  return props
}

const idFor = (name: string) => ids[name] ?? (name.endsWith('Id') ? ids[name.slice(0, -2)] : undefined)

let uniq = 0
/** A value the schema should accept, built from the document (examples, default, const, enum, type) and our real ids. */
function sample(s0: Json, name: string, depth = 0): unknown {
  const s = resolve(s0)
  const id = idFor(name)
  if (id) return id
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0]
  if ('default' in s) return s.default
  if ('const' in s) return s.const
  if (Array.isArray(s.enum)) return s.enum[0]
  const options = (s.anyOf ?? s.oneOf) as Json[] | undefined
  if (options?.length) return sample(options.find((o) => resolve(o).type !== 'null') ?? options[0], name, depth)
  const types = acceptedTypes(s)
  if (!types) return {}
  if (types.has('object')) {
    if (depth > 3) return {}
    const required = (s.required as string[] | undefined) ?? []
    return Object.fromEntries(required.map((k) => [k, sample(propertiesOf(s)[k] ?? {}, k, depth + 1)]))
  }
  if (types.has('array')) return [sample((s.items as Json) ?? {}, name.replace(/s$/, ''), depth + 1)]
  if (types.has('string')) {
    if (/symbol|watchlist/i.test(name)) return 'BTC/USDT'
    if (/currency/i.test(name)) return 'USDT'
    if (/url/i.test(name)) return 'https://example.com/hook'
    if (/email/i.test(name)) return `someone${++uniq}@example.com`
    if (/timezone/i.test(name)) return 'UTC'
    if (/password/i.test(name)) return 'correct horse battery staple'
    if (typeof s.pattern === 'string' && /\\d/.test(s.pattern)) return '1'
    return `value ${++uniq}`
  }
  if (types.has('number') || types.has('integer')) return typeof s.minimum === 'number' ? s.minimum : 1
  if (types.has('boolean')) return true
  return null
}

/** Every leaf of a request body (nested objects and the first item of arrays), as a path of keys. */
function leaves(s0: Json, prefix: (string | number)[] = [], depth = 0): { path: (string | number)[]; schema: Json }[] {
  const s = resolve(s0)
  const types = acceptedTypes(s)
  const out: { path: (string | number)[]; schema: Json }[] = prefix.length ? [{ path: prefix, schema: s }] : []
  if (depth > 3 || !types) return out
  if (types.has('object')) for (const [k, p] of Object.entries(propertiesOf(s))) out.push(...leaves(p, [...prefix, k], depth + 1))
  if (types.has('array') && s.items) out.push(...leaves(s.items as Json, [...prefix, 0], depth + 1))
  return out
}

function withValue(base: unknown, p: (string | number)[], value: unknown): unknown {
  const root = structuredClone(base ?? {}) as Json
  let cur: Json | unknown[] = root
  p.forEach((key, i) => {
    const last = i === p.length - 1
    if (last) {
      ;(cur as Record<string | number, unknown>)[key] = value
      return
    }
    const next = (cur as Record<string | number, unknown>)[key]
    if (next === null || typeof next !== 'object') (cur as Record<string | number, unknown>)[key] = typeof p[i + 1] === 'number' ? [] : {}
    cur = (cur as Record<string | number, unknown>)[key] as Json
  })
  return root
}

const CONCURRENCY = 6
const RAW_HUGE = '__RAW_HUGE__'
const WRONG_TYPE_VALUES: [string, unknown][] = [
  ['string', 'not the right type'],
  ['integer', 12345],
  ['boolean', true],
  ['object', { nested: 1 }],
  ['array', [1, 2]],
]

interface BodyCase {
  label: string
  /** The JSON value, or a raw text body. */
  body: unknown
  raw?: string
  /** A field the answer must name among its field errors. */
  names?: string
}

function bodyCases(schema: Json, base: unknown): BodyCase[] {
  const cases: BodyCase[] = [
    { label: 'malformed JSON', body: undefined, raw: '{"a": ' },
    { label: 'a JSON array instead of an object', body: [base] },
    { label: 'a NUL in a key', body: { ...(base as Json), 'x\u0000y': 1 } },
    // JSON's \ud800 escape parses to half a character: jsonb refused it (a 500), text stored U+FFFD.
    { label: 'a lone surrogate in a key', body: { ...(base as Json), 'x\ud800y': 1 } },
    // Walked recursively, this overflowed the stack: a 500 on every route that reads a body.
    { label: 'arrays nested 5,000 levels deep', body: undefined, raw: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}` },
  ]
  // A misspelt optional field must not be dropped: leaving it out can mean something else
  // (a close without its share closes everything, a panic without its trader every account).
  if (base && typeof base === 'object' && !Array.isArray(base)) cases.push({ label: 'an unknown field beside valid ones', body: { ...(base as Json), notAFieldOfThis: 1 }, names: 'notAFieldOfThis' })
  for (const { path: p, schema: leaf } of leaves(schema)) {
    const name = p.join('.')
    const types = acceptedTypes(leaf)
    const hasOtherFields = !!base && typeof base === 'object' && Object.keys(base).some((k) => k !== p[0])
    const add = (what: string, value: unknown) => {
      cases.push({ label: `${name}: ${what}`, body: withValue(base, p, value) })
      // Alone too, so that missing required fields are not the only thing refused.
      if (p.length === 1 && hasOtherFields) cases.push({ label: `${name}: ${what} (alone)`, body: { [p[0]]: value } })
    }
    if (types) {
      const wrong = WRONG_TYPE_VALUES.find(([type]) => !types.has(type) && !(type === 'integer' && types.has('number')))
      if (wrong) add(`wrong type (${wrong[0]})`, wrong[1])
    }
    const numeric = !types || types.has('number') || types.has('integer')
    if (numeric) {
      add('1e30', 1e30)
      add('1e20 (a plain-notation number)', 1e20)
      add('1e400 as a raw JSON literal', RAW_HUGE)
      // A decimal given as a string (DecimalInput): too many digits for its column.
      if (!types || types.has('string')) {
        add('30 digits as a string', '1' + '0'.repeat(30))
        add('19 fraction digits as a string', '0.' + '0'.repeat(18) + '1')
      }
    }
    if (!types || types.has('string')) {
      add('100k characters', 'x'.repeat(100_000))
      add('a NUL character', 'ab\u0000cd')
      add('a lone surrogate', 'ab\ud800cd')
      add('a control character', 'ab\u0007cd')
    }
  }
  return cases
}

// ---------------------------------------------------------------- calling the route modules

const APP_DIR = path.resolve(__dirname, '../../../app')

/** `/api/v1/traders/{id}/settings` → app/api/v1/traders/[id]/settings/route.ts */
function moduleFileFor(apiPath: string): string {
  return path.join(APP_DIR, ...apiPath.split('/').filter(Boolean).map((seg) => seg.replace(/^\{(.+)\}$/, '[$1]')), 'route.ts')
}

const modules = new Map<string, Record<string, unknown>>()
async function routeModule(apiPath: string) {
  if (!modules.has(apiPath)) modules.set(apiPath, (await import(/* @vite-ignore */ moduleFileFor(apiPath))) as Record<string, unknown>)
  return modules.get(apiPath)!
}

interface Answer {
  status: number
  body: unknown
  text: string
}

async function send(o: { apiPath: string; method: string; id?: string; query?: string; body?: BodyCase; contentType?: string }): Promise<Answer> {
  const mod = await routeModule(o.apiPath)
  const handler = mod[o.method] as Handler | undefined
  // Next would answer an empty 405 (or the HTML 404) here, not our error shape.
  if (!handler) return { status: 0, body: null, text: `no ${o.method} handler exported by ${path.relative(APP_DIR, moduleFileFor(o.apiPath))}` }
  // A market path gets a real market, so that its query and body cases reach their checks.
  const urlPath = o.apiPath.replace('{id}', encodeURIComponent(o.id ?? 'x')).replace('{symbol}', 'BTC-USDT')
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  let body: string | undefined
  if (o.body) {
    headers['content-type'] = o.contentType ?? 'application/json'
    body = o.body.raw ?? JSON.stringify(o.body.body).replaceAll(`"${RAW_HUGE}"`, '1e400')
  }
  const req = new Request(`http://localhost${urlPath}${o.query ?? ''}`, { method: o.method, headers, body })
  const params: Record<string, string> = { ...(o.apiPath.includes('{id}') ? { id: o.id ?? '' } : {}), ...(o.apiPath.includes('{symbol}') ? { symbol: 'BTC-USDT' } : {}) }
  const res = await handler(req, { params: Promise.resolve(params) })
  const text = await res.text()
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = null
  }
  return { status: res.status, body: parsed, text }
}

// ---------------------------------------------------------------- the cases

interface Case {
  op: string
  apiPath: string
  method: Method
  what: string
  id?: string
  query?: string
  body?: BodyCase
  contentType?: string
  /** A field the answer must name (a query parameter; a body case names its own). */
  names?: string
  /** Expected status when it is fixed by the class (404 for a bad path id, 405 for a method). */
  status?: number
}

const BAD_IDS: [string, string][] = [
  ['a NUL (%00)', '\u0000'],
  ['a NUL inside a real-looking id', 'cabc\u0000def'],
  ['a literal %00', '%00'],
  ['an overlong id (100k)', 'a'.repeat(100_000)],
  ['65 characters', 'a'.repeat(65)],
  ['garbage', "../../' OR 1=1 --"],
  ['an emoji', '😀'],
  ['empty', ''],
]

const BAD_QUERY_VALUES: [string, string][] = [
  ['%00', '%00'],
  ['a NUL after a real value', '%%REAL%%%00'],
  ['a control character', 'a%07b'],
  ['100k characters', 'x'.repeat(100_000)],
]

function casesFor(apiPath: string, method: Method, op: Json, documented: Method[]): Case[] {
  const label = `${method} ${apiPath}`
  const segs = apiPath.split('/')
  const collection = segs[segs.indexOf('{id}') - 1]
  const realId = () => ids[collection] ?? 'cnosuchrow0000000000000'
  const out: Case[] = []
  const base = { op: label, apiPath, method }
  const requestSchema = ((op.requestBody as Json | undefined)?.content as Record<string, { schema: Json }> | undefined)?.['application/json']?.schema
  const validBody = requestSchema ? sample(requestSchema, '') : undefined

  if (apiPath.includes('{id}')) {
    for (const [what, id] of BAD_IDS) {
      out.push({ ...base, what: `path id: ${what}`, id, status: 404, body: requestSchema ? { label: 'valid-looking body', body: validBody } : undefined })
    }
  }
  if (requestSchema) {
    for (const bc of bodyCases(requestSchema, validBody)) {
      for (const contentType of ['application/json', 'text/plain']) {
        out.push({ ...base, what: `body (${contentType}): ${bc.label}`, id: realId(), body: bc, contentType })
      }
    }
  }
  const queryParams = ((op.parameters as Json[] | undefined) ?? []).filter((p) => p.in === 'query')
  for (const p of queryParams) {
    const name = String(p.name)
    const values = [...BAD_QUERY_VALUES]
    const types = acceptedTypes((p.schema as Json) ?? {})
    if (types && !types.has('string')) values.push(['not a number', 'abc'], ['1e400', '1e400'], ['20 digits', '9'.repeat(20)], ['negative', '-1'])
    if (Array.isArray(resolve(p.schema as Json).enum)) values.push(['not one of the values', 'nope'])
    for (const [what, value] of values) {
      out.push({
        ...base,
        what: `query ${name}: ${what}`,
        id: realId(),
        query: `?${name}=${value.replace('%%REAL%%', encodeURIComponent(idFor(name) ?? 'x'))}`,
      })
    }
  }
  // A misspelt filter must not answer (or export) everything it was meant to narrow.
  if (queryParams.length) out.push({ ...base, what: 'query: an unknown parameter', id: realId(), query: '?traderID=x', names: 'traderID' })
  // Once per path (with its first documented method): every other method is a JSON 405.
  if (apiPath.startsWith('/api/v1/') && method === documented[0]) {
    for (const m of METHODS) if (!documented.includes(m)) out.push({ ...base, method: m, op: `${m} ${apiPath}`, what: 'a method the path does not support', id: realId(), status: 405 })
  }
  return out
}

const operations: { apiPath: string; method: Method; op: Json; documented: Method[] }[] = []
for (const [apiPath, item] of Object.entries(doc.paths)) {
  const documented = Object.keys(item).map((k) => k.toUpperCase() as Method).filter((m) => METHODS.includes(m))
  const shared = (item.parameters as unknown as Json[] | undefined) ?? []
  for (const method of documented) {
    const op = item[method.toLowerCase()] as Json
    operations.push({ apiPath, method, documented, op: { ...op, parameters: [...shared, ...((op.parameters as Json[] | undefined) ?? [])] } })
  }
}
/** Built after the caller's data exists, so that the ids in them are real. */
const buildCases = () => operations.flatMap((o) => casesFor(o.apiPath, o.method, o.op, o.documented))

// ---------------------------------------------------------------- the caller's real data

async function tableFingerprints(): Promise<Record<string, string>> {
  const tables = (await t.db.$queryRawUnsafe<{ tablename: string }[]>(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_%'`)).map((r) => r.tablename)
  const out: Record<string, string> = {}
  // Quotes and market rules are this test's own writes (seedMarket before each operation).
  for (const table of tables.sort().filter((x) => x !== 'MarketQuote' && x !== 'MarketRule')) {
    // lastUsedAt on the token is bookkeeping of authentication, not a write of the request.
    const row = table === 'ApiToken' ? `count(*)::text` : `count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')`
    const [r] = await t.db.$queryRawUnsafe<{ f: string }[]>(`SELECT ${row} AS f FROM "${table}" x`)
    out[table] = r.f
  }
  return out
}

beforeAll(async () => {
  t = await startApiDatabase()
  const alice = await apiUser(t, 'alice@example.com')
  token = alice.token
  // An admin, so admin-only operations reach their validation too.
  await t.db.user.update({ where: { id: alice.id }, data: { role: 'ADMIN' } })
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  const trader = await createTrader({ db: t.db, userId: alice.id, input: { name: 'Owner', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' } })
  await useManualTraderSettings(t.db, trader.id)
  const { positionId } = await openPosition({
    db: t.db,
    userId: alice.id,
    actor: { kind: 'USER', id: alice.id },
    input: { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000', takeProfits: [{ price: '65000', sharePct: '50' }] },
  })
  const channel = await createChannel({ db: t.db, userId: alice.id, input: { name: 'Hook', url: 'https://example.com/hook' } })
  const step: PlanStep = { kind: 'ENTRY', symbol: 'BTC/USDT', side: 'LONG', entryType: 'MARKET', limitPrice: null, qty: '0.01', stopLoss: '59000', takeProfits: [{ price: '63000', sharePct: '100' }] }
  const decision = await t.db.decision.create({
    data: { traderId: trader.id, cycleId: 'c', symbol: 'BTC/USDT', provider: 'RULES', model: 'built-in rules', promptVersion: 'rules.ema-atr.v1', trigger: 'SCHEDULE', action: 'LONG', confidence: '0.8', reasoning: 'trend up', outcome: 'PENDING_APPROVAL', latencyMs: 12 },
  })
  const approvalId = await createApproval({
    db: t.db,
    traderId: trader.id,
    userId: alice.id,
    decisionId: decision.id,
    step,
    expiryMinutes: 60,
    summary: { action: 'LONG', confidence: '0.8', reasoning: 'trend up', step: describeStep(step), validation: { isValid: true, errors: [], warnings: [], constraints: [] }, priceAtDecision: { bid: '60000', ask: '60010' } },
  })
  const account = await t.db.exchangeAccount.findFirstOrThrow({ where: { userId: alice.id } })
  // An exchange account whose base URL nothing listens on: a request that got past validation
  // could not reach any exchange (and would show up as a write).
  const exchangeAccount = await t.db.exchangeAccount.create({
    data: {
      userId: alice.id, name: 'Binance test', kind: 'CCXT', venue: 'binance', mode: 'TESTNET', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001',
      apiKeyEnc: sealSecret('bad-input-api-key'), secretEnc: sealSecret('bad-input-secret'), keyHint: '••••-key', baseUrl: 'http://127.0.0.1:1',
    },
  })
  const group = await t.db.positionGroup.create({
    data: { traderId: trader.id, userId: alice.id, accountId: trader.accountId, symbol: 'BTC/USDT', side: 'LONG', settings: { enabled: true }, budgetQuote: '500' },
  })
  const notification = await t.db.activityEvent.findFirst({ where: { userId: alice.id }, orderBy: { id: 'desc' } })
  Object.assign(ids, {
    traders: trader.id,
    trader: trader.id,
    positions: positionId,
    position: positionId,
    'notification-channels': channel.id,
    channel: channel.id,
    approvals: approvalId,
    approval: approvalId,
    decisions: decision.id,
    decision: decision.id,
    account: account.id,
    'exchange-accounts': exchangeAccount.id,
    users: alice.id,
    groups: group.id,
    ...(notification ? { before: String(notification.id) } : {}),
  })
}, 120_000)
afterAll(() => t?.stop())

describe('bad input, generated from the OpenAPI document', () => {
  it('maps every documented operation to an exported route handler', async () => {
    const missing: string[] = []
    for (const { apiPath, method } of operations) {
      if (!existsSync(moduleFileFor(apiPath))) missing.push(`${method} ${apiPath}: no ${path.relative(APP_DIR, moduleFileFor(apiPath))}`)
      else if (typeof (await routeModule(apiPath))[method] !== 'function') missing.push(`${method} ${apiPath}: ${method} not exported`)
    }
    expect(missing).toEqual([])
    expect(operations.length).toBeGreaterThan(30)
  })

  it(
    'answers every case with a 4xx in the error shape, and writes nothing',
    async () => {
      const cases = buildCases()
      expect(cases.length).toBeGreaterThan(1000)
      const before = await tableFingerprints()
      const failures: string[] = []
      const perStatus: Record<number, number> = {}
      const timeByOp: Record<string, number> = {}
      const byOp = new Map<string, Case[]>()
      for (const c of cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c])
      for (const [op, opCases] of byOp) {
        // Fresh quotes for each operation, so no answer is about a stale market.
        await seedMarket(t.db, { bid: '60000', ask: '60010' })
        const started = performance.now()
        // A few at a time: every request is refused, so their order does not matter.
        for (let i = 0; i < opCases.length; i += CONCURRENCY) {
          await Promise.all(
            opCases.slice(i, i + CONCURRENCY).map(async (c) => {
              const a = await send(c)
              perStatus[a.status] = (perStatus[a.status] ?? 0) + 1
              const shaped = !!a.body && typeof a.body === 'object' && typeof (a.body as { error?: { code?: unknown } }).error?.code === 'string' && typeof (a.body as { error: { message?: unknown } }).error.message === 'string'
              const statusOk = c.status ? a.status === c.status : a.status >= 400 && a.status < 500
              const fields = (a.body as { error?: { fields?: { field: string }[] } } | null)?.error?.fields ?? []
              // Settings bodies name a field under their group (`signals.x`). The webhook answers
              // 404 before reading a body without its secret; its fields are tested in webhook-signals.
              const names = c.names ?? c.body?.names
              const named = !names || c.apiPath.startsWith('/api/webhooks/') || fields.some((f) => f.field === names || f.field.endsWith(`.${names}`))
              if (!statusOk || !shaped || !named) failures.push(`${c.op} — ${c.what}: ${a.status} ${a.text.slice(0, 200)}`)
            }),
          )
        }
        timeByOp[op] = performance.now() - started
      }
      console.info(Object.entries(timeByOp).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${Math.round(v)}ms`).join('; '))
      console.info(`[bad-input] ${cases.length} cases over ${operations.length} operations; answers by status: ${JSON.stringify(perStatus)}`)
      expect(failures).toEqual([])
      expect(await tableFingerprints()).toEqual(before)
    },
    120_000,
  )

  it('answers an unknown /api path with a JSON 404 for every method', async () => {
    const { GET, POST, DELETE } = await import('@/app/api/[...path]/route')
    for (const [handler, method] of [[GET, 'GET'], [POST, 'POST'], [DELETE, 'DELETE']] as const) {
      const res = await handler(new Request('http://localhost/api/v1/no-such-thing/123', { method }))
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: `no such API endpoint: ${method} /api/v1/no-such-thing/123` } })
    }
  })
})
