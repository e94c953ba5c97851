import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listLogs, type LogEntry } from '@/lib/server/logs/list-logs'
import { decodeLogCursor, encodeLogCursor, type LogFilter } from '@/lib/server/logs/log-filter'
import { issueApiToken } from '@/lib/server/auth/api-tokens'
import { createTrader } from '@/lib/server/traders/create-trader'
import { call, fieldsOf, startApiDatabase } from '../api/api-harness'
import { at, seedUserLogs, T0, type SeededUser } from './seed-logs'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let A: SeededUser
let B: SeededUser
let tokenA = ''

beforeAll(async () => {
  t = await startApiDatabase()
  // The same word in both users' messages: a search that leaked across users would find B's lines.
  A = await seedUserLogs(t.db, { email: 'a@example.com', word: 'shared' })
  B = await seedUserLogs(t.db, { email: 'b@example.com', word: 'shared' })
  tokenA = (await issueApiToken(t.db, A.userId, 'a')).token
  // A third user's 5,000 audit lines, newer than all of A's and B's: a symbol filter's first look
  // at the newest lines finds none of A's, and reads A's positions instead.
  const c = await t.db.user.create({ data: { email: 'c@example.com', passwordHash: 'x' } })
  const ct = await createTrader({ db: t.db, userId: c.id, input: { name: 'Gamma', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' } })
  const cp = await t.db.position.create({ data: { traderId: ct.id, accountId: ct.accountId, symbol: 'BTC/USDT', side: 'LONG', status: 'OPEN', entryType: 'MARKET', requestedQty: '1' } })
  await t.db.positionEvent.createMany({ data: Array.from({ length: 5000 }, (_, i) => ({ positionId: cp.id, type: 'NOTE', actor: 'USER' as const, message: `c ${i}`, createdAt: at(1000 + i) })) })
}, 60_000)
afterAll(() => t?.stop())

/** Every line for the filter, reading pages of `limit` through nextCursor. */
async function readAll(userId: string, filter: LogFilter, limit: number): Promise<LogEntry[]> {
  const out: LogEntry[] = []
  let cursor: string | null = null
  for (let i = 0; i < 200; i++) {
    const page: { logs: LogEntry[]; nextCursor: string | null } = await listLogs({ db: t.db, userId, filter, limit, cursor: cursor ? decodeLogCursor(cursor)! : undefined })
    expect(page.logs.length).toBeLessThanOrEqual(limit)
    out.push(...page.logs)
    if (!page.nextCursor) return out
    cursor = page.nextCursor
  }
  throw new Error('paging did not end')
}

const ids = (rows: LogEntry[]) => rows.map((r) => r.id)

describe('the log of one user', () => {
  it('has every line of the user once (position events as audit lines, not again as activity), newest first', async () => {
    const all = await readAll(A.userId, {}, 200)
    expect(ids(all).sort()).toEqual([...A.expected].sort())
    expect(new Set(ids(all)).size).toBe(all.length)
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.at >= all[i]!.at, `${all[i - 1]!.at} before ${all[i]!.at}`).toBe(true)
    expect(all.filter((l) => l.at === T0.toISOString())).toHaveLength(11)
    // What each kind carries.
    const failed = all.find((l) => l.kind === 'audit' && l.type === 'STATUS_CHANGED')!
    expect(failed).toMatchObject({ level: 'error', traderName: 'Beta', symbol: 'ETH/USDT', positionId: A.positions.eth, detail: 'USER · SUBMITTING → FAILED' })
    const tripped = all.find((l) => l.kind === 'risk' && l.type === 'consecutiveLosses')!
    expect(tripped).toMatchObject({ level: 'error', traderId: A.traders.b, symbol: null, detail: 'current 3, allowed 2 (breaker, tripped)' })
    const refusal = all.find((l) => l.kind === 'risk' && l.type === 'maxOpenPositions')!
    expect(refusal).toMatchObject({ level: 'warning', symbol: 'BTC/USDT' })
    const approval = all.find((l) => l.kind === 'activity' && l.type === 'APPROVAL_NEEDED')!
    expect(approval).toMatchObject({ symbol: 'BTC/USDT', positionId: null })
    const failedDelivery = all.find((l) => l.kind === 'delivery' && l.type === 'FAILED')!
    expect(failedDelivery).toMatchObject({ level: 'error', message: 'Hook: PANIC pressed shared 100% done', detail: '3 attempts · HTTP 500 from the receiver', traderId: null })
  })

  it.each([1, 2, 3, 5, 7])('pages of %i read the same lines in the same order as one page, across lines with the same timestamp', async (limit) => {
    const whole = ids(await readAll(A.userId, {}, 200))
    expect(ids(await readAll(A.userId, {}, limit))).toEqual(whole)
  })

  it('pages a filtered log across ties too', async () => {
    const filter: LogFilter = { traderId: A.traders.a }
    expect(ids(await readAll(A.userId, filter, 2))).toEqual(ids(await readAll(A.userId, filter, 200)))
  })

  // A symbol's audit lines are read first and, when they fill a page, bound how far back the other
  // kinds read: small pages end inside the burst at T0, where risk lines tie with audit lines.
  it.each([1, 2, 3, 4])('pages a symbol-filtered log by %i the same as in one page', async (limit) => {
    const filter: LogFilter = { symbol: 'BTC/USDT' }
    const whole = await readAll(A.userId, filter, 200)
    expect(whole.map((l) => l.kind).sort()).toEqual(['activity', 'activity', 'audit', 'audit', 'audit', 'audit', 'audit', 'delivery', 'delivery', 'delivery', 'risk', 'risk', 'risk'])
    expect(ids(await readAll(A.userId, filter, limit))).toEqual(ids(whole))
  })

  const kinds = (rows: LogEntry[]) => [...new Set(rows.map((r) => r.kind))].sort()
  it.each([
    ['kind=audit', { kind: 'audit' }, 6, (l: LogEntry) => l.kind === 'audit'],
    ['kind=activity', { kind: 'activity' }, 7, (l: LogEntry) => l.kind === 'activity'],
    ['kind=risk', { kind: 'risk' }, 4, (l: LogEntry) => l.kind === 'risk'],
    ['kind=delivery', { kind: 'delivery' }, 6, (l: LogEntry) => l.kind === 'delivery'],
    ['level=warning (and errors)', { level: 'warning' }, 9, (l: LogEntry) => l.level !== 'info'],
    ['level=error', { level: 'error' }, 5, (l: LogEntry) => l.level === 'error'],
    ['level=info (everything)', { level: 'info' }, 23, () => true],
    ['type=TIE', { type: 'TIE' }, 7, (l: LogEntry) => l.type === 'TIE'],
    // The approval (a symbol without a position) and its delivery count too.
    ['symbol=BTC/USDT', { symbol: 'BTC/USDT' }, 13, (l: LogEntry) => l.symbol === 'BTC/USDT'],
    // The feed's own lines of the symbol (the approval, the protection failure), none of the mirrors.
    ['kind=activity and a symbol', { kind: 'activity', symbol: 'BTC/USDT' }, 2, (l: LogEntry) => l.kind === 'activity' && l.symbol === 'BTC/USDT'],
    // The approval's, the protection failure's and the stop move's (a mirror's) deliveries.
    ['kind=delivery and a symbol', { kind: 'delivery', symbol: 'BTC/USDT' }, 3, (l: LogEntry) => l.kind === 'delivery' && l.symbol === 'BTC/USDT'],
    ['symbol=ETH/USDT', { symbol: 'ETH/USDT' }, 1, (l: LogEntry) => l.symbol === 'ETH/USDT'],
    ['from -100 s to T0', { from: at(-100), to: T0 }, 3, (l: LogEntry) => l.at >= at(-100).toISOString() && l.at < T0.toISOString()],
    ['from T0 to T0 + 1 s', { from: T0, to: at(1) }, 11, (l: LogEntry) => l.at === T0.toISOString()],
    ['kind and level together', { kind: 'activity', level: 'error' }, 2, (l: LogEntry) => l.kind === 'activity' && l.level === 'error'],
  ] as [string, LogFilter, number, (l: LogEntry) => boolean][])('filters by %s', async (_label, filter, count, holds) => {
    const rows = await readAll(A.userId, filter, 4)
    expect(rows).toHaveLength(count)
    expect(rows.every(holds)).toBe(true)
    expect(rows.every((r) => A.expected.includes(r.id))).toBe(true)
  })

  it('filters by trader and symbol together', async () => {
    const alphaBtc = await readAll(A.userId, { traderId: A.traders.a, symbol: 'BTC/USDT' }, 3)
    expect(ids(alphaBtc)).toEqual(ids(await readAll(A.userId, { symbol: 'BTC/USDT' }, 200)))
    expect(await readAll(A.userId, { traderId: A.traders.b, symbol: 'BTC/USDT' }, 3)).toEqual([])
    expect((await readAll(A.userId, { traderId: A.traders.b, symbol: 'ETH/USDT' }, 3)).map((l) => `${l.kind}:${l.type}`)).toEqual(['audit:STATUS_CHANGED'])
  })

  it('filters by trader, on every kind that can name one', async () => {
    const alpha = await readAll(A.userId, { traderId: A.traders.a }, 3)
    expect(alpha).toHaveLength(19)
    expect(alpha.every((l) => l.traderId === A.traders.a && l.traderName === 'Alpha')).toBe(true)
    expect(kinds(alpha)).toEqual(['activity', 'audit', 'delivery', 'risk'])
    const beta = await readAll(A.userId, { traderId: A.traders.b }, 3)
    expect(beta.map((l) => `${l.kind}:${l.type}`).sort()).toEqual(['audit:STATUS_CHANGED', 'risk:consecutiveLosses'])
  })

  it.each([
    ['one word, any case', 'STOP', ['Stop moved to 59000 shared', 'Hook: Stop moved to 59000 shared', 'Stop refused shared', 'Hook: Stop refused shared']],
    ['every word must appear, in any order', 'moved stop', ['Stop moved to 59000 shared', 'Hook: Stop moved to 59000 shared']],
    ['% is a literal percent sign', '100%', ['PANIC pressed shared 100% done', 'Hook: PANIC pressed shared 100% done']],
    ['_ is a literal underscore', 'tie_', []],
    ['a word nobody wrote', 'nothing-like-this', []],
  ])('searches the message: %s', async (_label, q, messages) => {
    const rows = await readAll(A.userId, { q }, 2)
    expect(rows.map((r) => r.message).sort()).toEqual([...messages].sort())
  })

  it('never shows another user\'s lines, even for their trader or a search both match', async () => {
    const bAll = await readAll(B.userId, {}, 200)
    expect(ids(bAll).sort()).toEqual([...B.expected].sort())
    expect(ids(bAll).some((id) => A.expected.includes(id))).toBe(false)
    expect(await readAll(B.userId, { traderId: A.traders.a }, 50)).toEqual([])
    expect(await readAll(B.userId, { q: 'shared' }, 50)).toHaveLength(B.expected.length)
    expect((await readAll(B.userId, { q: 'shared' }, 50)).every((l) => B.expected.includes(l.id))).toBe(true)
  })
})

describe('GET /api/v1/logs', () => {
  it('pages through the route with nextCursor', async () => {
    const { GET } = await import('@/app/api/v1/logs/route')
    const seen: string[] = []
    let next: string | null = null
    do {
      const res = await call(GET, 'GET', `/api/v1/logs?limit=4&level=warning${next ? `&cursor=${next}` : ''}`, { token: tokenA })
      expect(res.status).toBe(200)
      seen.push(...res.body.logs.map((l: LogEntry) => l.id))
      next = res.body.nextCursor
    } while (next)
    expect(seen).toEqual(ids(await readAll(A.userId, { level: 'warning' }, 200)))
  })

  it.each([
    ['a cursor that is not base64url', 'cursor=not*a*cursor', 'cursor'],
    ['a cursor of an unknown kind', `cursor=${Buffer.from('1740830400000:nope:abc').toString('base64url')}`, 'cursor'],
    ['a feed cursor whose id is not a number', `cursor=${Buffer.from('1740830400000:activity:abc').toString('base64url')}`, 'cursor'],
    ['a cursor with a bad time', `cursor=${Buffer.from('x:audit:abc').toString('base64url')}`, 'cursor'],
    ['limit 0', 'limit=0', 'limit'],
    ['limit 201', 'limit=201', 'limit'],
    ['an unknown kind', 'kind=everything', 'kind'],
    ['an unknown level', 'level=debug', 'level'],
    ['a time without a zone', 'from=2025-03-01T12:00', 'from'],
    ['an impossible date', 'to=2025-13-45', 'to'],
    ['to before from', 'from=2025-03-02&to=2025-03-01', 'to'],
    ['a symbol that is not one', 'symbol=BTCUSDT', 'symbol'],
    ['an overlong search', `q=${'x'.repeat(201)}`, 'q'],
  ])('refuses %s with a 400 naming the field', async (_label, query, field) => {
    const { GET } = await import('@/app/api/v1/logs/route')
    const res = await call(GET, 'GET', `/api/v1/logs?${query}`, { token: tokenA })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toEqual([field])
  })

  it('accepts a cursor it handed out, and the same cursor reads the same next page', async () => {
    const first = await listLogs({ db: t.db, userId: A.userId, limit: 6 })
    const cursor = decodeLogCursor(first.nextCursor!)!
    expect(encodeLogCursor(cursor)).toBe(first.nextCursor)
    const a = await listLogs({ db: t.db, userId: A.userId, limit: 6, cursor })
    const b = await listLogs({ db: t.db, userId: A.userId, limit: 6, cursor })
    expect(ids(a.logs)).toEqual(ids(b.logs))
    expect(ids(a.logs).some((id) => ids(first.logs).includes(id))).toBe(false)
  })

  it('answers 401 without credentials', async () => {
    const { GET } = await import('@/app/api/v1/logs/route')
    expect((await call(GET, 'GET', '/api/v1/logs', { token: null })).status).toBe(401)
  })
})
