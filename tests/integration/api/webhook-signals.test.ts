import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { REFUSALS_RECORDED_PER_MINUTE } from '@/lib/server/signals/refusal-limit'
import { createHmac } from 'node:crypto'
import pg from 'pg'
import { fromDb } from '@/lib/db/decimal-columns'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { dec } from '@/lib/domain/decimal'
import { PROCESSING_LOCK_CLASS } from '@/lib/server/signals/signal-queue'
import { createTrader } from '@/lib/server/traders/create-trader'
import { SignalLoop } from '@/workers/signals/signal-loop'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { waitFor } from '@/tests/support/wait-for'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let traderId: string
let secret: string
let webhook: typeof import('@/app/api/webhooks/tradingview/[traderId]/route')
let secretRoute: typeof import('@/app/api/v1/traders/[id]/webhook-secret/route')
let signalsRoute: typeof import('@/app/api/v1/traders/[id]/signals/route')
let signalsCsv: typeof import('@/app/api/v1/traders/[id]/signals.csv/route')
let settingsRoute: typeof import('@/app/api/v1/traders/[id]/signal-settings/route')
let loop: SignalLoop | null = null
let staleAfterBefore: string | undefined

const worker = { kind: 'WORKER' as const, id: 'signals-test' }
const SYMBOLS = ['BTC/USDT', 'ETH/USDT']

function startLoop() {
  loop = new SignalLoop(t.db, worker, () => {}, { databaseUrl: t.url, sweepMs: 100 }).start()
  return loop
}
async function stopLoop() {
  await loop?.stop()
  loop = null
}

beforeAll(async () => {
  staleAfterBefore = process.env.MARKET_STALE_AFTER_MS
  process.env.MARKET_STALE_AFTER_MS = '600000'
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  traderId = (await createTrader({ db: t.db, userId: alice.id, input: { name: 'Signals', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: SYMBOLS } })).id
  await useManualTraderSettings(t.db, traderId)
  webhook = await import('@/app/api/webhooks/tradingview/[traderId]/route')
  secretRoute = await import('@/app/api/v1/traders/[id]/webhook-secret/route')
  signalsRoute = await import('@/app/api/v1/traders/[id]/signals/route')
  signalsCsv = await import('@/app/api/v1/traders/[id]/signals.csv/route')
  settingsRoute = await import('@/app/api/v1/traders/[id]/signal-settings/route')
  const made = await call(secretRoute.POST, 'POST', `/api/v1/traders/${traderId}/webhook-secret`, { token: alice.token, id: traderId })
  expect(made.status).toBe(201)
  secret = made.body.secret
}, 60_000)
afterAll(async () => {
  await stopLoop()
  await t?.stop()
  if (staleAfterBefore === undefined) delete process.env.MARKET_STALE_AFTER_MS
  else process.env.MARKET_STALE_AFTER_MS = staleAfterBefore
})

beforeEach(async () => {
  await stopLoop()
  // Every test starts flat, with fresh prices.
  await t.db.takeProfit.deleteMany()
  await t.db.paperFill.deleteMany()
  await t.db.paperOrder.deleteMany()
  await t.db.fill.deleteMany()
  await t.db.order.deleteMany()
  await t.db.positionEvent.deleteMany()
  await t.db.position.deleteMany()
  await t.db.signal.deleteMany()
  // ...and its paper account holding only its starting cash (a position left open by a test leaves coins).
  const { accountId } = await t.db.trader.findUniqueOrThrow({ where: { id: traderId }, select: { accountId: true } })
  await t.db.accountBalance.deleteMany({ where: { accountId, asset: { not: 'USDT' } } })
  await t.db.accountBalance.update({ where: { accountId_asset: { accountId, asset: 'USDT' } }, data: { amount: '100000' } })
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
  await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3001' })
})

/** Posts to the webhook as TradingView does: the body as is, with the given content type. */
async function post(body: string | Record<string, unknown>, o: { trader?: string; contentType?: string; headers?: Record<string, string> } = {}) {
  const id = o.trader ?? traderId
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const req = new Request(`http://localhost/api/webhooks/tradingview/${id}`, {
    method: 'POST',
    headers: { 'content-type': o.contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'), ...o.headers },
    body: text,
  })
  const res = await webhook.POST(req, { params: Promise.resolve({ traderId: id }) })
  const raw = await res.text()
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (raw ? JSON.parse(raw) : null) as any }
}

const now = () => new Date().toISOString()
const buy = (extra: Record<string, unknown> = {}) => ({ secret, symbol: 'BTCUSDT', action: 'buy', timestamp: now(), price: '60005', size: '0.1', ...extra })

async function finished(signalId: string) {
  return waitFor(async () => {
    const s = await t.db.signal.findUnique({ where: { id: signalId } })
    return s && ['DONE', 'REJECTED', 'FAILED'].includes(s.status) ? s : null
  }, `signal ${signalId} to finish`)
}

const activePositions = () => t.db.position.findMany({ where: { traderId, status: { notIn: ['CLOSED', 'FAILED'] } } })

