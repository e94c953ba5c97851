import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { issueApiToken } from '@/lib/server/auth/api-tokens'
import { closePosition } from '@/lib/server/positions/close-position'
import { openPosition } from '@/lib/server/positions/open-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { startApiDatabase } from '../api/api-harness'

type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>

let t: Awaited<ReturnType<typeof startApiDatabase>>
const A = { id: '', token: '', trader: '', btc: '', eth: '' }
const B = { id: '', token: '', trader: '', position: '' }

/** RFC 4180: CRLF between records, quoted fields with "" for a quote, line breaks inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cell), (cell = '')
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      ;(row = []), (cell = ''), i++
    } else cell += c
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row)
  return rows
}

async function download(route: string, query: string, token = A.token) {
  const mod = (await import(/* @vite-ignore */ `@/app/api/v1/${route}/route`)) as { GET: Handler }
  const res = await mod.GET(new Request(`http://localhost/api/v1/${route}${query}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) as Promise<never> })
  const text = await res.text()
  if (res.status !== 200) return { status: res.status, res, text, header: [] as string[], rows: [] as Record<string, string>[] }
  const [header, ...lines] = parseCsv(text)
  return { status: res.status, res, text, header: header!, rows: lines.map((l) => Object.fromEntries(header!.map((h, i) => [h, l[i]!]))) }
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

beforeAll(async () => {
  t = await startApiDatabase()
  const ua = await t.db.user.create({ data: { email: 'a@example.com', passwordHash: 'not used' } })
  const ub = await t.db.user.create({ data: { email: 'b@example.com', passwordHash: 'not used' } })
  Object.assign(A, { id: ua.id, token: (await issueApiToken(t.db, ua.id, 'a')).token })
  Object.assign(B, { id: ub.id, token: (await issueApiToken(t.db, ub.id, 'b')).token })
  // Fresh quotes before each trade: a busy machine must not turn them stale in between.
  const market = async () => {
    await seedMarket(t.db, { bid: '60000', ask: '60010' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
  }
  const ta = await createTrader({ db: t.db, userId: A.id, input: { name: '=A trader', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT, ETH/USDT' } })
  const tb = await createTrader({ db: t.db, userId: B.id, input: { name: 'B trader', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  await useManualTraderSettings(t.db, ta.id)
  await useManualTraderSettings(t.db, tb.id)
  A.trader = ta.id
  B.trader = tb.id
  const entry = { traderId: ta.id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' }
  const actor = { kind: 'USER' as const, id: A.id }
  await market()
  A.btc = (await openPosition({ db: t.db, userId: A.id, actor, input: entry })).positionId
  await market()
  await closePosition({ db: t.db, userId: A.id, actor, positionId: A.btc, input: {} })
  await market()
  A.eth = (await openPosition({ db: t.db, userId: A.id, actor, input: { ...entry, symbol: 'ETH/USDT', size: '0.1', stopLoss: '2900' } })).positionId
  await market()
  B.position = (await openPosition({ db: t.db, userId: B.id, actor: { kind: 'USER', id: B.id }, input: { ...entry, traderId: tb.id } })).positionId

  const decision = (traderId: string, data: Record<string, unknown>) =>
    t.db.decision.create({ data: { traderId, cycleId: 'c', symbol: 'BTC/USDT', provider: 'RULES', model: 'rules', promptVersion: 'v1', trigger: 'SCHEDULE', latencyMs: 12, ...data } as never })
  await decision(ta.id, { action: 'LONG', confidence: '0.8', reasoning: '=HYPERLINK("http://evil.example","click"), then "quoted"\nand a second line', outcome: 'EXECUTED', costUsd: '0.00012345' })
  await decision(ta.id, { action: null, reasoning: '', outcome: 'FAILED', error: '@SUM(A1:A2) unreadable output' })
  await decision(tb.id, { action: 'SHORT', confidence: '0.6', reasoning: 'B reasoning', outcome: 'EXECUTED' })

  await t.db.activityEvent.create({ data: { userId: A.id, type: 'NOTE', severity: 'warning', traderId: ta.id, message: '-2+3 looks, like "a formula"\r\non two lines' } })
  await t.db.activityEvent.create({ data: { userId: B.id, type: 'NOTE', message: 'B looks, like "a formula"' } })
}, 120_000)
afterAll(() => t?.stop())

describe('GET /api/v1/fills.csv', () => {
  it('streams the fills of the user as CSV: header, exact decimals, ISO UTC times, newest first', async () => {
    const r = await download('fills.csv', '')
    expect(r.status).toBe(200)
    expect(r.res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(r.res.headers.get('content-disposition')).toMatch(/^attachment; filename="tradeloop-fills-\d{8}T\d{6}Z\.csv"$/)
    expect(r.header).toEqual(['time', 'fill_id', 'exchange_fill_id', 'order_id', 'client_order_id', 'position_id', 'trader', 'symbol', 'side', 'qty', 'price', 'fee', 'fee_asset', 'liquidity', 'order_purpose', 'order_type'])
    const fills = await t.db.fill.findMany({ where: { order: { account: { userId: A.id } } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] })
    expect(fills).toHaveLength(3)
    expect(r.rows.map((x) => x.fill_id)).toEqual(fills.map((f) => f.id))
    for (const [i, f] of fills.entries()) {
      expect(r.rows[i]).toMatchObject({ time: f.createdAt.toISOString(), qty: fromDb(f.qty).toFixed(), price: fromDb(f.price).toFixed(), fee: fromDb(f.fee).toFixed(), side: f.side })
    }
    expect(r.rows.map((x) => [x.symbol, x.side, x.qty, x.price, x.order_purpose])).toEqual([
      ['ETH/USDT', 'BUY', '0.1', '3001', 'ENTRY'],
      ['BTC/USDT', 'SELL', '0.01', '60000', 'MANUAL_EXIT'],
      ['BTC/USDT', 'BUY', '0.01', '60010', 'ENTRY'],
    ])
    expect(r.rows.every((x) => ISO_UTC.test(x.time!))).toBe(true)
    // The trader's name starts with "=": neutralised.
    expect(r.rows.every((x) => x.trader === "'=A trader")).toBe(true)
  })

  it('applies positionId, trader, symbol and the time range', async () => {
    expect((await download('fills.csv', `?positionId=${A.btc}`)).rows.map((x) => x.position_id)).toEqual([A.btc, A.btc])
    expect((await download('fills.csv', '?symbol=eth/usdt')).rows.map((x) => x.symbol)).toEqual(['ETH/USDT'])
    expect((await download('fills.csv', `?traderId=${A.trader}`)).rows).toHaveLength(3)
    const newest = (await t.db.fill.findFirstOrThrow({ where: { positionId: A.eth } })).createdAt
    expect((await download('fills.csv', `?from=${newest.toISOString()}`)).rows.map((x) => x.symbol)).toEqual(['ETH/USDT'])
    expect((await download('fills.csv', `?to=${newest.toISOString()}`)).rows.map((x) => x.symbol)).toEqual(['BTC/USDT', 'BTC/USDT'])
  })

  it('never exports another user\'s fills: their trader matches nothing, their position is not found', async () => {
    const mine = await download('fills.csv', '', B.token)
    expect(mine.rows.map((x) => x.position_id)).toEqual([B.position])
    const other = await download('fills.csv', `?traderId=${A.trader}`, B.token)
    expect(other.status).toBe(200)
    expect(other.rows).toEqual([])
    expect(other.text).toBe(`${other.header.join(',')}\r\n`)
    expect((await download('fills.csv', `?positionId=${A.btc}`, B.token)).status).toBe(404)
  })

  it('refuses a bad filter with a 400 naming it', async () => {
    const r = await download('fills.csv', '?from=yesterday')
    expect(r.status).toBe(400)
    expect(JSON.parse(r.text).error.fields.map((f: { field: string }) => f.field)).toEqual(['from'])
  })
})

describe('GET /api/v1/orders.csv', () => {
  it('streams the orders of the user with exact decimals and statuses', async () => {
    const r = await download('orders.csv', '')
    expect(r.header.slice(0, 6)).toEqual(['created_at', 'order_id', 'client_order_id', 'exchange_order_id', 'position_id', 'trader'])
    const orders = await t.db.order.findMany({ where: { account: { userId: A.id } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] })
    expect(r.rows.map((x) => x.order_id)).toEqual(orders.map((o) => o.id))
    for (const [i, o] of orders.entries()) {
      expect(r.rows[i]).toMatchObject({
        created_at: o.createdAt.toISOString(),
        status: o.status,
        qty: fromDb(o.qty).toFixed(),
        filled_qty: fromDb(o.filledQty).toFixed(),
        avg_fill_price: o.avgFillPrice ? fromDb(o.avgFillPrice).toFixed() : '',
        reduce_only: String(o.reduceOnly),
      })
    }
    expect(r.rows.find((x) => x.purpose === 'ENTRY' && x.symbol === 'BTC/USDT')).toMatchObject({ qty: '0.01', filled_qty: '0.01', avg_fill_price: '60010', status: 'FILLED', price: '' })
    const mineB = await download('orders.csv', '', B.token)
    expect(mineB.rows.every((x) => x.position_id === B.position)).toBe(true)
    expect((await download('orders.csv', `?positionId=${A.eth}`, B.token)).status).toBe(404)
    expect((await download('orders.csv', `?positionId=${A.eth}`)).rows.every((x) => x.position_id === A.eth && x.symbol === 'ETH/USDT')).toBe(true)
  })
})

describe('GET /api/v1/decisions.csv', () => {
  it('exports the journal with its filters; formulas and line breaks survive as text', async () => {
    const r = await download('decisions.csv', '')
    expect(r.rows).toHaveLength(2)
    const long = r.rows.find((x) => x.action === 'LONG')!
    expect(long).toMatchObject({ confidence: '0.8', outcome: 'EXECUTED', cost_usd: '0.00012345', trader: "'=A trader" })
    expect(long.reasoning).toBe(`'=HYPERLINK("http://evil.example","click"), then "quoted"\nand a second line`)
    // Quoted by the CSV rules: the quotes are doubled inside a quoted field.
    expect(r.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), then ""quoted""\nand a second line"`)
    expect(r.rows.find((x) => x.outcome === 'FAILED')).toMatchObject({ action: 'INVALID', confidence: '', error: "'@SUM(A1:A2) unreadable output" })
    expect((await download('decisions.csv', '?action=INVALID')).rows.map((x) => x.outcome)).toEqual(['FAILED'])
    expect((await download('decisions.csv', '?outcome=EXECUTED')).rows.map((x) => x.action)).toEqual(['LONG'])
    expect((await download('decisions.csv', '', B.token)).rows.map((x) => x.reasoning)).toEqual(['B reasoning'])
    expect((await download('decisions.csv', '?action=MAYBE')).status).toBe(400)
  })
})

