import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueApiToken } from '@/lib/server/auth/api-tokens'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { createInvite } from '@/lib/server/invites/create-invite'
import { createChannel } from '@/lib/server/notifications/channels'
import { buildOpenApiDocument } from '@/lib/server/openapi/openapi-document'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { startApiDatabase } from './api-harness'

/**
 * Every operation of the OpenAPI document, called by member B with A's ids in the path, the
 * query and the body. B must get 404 (403 on admin-only routes), list nothing of A's, and change
 * nothing of A's. The operations come from the document, so a new route is covered (and a
 * documented route without a handler fails) without editing this file.
 */

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>
type Json = Record<string, unknown>
interface Operation {
  method: string
  path: string
  op: { security?: unknown[]; parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; 'x-admin-only'?: boolean }
}

let t: Awaited<ReturnType<typeof startApiDatabase>>
const A = { id: '', email: 'a@example.com', token: '' }
const B = { id: '', email: 'b@example.com', token: '' }
/** Every id of A's rows, by kind. */
const ids: Record<string, string> = {}
let bPosition = ''

const doc = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Json }> } }
const operations: Operation[] = Object.entries(doc.paths).flatMap(([p, item]) =>
  Object.entries(item)
    .filter(([m]) => m !== 'parameters')
    .map(([method, op]) => ({ method: method.toUpperCase(), path: p, op: op as Operation['op'] })),
)

/** `/api/v1/traders/{id}/settings` → app/api/v1/traders/[id]/settings/route.ts */
function routeFile(p: string): string {
  return path.resolve(process.cwd(), `app${p.replace(/\{(\w+)\}/g, '[$1]')}/route.ts`)
}

/** Values B sends for each request-body field: A's ids for id fields, something valid for the rest. */
function sampleFields(): Json {
  return {
    confirm: true,
    symbol: 'BTC/USDT',
    side: 'LONG',
    sizeMode: 'BASE',
    size: '0.01',
    entryType: 'MARKET',
    stopLoss: '59000',
    takeProfits: [{ price: '65000', sharePct: '100' }],
    sharePct: '100',
    qty: '0.01',
    name: 'changed by B',
    watchlist: 'BTC/USDT',
    quoteCurrency: 'USDT',
    startingBalance: '100',
    url: 'https://hooks.example.com/b',
    format: 'generic',
    enabled: false,
    note: 'B was here',
    reason: 'B was here',
    email: A.email,
    password: 'not the password of A',
    role: 'ADMIN',
    timeZone: 'Europe/Berlin',
  }
}
const ID_FIELDS: Record<string, string> = { traderId: 'trader', accountId: 'account', positionId: 'openPosition', channelId: 'channel', decisionId: 'decision', approvalId: 'approval', userId: 'user', inviteId: 'invite' }

function bodyVariants(o: Operation): (Json | undefined)[] {
  const ref = o.op.requestBody?.content['application/json']?.schema.$ref
  if (!ref) return [undefined]
  const props = Object.keys(doc.components.schemas[ref.split('/').pop()!]?.properties ?? {})
  const samples = sampleFields()
  const base = Object.fromEntries(props.filter((k) => k in samples).map((k) => [k, samples[k]]))
  const idProps = props.filter((k) => k in ID_FIELDS)
  // Without any id (the caller's own scope), then with each of A's ids in turn.
  return [base, ...idProps.map((k) => ({ ...base, [k]: ids[ID_FIELDS[k]] }))]
}