describe('POST /api/webhooks/tradingview/{traderId}: intake', () => {
  it.each([
    ['application/json', (s: string) => JSON.stringify({ secret: s, symbol: 'BTCUSDT', action: 'buy', id: 'json-1', timestamp: now() }), 'application/json'],
    ['text/plain holding JSON', (s: string) => JSON.stringify({ secret: s, symbol: 'BINANCE:BTCUSDT', action: 'buy', id: 'plain-1', timestamp: now() }), 'text/plain; charset=utf-8'],
    ['key=value lines', (s: string) => `secret=${s}\nsymbol=BINANCE:BTCUSDT\naction=BUY\nid=kv-1\ntimestamp=${now()}`, 'text/plain; charset=utf-8'],
    ['key=value separated by ;', (s: string) => `SECRET=${s};SYMBOL=BTCUSDT;ACTION=buy;ID=kv-2;TIMESTAMP=${now()}`, 'text/plain'],
  ])('accepts %s (202), maps the ticker to BTC/USDT and stores the body without the secret', async (_label, make, contentType) => {
    const res = await post(make(secret), { contentType })
    expect(res.status).toBe(202)
    expect(res.body).toEqual({ signalId: expect.any(String), status: 'accepted' })
    const s = await t.db.signal.findUniqueOrThrow({ where: { id: res.body.signalId } })
    expect(s).toMatchObject({ status: 'ACCEPTED', httpStatus: 202, symbol: 'BTC/USDT', action: 'buy', intent: 'entry', contentType })
    expect(s.body).not.toContain(secret)
    expect(s.body).toContain('[redacted]')
    expect(JSON.stringify(s.payload)).not.toContain(secret)
  })

  it('answers 401 for a bad or missing secret, records it without the secret, and queues nothing', async () => {
    const wrong = 'whsec_not-the-right-one-but-long-enough'
    for (const body of [{ ...buy(), secret: wrong }, { symbol: 'BTCUSDT', action: 'buy' }]) {
      const res = await post(body)
      expect(res.status).toBe(401)
      expect(res.body.error).toEqual({ code: 'UNAUTHENTICATED', message: 'bad secret' })
    }
    const kv = await post(`secret=${wrong}\nsymbol=BTCUSDT\naction=buy`)
    expect(kv.status).toBe(401)
    const rows = await t.db.signal.findMany({ orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] })
    expect(rows).toHaveLength(3)
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'REJECTED', httpStatus: 401, idempotencyKey: null })
      expect(r.body).not.toContain(wrong)
      expect(r.body).not.toContain(secret)
    }
    expect(rows.map((r) => r.reason)).toEqual(['bad secret', 'no secret in the body', 'bad secret'])
  })

  it('records at most REFUSALS_RECORDED_PER_MINUTE refused senders per trader and minute; past that, 429 with Retry-After and nothing written, while the right secret still goes through', async () => {
    // A trader of its own: the allowance is counted per trader, in this process.
    const other = (await createTrader({ db: t.db, userId: alice.id, input: { name: 'Flooded', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: SYMBOLS } })).id
    await useManualTraderSettings(t.db, other)
    const made = await call(secretRoute.POST, 'POST', `/api/v1/traders/${other}/webhook-secret`, { token: alice.token, id: other })
    const statuses: number[] = []
    for (let i = 0; i < REFUSALS_RECORDED_PER_MINUTE + 2; i++) statuses.push((await post({ ...buy(), secret: `whsec_guess-${i}-long-enough-to-look-real` }, { trader: other })).status)
    expect(statuses).toEqual([...Array<number>(REFUSALS_RECORDED_PER_MINUTE).fill(401), 429, 429])
    const req = new Request(`http://localhost/api/webhooks/tradingview/${other}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...buy(), secret: 'whsec_one-more-guess' }) })
    const limited = await webhook.POST(req, { params: Promise.resolve({ traderId: other }) })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await limited.json()).error.code).toBe('RATE_LIMITED')
    expect(await t.db.signal.count({ where: { traderId: other } })).toBe(REFUSALS_RECORDED_PER_MINUTE)
    const right = await post({ ...buy(), secret: made.body.secret, id: 'after-the-flood' }, { trader: other })
    expect(right.status).toBe(202)
  })

  it('takes a request signed with HMAC-SHA256 of the body instead of a body secret; a bad signature is 401 even with the right secret', async () => {
    const body = JSON.stringify({ symbol: 'BTCUSDT', action: 'buy', id: 'signed-1', timestamp: now() })
    const sign = (text: string, key: string) => createHmac('sha256', key).update(text).digest('hex')
    const ok = await post(body, { contentType: 'application/json', headers: { 'x-signature-sha256': `sha256=${sign(body, secret)}` } })
    expect(ok.status).toBe(202)
    const withSecret = JSON.stringify({ secret, symbol: 'BTCUSDT', action: 'buy', id: 'signed-2', timestamp: now() })
    const bad = await post(withSecret, { contentType: 'application/json', headers: { 'x-signature-sha256': sign(withSecret, 'not-the-secret') } })
    expect(bad.status).toBe(401)
    expect(bad.body.error.message).toBe('bad signature')
    const unsigned = await post(body, { contentType: 'application/json' })
    expect(unsigned.status).toBe(401)
    expect((await t.db.signal.findMany({ where: { httpStatus: 401 } })).every((r) => !r.body.includes(secret))).toBe(true)
  })

  it('with TradingView addresses only, refuses (403, recorded) any other sender, and takes theirs', async () => {
    await settings({ tradingViewAddressesOnly: true })
    try {
      const other = await post(buy({ id: 'addr-1' }), { headers: { 'x-forwarded-for': '203.0.113.9' } })
      expect(other.status).toBe(403)
      const row = await t.db.signal.findFirstOrThrow({ where: { httpStatus: 403 } })
      expect(row).toMatchObject({ status: 'REJECTED', remoteAddr: '203.0.113.9' })
      expect(row.reason).toMatch(/not one of TradingView's addresses/)
      expect((await post(buy({ id: 'addr-2' }), { headers: { 'x-forwarded-for': '52.89.214.238' } })).status).toBe(202)
    } finally {
      await settings({ tradingViewAddressesOnly: false })
    }
    expect((await post(buy({ id: 'addr-3' }), { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(202)
  })

  it('answers 413 for a body over 16 KiB without reading or recording it', async () => {
    const res = await post(buy({ comment: 'x'.repeat(20_000) }))
    expect(res.status).toBe(413)
    expect(await t.db.signal.count()).toBe(0)
  })

  it('answers 404 for an unknown trader (nothing to record it against)', async () => {
    const res = await post(buy(), { trader: 'no-such-trader' })
    expect(res.status).toBe(404)
    expect(await t.db.signal.count()).toBe(0)
  })

  it.each([
    ['an unknown field', { sizee: '1' }, 'sizee'],
    ['a bad action', { action: 'hold' }, 'action'],
    ['a price that is not a number', { price: 'abc' }, 'price'],
    ['a bad timestamp', { timestamp: 'yesterday' }, 'timestamp'],
    // A valid JavaScript date (year -7537) that PostgreSQL cannot store: was a 500 with nothing logged.
    ['a negative numeric timestamp', { timestamp: -300000000000 }, 'timestamp'],
    ['a timestamp past year 9999', { timestamp: 300000000000000 }, 'timestamp'],
    ['a bad intent', { intent: 'flip' }, 'intent'],
  ])('answers 400 naming the field for %s, recorded as REJECTED', async (_label, change, field) => {
    const res = await post(buy(change))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toEqual([field])
    const [row] = await t.db.signal.findMany()
    expect(row).toMatchObject({ status: 'REJECTED', httpStatus: 400 })
    expect(row!.reason).toContain(field)
    expect(row!.body).not.toContain(secret)
  })

  it('answers 400 for a body that is neither JSON nor key=value, when the secret is right', async () => {
    const res = await post(`{"secret": "${secret}", "symbol": "BTCUSDT",`)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['body'])
    const [row] = await t.db.signal.findMany()
    expect(row!.body).not.toContain(secret)
  })

  it('answers 400 for a body nested thousands of levels deep (it overflowed the stack: a 500), and records it', async () => {
    const res = await post(`{"secret": "${secret}", "symbol": "BTCUSDT", "action": "buy", "x": ${'['.repeat(7000)}${']'.repeat(7000)}}`)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['body'])
    const [row] = await t.db.signal.findMany()
    expect(row).toMatchObject({ status: 'REJECTED', httpStatus: 400 })
    expect(row!.reason).toContain('levels deep')
  })

  it('answers 400 naming the field for half a character (a lone \\ud800 escape, which PostgreSQL refused: a 500 that TradingView sent again), and records it', async () => {
    for (const symbol of ['BTCUSDT', 'XRPUSDT']) {
      const res = await post(`{"secret": "${secret}", "symbol": "${symbol}", "action": "buy", "comment": "note \\ud800"}`, { contentType: 'application/json' })
      expect(res.status).toBe(400)
      expect(fieldsOf(res.body)).toEqual(['comment'])
    }
    const rows = await t.db.signal.findMany()
    expect(rows.map((r) => [r.status, r.httpStatus, r.reason])).toEqual(Array(2).fill(['REJECTED', 400, 'comment: must not contain a lone surrogate (\\ud800–\\udfff without its pair)']))
  })

  it('answers 422 for an unknown symbol, a pyramid to a trader without position groups and a stale signal, each recorded with its reason', async () => {
    const unknown = await post(buy({ symbol: 'SOLUSDT' }))
    expect(unknown.status).toBe(422)
    expect(unknown.body.error.message).toMatch(/unknown symbol SOLUSDT/)
    const pyramid = await post(buy({ intent: 'pyramid' }))
    expect(pyramid.status).toBe(422)
    expect(pyramid.body.error.message).toMatch(/a pyramid adds to a position group, and Signals does not build groups/)
    const stale = await post(buy({ timestamp: new Date(Date.now() - 61_000).toISOString() }))
    expect(stale.status).toBe(422)
    expect(stale.body.error.message).toMatch(/stale: .*more than the trader's max lag of 60 s/)
    const rows = await t.db.signal.findMany({ orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] })
    expect(rows.map((r) => [r.status, r.httpStatus])).toEqual([['REJECTED', 422], ['REJECTED', 422], ['REJECTED', 422]])
    expect(await t.db.position.count()).toBe(0)
  })

  it('answers a repeated id with the original signal id, and does it once', async () => {
    startLoop()
    const first = await post(buy({ id: 'order-1' }))
    const again = await post(buy({ id: 'order-1', price: '60006' }))
    expect(first.status).toBe(202)
    expect(again).toEqual({ status: 202, body: { signalId: first.body.signalId, status: 'duplicate' } })
    await finished(first.body.signalId)
    await loop!.idle()
    expect(await t.db.position.count()).toBe(1)
    const rows = await t.db.signal.findMany({ orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] })
    expect(rows.map((r) => r.status)).toEqual(['DONE', 'DUPLICATE'])
    expect(rows[1]).toMatchObject({ duplicateOfId: first.body.signalId, idempotencyKey: null })
  })

  it('a duplicate received after its original sorts after it, within the same millisecond too', async () => {
    // PostgreSQL stamps an accepted signal, JavaScript a duplicate; both must cut to the
    // millisecond the same way, and a tie must fall to the later id.
    for (let i = 0; i < 30; i++) {
      const first = await post(buy({ id: `tie-${i}` }))
      const again = await post(buy({ id: `tie-${i}` }))
      expect([first.status, again.body.status]).toEqual([202, 'duplicate'])
    }
    const rows = await t.db.signal.findMany({ where: { OR: [{ idempotencyKey: { startsWith: 'tie-' } }, { status: 'DUPLICATE' }] }, orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] })
    const position = new Map(rows.map((r, i) => [r.id, i]))
    const misplaced = rows.filter((r) => r.duplicateOfId && position.get(r.id)! < position.get(r.duplicateOfId)!)
    expect(misplaced.map((r) => r.reason)).toEqual([])
    expect(rows.filter((r) => r.status === 'DUPLICATE')).toHaveLength(30)
  })

  it('two identical ids at the same moment: one accepted, one duplicate, the same signalId', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(buy({ id: 'race-1' }))))
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(202))
    expect(new Set(answers.map((a) => a.body.signalId)).size).toBe(1)
    expect(answers.filter((a) => a.body.status === 'accepted')).toHaveLength(1)
    expect(await t.db.signal.count({ where: { status: 'ACCEPTED' } })).toBe(1)
    expect(await t.db.signal.count({ where: { status: 'DUPLICATE' } })).toBe(5)
  })

  it('one id for two symbols (a strategy alerting on two tickers in the same second) is two signals; a repeat for the same symbol is a duplicate', async () => {
    const at = now()
    const btc = await post(buy({ id: `Long-${at}` }))
    const eth = await post(buy({ symbol: 'BINANCE:ETHUSDT', price: '3000.5', id: `Long-${at}` }))
    const ethAgain = await post(buy({ symbol: 'ETHUSDT', price: '3000.5', id: `Long-${at}` }))
    expect([btc.body.status, eth.body.status]).toEqual(['accepted', 'accepted'])
    expect(eth.body.signalId).not.toBe(btc.body.signalId)
    expect(ethAgain.body).toEqual({ signalId: eth.body.signalId, status: 'duplicate' })
  })

  it('the same payload without an id is a duplicate within the window, and a new signal after it', async () => {
    await settings({ duplicateWindowSeconds: 2 })
    try {
      const body = buy({ timestamp: now() })
      const answers = await Promise.all([post(body), post(body)])
      expect(answers.map((a) => a.body.status).sort()).toEqual(['accepted', 'duplicate'])
      expect(answers[0]!.body.signalId).toBe(answers[1]!.body.signalId)
      // Key order and format do not matter: the fields do.
      const kv = await post(Object.entries(body).reverse().map(([k, v]) => `${k}=${v}`).join('\n'))
      expect(kv.body).toEqual({ signalId: answers[0]!.body.signalId, status: 'duplicate' })
      await new Promise((r) => setTimeout(r, 2100))
      const later = await post(body)
      expect(later.body.status).toBe('accepted')
      expect(later.body.signalId).not.toBe(answers[0]!.body.signalId)
    } finally {
      await settings({ duplicateWindowSeconds: 60 })
    }
  })
})

async function settings(patch: Record<string, unknown>) {
  const res = await call(settingsRoute.PATCH, 'PATCH', `/api/v1/traders/${traderId}/signal-settings`, { token: alice.token, id: traderId, body: patch })
  expect(res.status).toBe(200)
  return res
}

describe('processing', () => {
  it('an entry opens a paper position with signalId set, counted as source SIGNAL when closed', async () => {
    startLoop()
    const firedAt = new Date(Date.now() - 1500)
    const res = await post(buy({ stop_loss: '59000', take_profit: '62000,64000', timestamp: firedAt.toISOString() }))
    const s = await finished(res.body.signalId)
    expect(s).toMatchObject({ status: 'DONE', reason: null, signalAt: firedAt })
    // Stamped on arrival by the database clock, in UTC like every other time.
    expect(Math.abs(s.receivedAt.getTime() - Date.now())).toBeLessThan(60_000)
    const p = await t.db.position.findUniqueOrThrow({ where: { signalId: s.id }, include: { takeProfits: true, orders: true } })
    expect(p).toMatchObject({ side: 'LONG', symbol: 'BTC/USDT', status: 'MONITORING' })
    expect(fromDb(p.openQty).toFixed()).toBe('0.1')
    expect(fromDb(p.stopLoss!).toFixed()).toBe('59000')
    expect(p.takeProfits.map((tp) => [fromDb(tp.price).toFixed(), fromDb(tp.sharePct).toFixed()])).toEqual([['62000', '50'], ['64000', '50']])
    expect(p.orders).toMatchObject([{ purpose: 'ENTRY', status: 'FILLED', createdBy: 'WORKER' }])
    expect(s.positionId).toBe(p.id)
    expect(s.result).toMatchObject({ intent: 'entry', opened: { positionId: p.id, side: 'LONG', avgEntryPrice: '60010', orderId: p.orders[0]!.id } })
    expect(s.processedAt!.getTime()).toBeGreaterThanOrEqual(s.receivedAt.getTime())

    // Closed by a signal, then the performance figures name its source.
    const close = await post(buy({ action: 'sell', intent: 'close' }))
    expect((await finished(close.body.signalId)).status).toBe('DONE')
    const perf = await import('@/lib/server/performance/closed-trades')
    const trades = await perf.loadClosedTrades(t.db, alice.id, { mode: 'PAPER' })
    expect(trades.map((x) => [x.positionId, x.source])).toEqual([[p.id, 'SIGNAL']])
  })

  it('sizes from the trader settings without a size, with the default stop', async () => {
    startLoop()
    await settings({ defaultSizeQuote: '1000', defaultStopPct: '2' })
    try {
      const res = await post(buy({ size: '' }))
      const s = await finished(res.body.signalId)
      expect(s.status).toBe('DONE')
      const p = await t.db.position.findUniqueOrThrow({ where: { signalId: s.id } })
      // 1000 USDT at the ask 60010, truncated to the step 0.00001; stop 2% under the ask.
      expect(fromDb(p.requestedQty).toFixed()).toBe('0.01666')
      expect(fromDb(p.stopLoss!).toFixed()).toBe('58809.8')
    } finally {
      await settings({ defaultSizeQuote: null })
    }
  })

  it("the app's own alert message, as TradingView fills it in: an entry sized by the trader's risk, a partial take-profit, then a reversal", async () => {
    startLoop()
    const { alertMessage } = await import('@/components/signals/alert-message')
    const alert = (v: { action: string; orderId: string; marketPosition: string; close: string; contracts?: string }) => {
      const text = alertMessage(secret)
        .replaceAll('{{ticker}}', 'BINANCE:BTCUSDT')
        .replaceAll('{{strategy.order.action}}', v.action)
        .replaceAll('{{strategy.order.id}}', v.orderId)
        .replaceAll('{{timenow}}', now().replace(/\.\d+Z$/, 'Z'))
        .replaceAll('{{close}}', v.close)
        .replaceAll('{{strategy.position_size}}', '1')
        .replaceAll('{{strategy.market_position}}', v.marketPosition)
        .replaceAll('{{interval}}', '60')
      expect(text).not.toContain('{{')
      // contracts is left out of the message on purpose; a strategy that scales out adds it.
      return v.contracts ? text.replace('"interval"', `"contracts": "${v.contracts}",\n  "interval"`) : text
    }
    // No size, no default size: the trader's sizing (risk 1 % of 100,000 USDT over the default
    // 2 % stop) gives 1000 / (60010 × 0.02) = 0.83319446…, which has no end: cut to the step.
    const entry = await finished((await post(alert({ action: 'buy', orderId: 'Long', marketPosition: 'long', close: '60005' }), { contentType: 'application/json' })).body.signalId)
    expect([entry.status, entry.intent, entry.reason]).toEqual(['DONE', 'entry', null])
    const long = await t.db.position.findUniqueOrThrow({ where: { signalId: entry.id } })
    expect([long.side, fromDb(long.openQty).toFixed(), fromDb(long.stopLoss!).toFixed()]).toEqual(['LONG', '0.83319', '58809.8'])

    // A sell that leaves the strategy long takes profit on part of the long: it never opens a SHORT.
    const tp = await finished((await post(alert({ action: 'sell', orderId: 'TP1', marketPosition: 'long', close: '60000', contracts: '0.3' }), { contentType: 'application/json' })).body.signalId)
    expect([tp.status, tp.intent]).toEqual(['DONE', 'exit'])
    expect(fromDb((await t.db.position.findUniqueOrThrow({ where: { id: long.id } })).openQty).toFixed()).toBe('0.53319')
    expect((await activePositions()).map((p) => [p.id, p.side])).toEqual([[long.id, 'LONG']])

    // A sell that leaves it short is the strategy's reversal: the long is closed, then a short opened.
    const rev = await finished((await post(alert({ action: 'sell', orderId: 'Short', marketPosition: 'short', close: '60000' }), { contentType: 'application/json' })).body.signalId)
    expect([rev.status, rev.intent]).toEqual(['DONE', 'entry'])
    expect(rev.result).toMatchObject({ intent: 'reverse', reversedBy: 'market_position short', closed: { positionId: long.id, status: 'CLOSED' } })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: long.id } })).status).toBe('CLOSED')
    expect((await activePositions()).map((p) => [p.signalId, p.side])).toEqual([[rev.id, 'SHORT']])

    // A buy that leaves it short covers part of the short, with nothing opened LONG.
    const cover = await finished((await post(alert({ action: 'buy', orderId: 'Cover', marketPosition: 'short', close: '60005', contracts: '0.1' }), { contentType: 'application/json' })).body.signalId)
    expect([cover.status, cover.intent]).toEqual(['DONE', 'exit'])
    expect((await activePositions()).map((p) => [p.signalId, p.side])).toEqual([[rev.id, 'SHORT']])
  })

  it('close closes the open position; with nothing open it is DONE with the reason', async () => {
    startLoop()
    const open = await finished((await post(buy())).body.signalId)
    const close = await finished((await post({ secret, symbol: 'BTCUSDT', action: 'sell', market_position: 'flat', timestamp: now(), price: '60000' })).body.signalId)
    expect(close).toMatchObject({ status: 'DONE', intent: 'close', positionId: open.positionId })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: open.positionId! } })).status).toBe('CLOSED')
    expect(close.result).toMatchObject({ closed: { positionId: open.positionId, status: 'CLOSED', exitQty: '0.1', avgExitPrice: '60000' } })
    const again = await finished((await post({ secret, symbol: 'BTCUSDT', action: 'sell', intent: 'exit', timestamp: now() })).body.signalId)
    expect(again).toMatchObject({ status: 'DONE', reason: 'no open BTC/USDT position: nothing to close' })
  })

  it('an entry while a position is open is refused with the reason', async () => {
    startLoop()
    await finished((await post(buy())).body.signalId)
    const second = await finished((await post(buy({ price: '60004' }))).body.signalId)
    expect(second.status).toBe('REJECTED')
    expect(second.reason).toMatch(/already has an active BTC\/USDT position/)
    expect(await activePositions()).toHaveLength(1)
  })

  it('close then open for one symbol run in the order they arrived, never side by side', async () => {
    startLoop()
    await finished((await post(buy())).body.signalId)
    const closeThenOpen = async (round: string) => {
      const close = await post(buy({ action: 'sell', intent: 'close', id: `c${round}` }))
      const open = await post(buy({ intent: 'entry', id: `o${round}` }))
      const [c, o] = [await finished(close.body.signalId), await finished(open.body.signalId)]
      // The open ran after the close had finished, so it found the symbol flat.
      expect([c.status, o.status, o.reason]).toEqual(['DONE', 'DONE', null])
      expect(o.processedAt!.getTime()).toBeGreaterThanOrEqual(c.processedAt!.getTime())
      expect((await activePositions()).map((p) => p.signalId)).toEqual([o.id])
    }
    // Arriving a moment apart while the worker runs, and both waiting in the queue for a worker.
    for (const round of ['1', '2', '3']) await closeThenOpen(round)
    await stopLoop()
    const queued = closeThenOpen('4')
    await new Promise((r) => setTimeout(r, 200))
    startLoop()
    await queued

    // Sent at the same moment: whichever was received first ran first, and the books agree with that order.
    for (let round = 0; round < 3; round++) {
      const [close, open] = await Promise.all([post(buy({ action: 'sell', intent: 'close', id: `cc${round}` })), post(buy({ intent: 'entry', id: `oo${round}` }))])
      const [c, o] = [await finished(close.body.signalId), await finished(open.body.signalId)]
      const closeFirst = c.receivedAt.getTime() < o.receivedAt.getTime() || (c.receivedAt.getTime() === o.receivedAt.getTime() && c.id < o.id)
      if (closeFirst) {
        expect([c.status, o.status]).toEqual(['DONE', 'DONE'])
        expect(o.processedAt!.getTime()).toBeGreaterThanOrEqual(c.processedAt!.getTime())
        expect((await activePositions()).map((p) => p.signalId)).toEqual([o.id])
      } else {
        // The open came first and found the position still open; then the close closed it.
        expect([o.status, c.status]).toEqual(['REJECTED', 'DONE'])
        expect(c.processedAt!.getTime()).toBeGreaterThanOrEqual(o.processedAt!.getTime())
        expect(await activePositions()).toEqual([])
        await finished((await post(buy({ id: `reopen${round}` }))).body.signalId)
      }
    }
  })

  it('reverse closes the long and opens a short, in that order', async () => {
    startLoop()
    const long = await finished((await post(buy())).body.signalId)
    const rev = await finished((await post(buy({ action: 'sell', intent: 'reverse', price: '60000' }))).body.signalId)
    expect(rev.status).toBe('DONE')
    expect((await t.db.position.findUniqueOrThrow({ where: { id: long.positionId! } })).status).toBe('CLOSED')
    const short = await t.db.position.findUniqueOrThrow({ where: { signalId: rev.id } })
    expect(short).toMatchObject({ side: 'SHORT', status: 'MONITORING' })
    expect(rev.result).toMatchObject({ intent: 'reverse', closed: { positionId: long.positionId, status: 'CLOSED' }, opened: { positionId: short.id, side: 'SHORT' } })
    expect(await activePositions()).toHaveLength(1)

    // A reverse whose entry is refused (the price is too far) still closes, and says both.
    const rev2 = await finished((await post(buy({ action: 'buy', intent: 'reverse', price: '70000' }))).body.signalId)
    expect(rev2.status).toBe('REJECTED')
    expect(rev2.reason).toMatch(new RegExp(`^closed position ${short.id}, but the LONG entry was not made: price 70000 is`))
    expect(rev2.result).toMatchObject({ intent: 'reverse', closed: { positionId: short.id, status: 'CLOSED' } })
    expect(rev2.positionId).toBe(short.id)
    expect(await activePositions()).toEqual([])
  })

  it('a reverse whose close is refused by the exchange opens nothing, at once', async () => {
    startLoop()
    const short = await finished((await post(buy({ action: 'sell', price: '60000' }))).body.signalId)
    // Coins held beside the short: the paper engine refuses the reduce-only buy that would close it.
    const { accountId } = await t.db.trader.findUniqueOrThrow({ where: { id: traderId }, select: { accountId: true } })
    await t.db.accountBalance.update({ where: { accountId_asset: { accountId, asset: 'BTC' } }, data: { amount: '1' } })
    const started = Date.now()
    const rev = await finished((await post(buy({ intent: 'reverse' }))).body.signalId)
    expect(Date.now() - started).toBeLessThan(10_000) // not the 30 s wait for a close that is not coming
    expect(rev.status).toBe('FAILED')
    expect(rev.reason).toBe(`position ${short.positionId} was not closed: its exit order did not go through (see the position); the LONG entry was not sent`)
    expect((await activePositions()).map((p) => [p.id, p.side])).toEqual([[short.positionId, 'SHORT']])
  })

  it('refuses a price too far from the market, a stale signal at processing, and an entry for a paused trader', async () => {
    startLoop()
    const f = await finished((await post(buy({ price: '61000' }))).body.signalId)
    expect(f.status).toBe('REJECTED')
    expect(f.reason).toMatch(/price 61000 is 1.65% from the market \(60010\), more than the trader's max deviation of 1%/)
    // Queued while no worker runs, with 1 s of lag allowed: it is stale when a worker gets to it.
    await stopLoop()
    await settings({ maxLagSeconds: 1 })
    try {
      const late = await post(buy({ symbol: 'ETHUSDT', price: '3001' }))
      expect(late.status).toBe(202)
      await new Promise((r) => setTimeout(r, 1600))
      startLoop()
      const l = await finished(late.body.signalId)
      expect(l.status).toBe('REJECTED')
      expect(l.reason).toMatch(/^stale: fired at .* more than the trader's max lag of 1 s/)
    } finally {
      await settings({ maxLagSeconds: 60 })
    }

    await t.db.trader.update({ where: { id: traderId }, data: { status: 'PAUSED', statusReason: 'test' } })
    try {
      const paused = await post(buy())
      expect(paused.status).toBe(409)
      expect(paused.body.error.message).toMatch(/is paused/)
      expect((await t.db.signal.findFirstOrThrow({ where: { httpStatus: 409 } })).status).toBe('REJECTED')
    } finally {
      await t.db.trader.update({ where: { id: traderId }, data: { status: 'ACTIVE', statusReason: null } })
    }
    expect(await t.db.position.count()).toBe(0)
  })

  it('a trader whose automated entries need approval does not trade on signals unapproved', async () => {
    startLoop()
    await t.db.trader.update({ where: { id: traderId }, data: { approvals: { entries: true } } })
    try {
      const s = await finished((await post(buy())).body.signalId)
      expect(s.status).toBe('REJECTED')
      expect(s.reason).toMatch(/automated entries need a person's approval/)
      expect(await t.db.position.count()).toBe(0)
    } finally {
      await t.db.trader.update({ where: { id: traderId }, data: { approvals: {} } })
    }
  })

  it('a signal left PROCESSING by a worker that died is finished exactly once', async () => {
    // Killed before it did anything: claimed, nothing sent.
    const a = await post(buy({ id: 'killed-early' }))
    // Killed after the entry was made, before the outcome was written.
    const b = await post(buy({ symbol: 'ETHUSDT', price: '3001', id: 'killed-late' }))
    await t.db.signal.updateMany({ where: { id: { in: [a.body.signalId, b.body.signalId] } }, data: { status: 'PROCESSING', attempts: 1 } })
    const madeBefore = await openPosition({
      db: t.db, userId: alice.id, actor: worker, source: 'WEBHOOK', signalId: b.body.signalId,
      input: { traderId, symbol: 'ETH/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.1', entryType: 'MARKET', stopLoss: '2900' },
    })
    // A worker still alive holds its signal's lock: that one is left alone.
    const other = new pg.Client({ connectionString: t.url })
    await other.connect()
    const c = await post(buy({ symbol: 'BTCUSDT', id: 'held' }))
    await t.db.signal.update({ where: { id: c.body.signalId }, data: { status: 'PROCESSING' } })
    await other.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [PROCESSING_LOCK_CLASS, c.body.signalId])
    try {
      startLoop()
      const [sa, sb] = [await finished(a.body.signalId), await finished(b.body.signalId)]
      expect(sa).toMatchObject({ status: 'DONE', attempts: 2 })
      expect(sb).toMatchObject({ status: 'DONE', positionId: madeBefore.positionId, reason: 'entry already made by an earlier attempt' })
      expect(await t.db.position.count({ where: { symbol: 'ETH/USDT' } })).toBe(1)
      expect(await t.db.order.count({ where: { purpose: 'ENTRY', symbol: 'ETH/USDT' } })).toBe(1)
      await new Promise((r) => setTimeout(r, 400))
      expect((await t.db.signal.findUniqueOrThrow({ where: { id: c.body.signalId } })).status).toBe('PROCESSING')
    } finally {
      await other.end()
    }
    // Its worker is gone: now it is adopted, and it waited for nothing else (BTC's first signal is done).
    const sc = await finished(c.body.signalId)
    expect(sc.status).toBe('REJECTED') // BTC/USDT is already open from the first signal
    expect(await t.db.position.count({ where: { symbol: 'BTC/USDT' } })).toBe(1)
  })

  it('a partial exit left PROCESSING after its order went out is finished without a second exit', async () => {
    startLoop()
    const entry = await finished((await post(buy())).body.signalId)
    expect(entry.status).toBe('DONE')
    await stopLoop()
    const exit = await post(buy({ action: 'sell', intent: 'exit', size: '0.04', id: 'partial-killed' }))
    // Its first attempt noted the position and the exit's id, sent the exit, and was stopped there.
    await t.db.signal.update({ where: { id: exit.body.signalId }, data: { status: 'PROCESSING', attempts: 1, result: { closing: entry.positionId, exitOrder: 'tl-x-test-partial' } } })
    const sent = await requestExit({ db: t.db, positionId: entry.positionId!, size: { kind: 'QTY', qty: dec('0.04') }, purpose: 'MANUAL_EXIT', actor: worker, reason: 'the first attempt', clientOrderId: 'tl-x-test-partial' })
    startLoop()
    const s = await finished(exit.body.signalId)
    expect(s).toMatchObject({ status: 'DONE', attempts: 2, reason: 'exit order tl-x-test-partial was sent by an earlier attempt' })
    expect(sent).toMatchObject({ orderId: expect.any(String) })
    expect(s.result).toMatchObject({ closed: { orderId: (sent as { orderId: string }).orderId, openQty: '0.06' } })
    expect(await t.db.order.count({ where: { positionId: entry.positionId!, purpose: 'MANUAL_EXIT' } })).toBe(1)
    expect(fromDb((await t.db.position.findUniqueOrThrow({ where: { id: entry.positionId! } })).openQty).toFixed()).toBe('0.06')
  })
})

describe('secret rotation and the signal log API', () => {
  it('returns the secret once; no trader or settings read returns it; the old one stops working', async () => {
    const before = secret
    const rotated = await call(secretRoute.POST, 'POST', `/api/v1/traders/${traderId}/webhook-secret`, { token: alice.token, id: traderId })
    expect(rotated.status).toBe(201)
    expect(rotated.body).toEqual({ secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/), hint: rotated.body.secret.slice(-4), url: `http://localhost/api/webhooks/tradingview/${traderId}`, createdAt: expect.any(String) })
    secret = rotated.body.secret
    expect((await post(buy({ secret: before }))).status).toBe(401)
    expect((await post(buy())).status).toBe(202)

    const reads = [
      await call((await import('@/app/api/v1/traders/[id]/route')).GET, 'GET', `/api/v1/traders/${traderId}`, { token: alice.token, id: traderId }),
      await call((await import('@/app/api/v1/traders/route')).GET, 'GET', '/api/v1/traders', { token: alice.token }),
      await call((await import('@/app/api/v1/traders/[id]/settings/route')).GET, 'GET', `/api/v1/traders/${traderId}/settings`, { token: alice.token, id: traderId }),
      await call(settingsRoute.GET, 'GET', `/api/v1/traders/${traderId}/signal-settings`, { token: alice.token, id: traderId }),
      await call(signalsRoute.GET, 'GET', `/api/v1/traders/${traderId}/signals`, { token: alice.token, id: traderId }),
    ]
    for (const r of reads) {
      expect(r.status).toBe(200)
      const text = JSON.stringify(r.body)
      expect(text).not.toContain(secret)
      expect(text).not.toContain(before)
      expect(text).not.toMatch(/webhookSecretEnc/)
    }
    expect(reads[3]!.body.secret).toEqual({ set: true, hint: secret.slice(-4), createdAt: expect.any(String) })
    // Someone else's trader: not found, and nothing changes.
    expect((await call(secretRoute.POST, 'POST', '/', { token: bob.token, id: traderId })).status).toBe(404)
    expect((await post(buy({ id: 'still-works' }))).status).toBe(202)
  })

  it('lists signals newest first with filters, paging and search, and exports them as CSV', async () => {
    const a = await post(buy({ id: 'log-a' }))
    const b = await post(buy({ id: 'log-b', symbol: 'ETHUSDT', price: '3001' }))
    await post(buy({ secret: 'whsec_wrong-wrong-wrong-wrong' }))
    const list = (q: string) => call(signalsRoute.GET, 'GET', `/api/v1/traders/${traderId}/signals${q}`, { token: alice.token, id: traderId })
    const all = await list('')
    expect(all.body.signals.map((s: { id: string }) => s.id).slice(1)).toEqual([b.body.signalId, a.body.signalId])
    expect((await list('?status=REJECTED')).body.signals).toHaveLength(1)
    expect((await list('?symbol=ETH/USDT')).body.signals.map((s: { id: string }) => s.id)).toEqual([b.body.signalId])
    expect((await list('?q=log-a')).body.signals.map((s: { id: string }) => s.id)).toEqual([a.body.signalId])
    const page1 = await list('?limit=2')
    expect(page1.body.signals).toHaveLength(2)
    const page2 = await list(`?limit=2&cursor=${page1.body.nextCursor}`)
    expect(page2.body.signals.map((s: { id: string }) => s.id)).toEqual([a.body.signalId])
    expect(page2.body.nextCursor).toBeNull()
    expect((await list('?status=NOPE')).status).toBe(400)
    expect((await call(signalsRoute.GET, 'GET', '/', { token: bob.token, id: traderId })).status).toBe(404)

    const csv = await signalsCsv.GET(new Request(`http://localhost/api/v1/traders/${traderId}/signals.csv`, { headers: { authorization: `Bearer ${alice.token}` } }), { params: Promise.resolve({ id: traderId }) })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/)
    const text = await csv.text()
    expect(text.split('\r\n')[0]).toMatch(/^received_at,signal_id,status,http_status,reason/)
    expect(text).toContain(a.body.signalId)
    expect(text).not.toContain(secret)
  })

  it('signals are a source of the logs viewer: refused ones as warnings, with the reason, never the secret', async () => {
    const logs = await import('@/app/api/v1/logs/route')
    const ok = await post(buy({ id: 'logs-ok' }))
    await post(buy({ secret: 'whsec_wrong-wrong-wrong-wrong' }))
    const res = await call(logs.GET, 'GET', '/api/v1/logs?kind=signal', { token: alice.token })
    expect(res.status).toBe(200)
    expect(res.body.logs.map((l: { kind: string; level: string; type: string }) => [l.kind, l.level, l.type])).toEqual([
      ['signal', 'warning', 'REJECTED'],
      ['signal', 'info', 'ACCEPTED'],
    ])
    expect(res.body.logs[0].message).toBe('Signal (HTTP 401) — bad secret')
    expect(res.body.logs[1]).toMatchObject({ id: `signal:${ok.body.signalId}`, traderId, symbol: 'BTC/USDT', message: 'Signal buy entry BTC/USDT (HTTP 202)' })
    const warnings = await call(logs.GET, 'GET', `/api/v1/logs?level=warning&traderId=${traderId}&symbol=BTC/USDT`, { token: alice.token })
    expect(warnings.body.logs.filter((l: { kind: string }) => l.kind === 'signal')).toEqual([])
    expect(JSON.stringify(res.body)).not.toContain(secret)
    // Someone else's log has none of them.
    expect((await call(logs.GET, 'GET', '/api/v1/logs?kind=signal', { token: bob.token })).body.logs).toEqual([])
  })

  it('signal settings: PATCH checks each field and names unknown ones', async () => {
    const bad = await call(settingsRoute.PATCH, 'PATCH', '/', { token: alice.token, id: traderId, body: { maxLagSeconds: 0, bogus: 1 } })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['signals.bogus'])
    const bad2 = await call(settingsRoute.PATCH, 'PATCH', '/', { token: alice.token, id: traderId, body: { maxLagSeconds: 0 } })
    expect(fieldsOf(bad2.body)).toEqual(['signals.maxLagSeconds'])
    const ok = await settings({ maxLagSeconds: 120, maxPriceDeviationPct: '0.5' })
    expect(ok.body.settings).toEqual({ maxLagSeconds: 120, maxPriceDeviationPct: '0.5', duplicateWindowSeconds: 60, defaultStopPct: '2', defaultSizeQuote: null, tradingViewAddressesOnly: false })
    await settings({ maxLagSeconds: 60, maxPriceDeviationPct: '1' })
  })
})