describe('GET /api/v1/logs.csv', () => {
  it('exports the log lines with the page\'s filters, formula cells neutralised', async () => {
    const r = await download('logs.csv', '?q=formula')
    expect(r.header).toEqual(['time', 'kind', 'level', 'type', 'trader', 'symbol', 'message', 'detail', 'position_id', 'id'])
    expect(r.rows).toHaveLength(1)
    expect(r.rows[0]).toMatchObject({ kind: 'activity', level: 'warning', type: 'NOTE', trader: "'=A trader", message: `'-2+3 looks, like "a formula"\r\non two lines` })
    expect(ISO_UTC.test(r.rows[0]!.time!)).toBe(true)
    const audit = await download('logs.csv', `?kind=audit&symbol=BTC/USDT`)
    const events = await t.db.positionEvent.count({ where: { positionId: A.btc } })
    expect(audit.rows).toHaveLength(events)
    expect(audit.rows.every((x) => x.kind === 'audit' && x.symbol === 'BTC/USDT' && x.position_id === A.btc)).toBe(true)
    expect((await download('logs.csv', '?q=formula', B.token)).rows.map((x) => x.message)).toEqual(['B looks, like "a formula"'])
    expect((await download('logs.csv', '?level=loud')).status).toBe(400)
  })

  it('reads a large export page by page without losing or repeating a line, across a page boundary full of ties', async () => {
    const user = await t.db.user.create({ data: { email: 'c@example.com', passwordHash: 'not used' } })
    const token = (await issueApiToken(t.db, user.id, 'c')).token
    const when = new Date('2025-01-01T00:00:00.000Z')
    const n = 2345
    await t.db.activityEvent.createMany({ data: Array.from({ length: n }, (_, i) => ({ userId: user.id, type: 'BULK', message: `line ${i}`, createdAt: i < 1500 ? when : new Date(when.getTime() + i) })) })
    const r = await download('logs.csv', '', token)
    expect(r.rows).toHaveLength(n)
    expect(new Set(r.rows.map((x) => x.id)).size).toBe(n)
    expect(new Set(r.rows.map((x) => x.message))).toEqual(new Set(Array.from({ length: n }, (_, i) => `line ${i}`)))
    // Many chunks, not one body built in memory.
    const again = await (await import('@/app/api/v1/logs.csv/route')).GET(new Request('http://localhost/api/v1/logs.csv', { headers: { authorization: `Bearer ${token}` } }))
    let chunks = 0
    for await (const _ of again.body as unknown as AsyncIterable<Uint8Array>) chunks++
    expect(chunks).toBeGreaterThan(10)
  })
})