function queryVariants(o: Operation): string[] {
  const names = (o.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
  const idNames = names.filter((n) => n in ID_FIELDS)
  return ['', ...idNames.map((n) => `?${n}=${ids[ID_FIELDS[n]]}`)]
}

async function callAs(token: string, o: Operation, handler: Handler, pathId: string | undefined, query: string, body: Json | undefined) {
  const url = `http://localhost${o.path.replace('{id}', pathId ?? '')}${query}`
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await handler(new Request(url, { method: o.method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), {
    params: Promise.resolve<Record<string, string>>(pathId === undefined ? {} : { id: pathId }),
  })
  const text = await res.text()
  return { status: res.status, text }
}

/** All of A's rows, in a stable order, to compare before and after B's calls. */
async function snapshotOfA() {
  const db = t.db
  const byId = { orderBy: { id: 'asc' as const } }
  const accounts = { accountId: { in: [ids.account] } }
  return JSON.parse(
    JSON.stringify(
      {
        user: await db.user.findUnique({ where: { id: A.id } }),
        traders: await db.trader.findMany({ where: { userId: A.id }, ...byId }),
        accounts: await db.exchangeAccount.findMany({ where: { userId: A.id }, ...byId }),
        balances: await db.accountBalance.findMany({ where: accounts, orderBy: { asset: 'asc' } }),
        positions: await db.position.findMany({ where: accounts, ...byId, include: { takeProfits: { orderBy: { id: 'asc' } }, events: { orderBy: { id: 'asc' } } } }),
        orders: await db.order.findMany({ where: accounts, ...byId }),
        fills: await db.fill.findMany({ where: { order: accounts }, ...byId }),
        decisions: await db.decision.findMany({ where: { traderId: ids.trader }, ...byId }),
        approvals: await db.approval.findMany({ where: { traderId: ids.trader }, ...byId }),
        riskEvents: await db.riskEvent.findMany({ where: accounts, ...byId }),
        panicRuns: await db.panicRun.findMany({ where: accounts, ...byId }),
        channels: await db.notificationChannel.findMany({ where: { userId: A.id }, ...byId }),
        tokens: await db.apiToken.findMany({ where: { userId: A.id }, ...byId }),
        invites: await db.invite.findMany({ where: { createdById: A.id }, ...byId }),
        activity: await db.activityEvent.findMany({ where: { userId: A.id }, orderBy: { id: 'asc' } }),
        groups: await db.positionGroup.findMany({ where: { userId: A.id }, ...byId }),
      },
      (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
    ),
  )
}

beforeAll(async () => {
  t = await startApiDatabase()
  const a = await t.db.user.create({ data: { email: A.email, passwordHash: 'not used', role: 'ADMIN' } })
  const b = await t.db.user.create({ data: { email: B.email, passwordHash: 'not used', role: 'MEMBER' } })
  Object.assign(A, { id: a.id, token: (await issueApiToken(t.db, a.id, 'a')).token })
  Object.assign(B, { id: b.id, token: (await issueApiToken(t.db, b.id, 'b')).token })
  ids.user = A.id
  ids.token = (await t.db.apiToken.findFirstOrThrow({ where: { userId: A.id } })).id

  const trader = await createTrader({ db: t.db, userId: A.id, input: { name: 'A trader', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' } })
  await useManualTraderSettings(t.db, trader.id)
  ids.trader = trader.id
  ids.account = trader.accountId
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
  const actor = { kind: 'USER' as const, id: A.id }
  const entry = { traderId: trader.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' }
  ids.closedPosition = (await openPosition({ db: t.db, userId: A.id, actor, input: entry })).positionId
  await closePosition({ db: t.db, userId: A.id, actor, positionId: ids.closedPosition, input: {} })
  ids.openPosition = (await openPosition({ db: t.db, userId: A.id, actor, input: { ...entry, takeProfits: [{ price: '65000', sharePct: '100' }] } })).positionId
  // A resting limit entry: an order B could try to cancel.
  ids.restingPosition = (await openPosition({ db: t.db, userId: A.id, actor, input: { ...entry, symbol: 'ETH/USDT', size: '0.1', entryType: 'LIMIT', limitPrice: '2500', stopLoss: '2400' } })).positionId
  ids.order = (await t.db.order.findFirstOrThrow({ where: { positionId: ids.openPosition } })).id

  const decision = await t.db.decision.create({
    data: { traderId: trader.id, cycleId: 'c', symbol: 'BTC/USDT', provider: 'RULES', model: 'rules', promptVersion: 'v1', trigger: 'SCHEDULE', action: 'LONG', confidence: '0.8', reasoning: 'A', outcome: 'PENDING_APPROVAL', latencyMs: 1 },
  })
  ids.decision = decision.id
  ids.approval = await createApproval({
    db: t.db,
    traderId: trader.id,
    userId: A.id,
    decisionId: decision.id,
    step: { kind: 'ENTRY', symbol: 'BTC/USDT', side: 'LONG', entryType: 'MARKET', limitPrice: null, qty: '0.01', stopLoss: '59000', takeProfits: [] },
    expiryMinutes: 60,
    summary: { action: 'LONG' },
  })
  // An exchange account of A's (never contacted: nothing listens at its base URL).
  ids.exchangeAccount = (
    await t.db.exchangeAccount.create({
      data: {
        userId: A.id, name: 'A exchange', kind: 'CCXT', venue: 'binance', mode: 'LIVE', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001',
        apiKeyEnc: sealSecret('a-api-key-0000'), secretEnc: sealSecret('a-secret-0000'), keyHint: '••••0000', baseUrl: 'http://127.0.0.1:1',
      },
    })
  ).id
  ids.channel = (await createChannel({ db: t.db, userId: A.id, input: { name: 'A hook', url: 'https://hooks.example.com/a-secret' } })).id
  // An open position group of A's: B could try to read or close it.
  ids.group = (
    await t.db.positionGroup.create({
      data: { traderId: trader.id, userId: A.id, accountId: trader.accountId, symbol: 'BTC/USDT', side: 'LONG', settings: { enabled: true }, budgetQuote: '500' },
    })
  ).id
  ids.invite = (await createInvite({ db: t.db, createdById: A.id, input: { email: 'c@example.com' } })).invite.id

  // B has a trader with an open position too, so B's own-scope calls (panic, resume, lists) do real work.
  const bTrader = await createTrader({ db: t.db, userId: B.id, input: { name: 'B trader', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  await useManualTraderSettings(t.db, bTrader.id)
  bPosition = (await openPosition({ db: t.db, userId: B.id, actor: { kind: 'USER', id: B.id }, input: { ...entry, traderId: bTrader.id } })).positionId
})
afterAll(() => t?.stop())

describe('member B against every documented operation, with A\'s data', () => {
  it('finds a handler for every documented operation', async () => {
    const missing: string[] = []
    for (const o of operations) {
      const file = routeFile(o.path)
      const mod = existsSync(file) ? ((await import(/* @vite-ignore */ file)) as Record<string, unknown>) : {}
      if (typeof mod[o.method] !== 'function') missing.push(`${o.method} ${o.path} (${path.relative(process.cwd(), file)})`)
    }
    expect(missing).toEqual([])
    expect(operations.length).toBeGreaterThan(40)
  })

  it('never sees or changes A\'s rows: 404 for A\'s ids, 403 on admin-only routes, lists without A\'s rows', async () => {
    const before = await snapshotOfA()
    const secrets = [...Object.values(ids), A.email, A.token]
    const problems: string[] = []
    let calls = 0
    for (const o of operations) {
      const mod = (await import(/* @vite-ignore */ routeFile(o.path))) as Record<string, Handler>
      const handler = mod[o.method]
      const pathIds = o.path.includes('{id}') ? Object.values(ids) : [undefined]
      for (const pathId of pathIds) {
        for (const query of queryVariants(o)) {
          for (const body of bodyVariants(o)) {
            const res = await callAs(B.token, o, handler, pathId, query, body)
            calls++
            const what = `${o.method} ${o.path.replace('{id}', pathId ?? '{id}')}${query} ${body ? JSON.stringify(body) : ''} → ${res.status}`
            if (res.status >= 500) problems.push(`${what}: server error ${res.text.slice(0, 200)}`)
            else if (o.op['x-admin-only'] && res.status !== 403) problems.push(`${what}: admin-only, expected 403`)
            else if (pathId !== undefined && res.status < 400) problems.push(`${what}: answered A's id with success`)
            else if (pathId !== undefined && o.op.security?.length !== 0 && res.status !== 404 && res.status !== 403) problems.push(`${what}: expected 404 for A's id`)
            const leaked = res.status < 400 ? secrets.filter((s) => res.text.includes(s)) : []
            if (leaked.length) problems.push(`${what}: answer contains A's ${leaked.map((s) => Object.keys(ids).find((k) => ids[k] === s) ?? 'email/token').join(', ')}`)
          }
        }
      }
    }
    expect(problems).toEqual([])
    expect(calls).toBeGreaterThan(100)
    expect(await snapshotOfA()).toEqual(before)
    // B's own panic (no ids) ran against B's accounts only: B's position was closed, A's stays open.
    expect((await t.db.position.findUniqueOrThrow({ where: { id: bPosition } })).status).toBe('CLOSED')
    expect((await t.db.position.findUniqueOrThrow({ where: { id: ids.openPosition } })).status).toBe('MONITORING')
    // The data is really there: A sees its own rows through the same routes.
    const own = (await import(/* @vite-ignore */ routeFile('/api/v1/positions'))) as Record<string, Handler>
    const mine = await callAs(A.token, { method: 'GET', path: '/api/v1/positions', op: {} }, own.GET, undefined, '', undefined)
    expect(mine.status).toBe(200)
    expect(mine.text).toContain(ids.openPosition)
  })
})