describe('load', () => {
  it('100 signals at once (10 traders × 10 symbols): all recorded, all processed, none lost, no 5xx', async () => {
    const symbols = Array.from({ length: 10 }, (_, i) => `SG${i}/USDT`)
    for (const symbol of symbols) await seedMarket(t.db, { symbol, bid: '100', ask: '100.01', depth: '1000000000' })
    const traders: { id: string; secret: string }[] = []
    for (let i = 0; i < 10; i++) {
      const id = (await createTrader({ db: t.db, userId: alice.id, input: { name: `Load ${i}`, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: symbols } })).id
      await useManualTraderSettings(t.db, id)
      const r = await call(secretRoute.POST, 'POST', '/', { token: alice.token, id })
      traders.push({ id, secret: r.body.secret })
    }
    startLoop()
    const started = performance.now()
    const answers = await Promise.all(
      traders.flatMap((tr) =>
        symbols.map((symbol) => post({ secret: tr.secret, symbol: symbol.replace('/', ''), action: 'buy', timestamp: now(), price: '100', size: '1', id: `load-${symbol}` }, { trader: tr.id })),
      ),
    )
    const intakeMs = performance.now() - started
    expect(answers.filter((a) => a.status >= 500)).toEqual([])
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(202))
    expect(answers.every((a) => a.body.status === 'accepted')).toBe(true)
    const ids = answers.map((a) => a.body.signalId as string)
    expect(new Set(ids).size).toBe(100)
    await waitFor(async () => (await t.db.signal.count({ where: { id: { in: ids }, status: 'DONE' } })) === 100, 'all 100 signals to be done', 60_000)
    expect(await t.db.position.count({ where: { signalId: { in: ids }, status: 'MONITORING' } })).toBe(100)
    console.log(`100 concurrent webhook posts accepted in ${intakeMs.toFixed(0)} ms`)
  }, 90_000)

  it('a burst of 1,000 (3 in 10 refused, 1 in 10 a repeat): each answered 202 or its 4xx, none lost, none carried out twice, every one logged', async () => {
    const symbols = Array.from({ length: 10 }, (_, i) => `SB${i}/USDT`)
    for (const symbol of symbols) await seedMarket(t.db, { symbol, bid: '100', ask: '100.01', depth: '1000000000' })
    const traders: { id: string; secret: string }[] = []
    for (let i = 0; i < 10; i++) {
      const id = (await createTrader({ db: t.db, userId: alice.id, input: { name: `Burst ${i}`, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: symbols } })).id
      await useManualTraderSettings(t.db, id)
      const r = await call(secretRoute.POST, 'POST', '/', { token: alice.token, id })
      traders.push({ id, secret: r.body.secret })
    }
    startLoop()
    // Per trader and symbol, ten requests at once: an entry and its repeat (same id), five closes
    // (they arrive in any order: one closes the position if it comes after the entry, the others
    // find nothing to close), a wrong secret, a symbol the trader does not trade, an unknown field.
    type Kind = 'entry' | 'repeat' | 'close' | 'bad secret' | 'unknown symbol' | 'unknown field'
    const sent: { kind: Kind; pair: string; answer: Promise<Awaited<ReturnType<typeof post>>> }[] = []
    for (const tr of traders) {
      for (const symbol of symbols) {
        const ticker = symbol.replace('/', '')
        const pair = `${tr.id}|${symbol}`
        const send = (kind: Kind, body: Record<string, unknown>) => sent.push({ kind, pair, answer: post(body, { trader: tr.id }) })
        const entry = { secret: tr.secret, symbol: ticker, action: 'buy', intent: 'entry', timestamp: now(), price: '100', size: '1', id: `burst-${ticker}` }
        send('entry', entry)
        send('repeat', entry)
        for (let k = 0; k < 5; k++) send('close', { secret: tr.secret, symbol: ticker, action: 'sell', intent: 'close', timestamp: now(), id: `burst-${ticker}-close-${k}` })
        send('bad secret', { ...entry, secret: 'not-the-secret', id: `burst-${ticker}-bad` })
        send('unknown symbol', { ...entry, symbol: 'NOPEUSDT', id: `burst-${ticker}-nope` })
        send('unknown field', { ...entry, colour: 'red', id: `burst-${ticker}-colour` })
      }
    }
    expect(sent).toHaveLength(1000)
    const answers = await Promise.all(sent.map(async (s) => ({ ...s, ...(await s.answer) })))
    const of = (kind: Kind) => answers.filter((a) => a.kind === kind)

    expect(answers.filter((a) => a.status >= 500)).toEqual([])
    expect(of('entry').map((a) => a.status)).toEqual(Array(100).fill(202))
    expect(of('repeat').map((a) => a.status)).toEqual(Array(100).fill(202))
    expect(of('close').map((a) => a.status)).toEqual(Array(500).fill(202))
    expect(of('bad secret').map((a) => a.status)).toEqual(Array(100).fill(401))
    expect(of('unknown symbol').map((a) => a.status)).toEqual(Array(100).fill(422))
    expect(of('unknown field').map((a) => a.status)).toEqual(Array(100).fill(400))
    // An entry and its repeat answer with one signal: whichever came second is the duplicate.
    for (const e of of('entry')) {
      const r = of('repeat').find((x) => x.pair === e.pair)!
      expect(r.body.signalId).toBe(e.body.signalId)
      expect([e.body.status, r.body.status].sort()).toEqual(['accepted', 'duplicate'])
    }
    const entryIds = of('entry').map((a) => a.body.signalId as string)
    const accepted = [...entryIds, ...of('close').map((a) => a.body.signalId as string)]
    expect(new Set(accepted).size).toBe(600)

    const burst = { traderId: { in: traders.map((tr) => tr.id) } }
    await waitFor(async () => (await t.db.signal.count({ where: { id: { in: accepted }, status: 'DONE' } })) === 600, 'all 600 accepted signals to be done', 150_000)
    // Every request is in the signal log once: carried out, a repeat, or refused with its status.
    const logged = await t.db.signal.groupBy({ by: ['status', 'httpStatus'], where: burst, _count: true, orderBy: [{ status: 'asc' }, { httpStatus: 'asc' }] })
    expect(logged.map((g) => [g.status, g.httpStatus, g._count])).toEqual([
      ['DONE', 202, 600],
      ['REJECTED', 400, 100],
      ['REJECTED', 401, 100],
      ['REJECTED', 422, 100],
      ['DUPLICATE', 202, 100],
    ])
    // One position per trader and symbol, from its entry; the one that was closed was sold once, whole.
    const positions = await t.db.position.findMany({ where: burst, select: { traderId: true, symbol: true, signalId: true, status: true, entryQty: true, exitQty: true } })
    expect(positions).toHaveLength(100)
    expect(new Set(positions.map((p) => `${p.traderId}|${p.symbol}`)).size).toBe(100)
    expect(new Set(positions.map((p) => p.signalId))).toEqual(new Set(entryIds))
    for (const p of positions) {
      expect(p.entryQty.toString()).toBe('1')
      expect([p.status, p.exitQty.toString()]).toEqual(p.status === 'CLOSED' ? ['CLOSED', '1'] : ['MONITORING', '0'])
    }
  }, 240_000)
})
