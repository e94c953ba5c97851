import { createServer } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openSecret } from '@/lib/server/secrets/secret-box'
import { traderModes } from '@/lib/server/traders/trader-modes'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

// Exchange accounts through the routes, on a real PostgreSQL, with the real ccxt talking to a
// local server that speaks Binance's signed spot API.

let t: Awaited<ReturnType<typeof startApiDatabase>>
let fake: FakeBinanceSpot
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let accounts: typeof import('@/app/api/v1/exchange-accounts/route')
let account: typeof import('@/app/api/v1/exchange-accounts/[id]/route')
let test: typeof import('@/app/api/v1/exchange-accounts/[id]/test/route')
let traders: typeof import('@/app/api/v1/traders/route')
/** A local port nothing listens on. */
let closedUrl: string

const WRONG_KEY = 'wrong-api-key-ZZZZ-9876'
const PEM_SECRET = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPemSecretLineOneXXXXXXXXXXXXXXXXXXXXXXXX\nMoreSecretMaterialOnLineTwoYYYYYYYYYYYYYYYYYYYYYY\n-----END EC PRIVATE KEY-----\n'
const COINBASE_KEY = 'organizations/org-1/apiKeys/key-abcdef'

/** Every JSON body any route answered in this file, to look for key material in. */
const answers: string[] = []

async function req(handler: Parameters<typeof call>[0], method: string, path: string, o: Parameters<typeof call>[3] = {}) {
  const res = await call(handler, method, path, { token: alice.token, ...o })
  answers.push(JSON.stringify(res.body))
  return res
}

const binance = (over: Record<string, unknown> = {}) => ({ name: 'Binance test', exchange: 'binance', mode: 'TESTNET', apiKey: fake.apiKey, secret: fake.secret, baseUrl: fake.url, ...over })
const create = (body: unknown, token = alice.token) => req(accounts.POST, 'POST', '/api/v1/exchange-accounts', { body, token })
const get = (id: string, token = alice.token) => req(account.GET, 'GET', `/api/v1/exchange-accounts/${id}`, { id, token })
const patch = (id: string, body: unknown, token = alice.token) => req(account.PATCH, 'PATCH', `/api/v1/exchange-accounts/${id}`, { id, body, token })
const remove = (id: string, token = alice.token) => req(account.DELETE, 'DELETE', `/api/v1/exchange-accounts/${id}`, { id, token })
const runTest = (id: string, token = alice.token) => req(test.POST, 'POST', `/api/v1/exchange-accounts/${id}/test`, { id, token })
const createTrader = (body: unknown, token = alice.token) => req(traders.POST, 'POST', '/api/v1/traders', { body, token })

let n = 0
const uniqueName = (prefix: string) => `${prefix} ${++n}`

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  accounts = await import('@/app/api/v1/exchange-accounts/route')
  account = await import('@/app/api/v1/exchange-accounts/[id]/route')
  test = await import('@/app/api/v1/exchange-accounts/[id]/test/route')
  traders = await import('@/app/api/v1/traders/route')
  fake = await startFakeBinanceSpot()
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})
afterAll(async () => {
  await fake?.close()
  await t?.stop()
})
beforeEach(() => {
  fake.setPermissions({ canTrade: true, canWithdraw: false })
})

describe('POST /api/v1/exchange-accounts', () => {
  it('tests the keys against the exchange and saves a verified account with the key hint, fees and permissions', async () => {
    const before = fake.requests.length
    const res = await create(binance({ name: 'Main testnet' }))
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Main testnet',
      exchange: 'binance',
      mode: 'TESTNET',
      quoteCurrency: 'USDT',
      keyHint: `••••${fake.apiKey.slice(-4)}`,
      baseUrl: fake.url,
      verified: true,
      verifiedAt: expect.any(String),
      verifyError: null,
      canTrade: true,
      canWithdraw: false,
      orderUpdates: null, // no worker streams it yet
      traders: [],
      createdAt: expect.any(String),
    })
    // The test was a signed call with the given key.
    const calls = fake.requests.slice(before)
    expect(calls.map((r) => `${r.method} ${r.path} ${r.apiKey}`)).toEqual([`GET /api/v3/account ${fake.apiKey}`])
    const row = await t.db.exchangeAccount.findUniqueOrThrow({ where: { id: res.body.id } })
    expect({ kind: row.kind, venue: row.venue, maker: row.makerFeeRate.toString(), taker: row.takerFeeRate.toString() }).toEqual({ kind: 'CCXT', venue: 'binance', maker: '0.001', taker: '0.001' })
  })

  it('saves keys the exchange refuses as not verified, with the exchange\'s message (and never the key)', async () => {
    const res = await create(binance({ name: uniqueName('Wrong key'), apiKey: WRONG_KEY }))
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ verified: false, verifiedAt: null, canTrade: null, canWithdraw: null })
    expect(res.body.verifyError).toMatch(/Invalid API-key, IP, or permissions for action\./)
    expect(res.body.verifyError).not.toContain(WRONG_KEY)
  })

  it('saves an account whose exchange cannot be reached as not verified, with the reason', async () => {
    const res = await create(binance({ name: uniqueName('Unreachable'), baseUrl: closedUrl }))
    expect(res.status).toBe(201)
    expect(res.body.verified).toBe(false)
    expect(res.body.verifyError).toMatch(/ECONNREFUSED|fetch failed|connect/i)
  })

  it('refuses a key that works but cannot trade, and saves nothing', async () => {
    fake.setPermissions({ canTrade: false })
    const name = uniqueName('No trade')
    const res = await create(binance({ name }))
    expect(res.status).toBe(400)
    expect(res.body.error.fields).toEqual([{ field: 'apiKey', message: 'this key cannot trade (enable spot trading for it)' }])
    expect(await t.db.exchangeAccount.count({ where: { name } })).toBe(0)
  })

  it('refuses LIVE without confirmLive, saying it trades real money; accepts it confirmed', async () => {
    const name = uniqueName('Live')
    for (const confirmLive of [undefined, false]) {
      const res = await create(binance({ name, mode: 'LIVE', confirmLive }))
      expect(res.status).toBe(400)
      expect(fieldsOf(res.body)).toEqual(['confirmLive'])
      expect(res.body.error.message).toMatch(/LIVE trades real money/)
    }
    expect(await t.db.exchangeAccount.count({ where: { name } })).toBe(0)
    const ok = await create(binance({ name, mode: 'LIVE', confirmLive: true }))
    expect(ok.status).toBe(201)
    expect(ok.body).toMatchObject({ mode: 'LIVE', verified: true })
  })

  it('refuses Coinbase TESTNET naming mode; Coinbase LIVE takes USD, its fees and a PEM secret with line breaks', async () => {
    const testnet = await create({ name: uniqueName('CB'), exchange: 'coinbase', mode: 'TESTNET', apiKey: COINBASE_KEY, secret: PEM_SECRET })
    expect(testnet.status).toBe(400)
    expect(testnet.body.error.fields).toEqual([{ field: 'mode', message: 'Coinbase has no test environment; use LIVE (with baseUrl for a local test server)' }])

    // Nothing listens at the base URL, so the key test fails whatever the Coinbase adapter does.
    const live = await create({ name: uniqueName('CB'), exchange: 'coinbase', mode: 'LIVE', confirmLive: true, apiKey: COINBASE_KEY, secret: PEM_SECRET, baseUrl: closedUrl })
    expect(live.status).toBe(201)
    expect(live.body).toMatchObject({ exchange: 'coinbase', mode: 'LIVE', quoteCurrency: 'USD', verified: false })
    expect(live.body.verifyError).toEqual(expect.any(String))
    const row = await t.db.exchangeAccount.findUniqueOrThrow({ where: { id: live.body.id } })
    expect({ maker: row.makerFeeRate.toString(), taker: row.takerFeeRate.toString() }).toEqual({ maker: '0.004', taker: '0.006' })
    expect(openSecret(row.secretEnc!)).toBe(PEM_SECRET.trim())
  })

  it.each([
    ['an ftp base URL', { baseUrl: 'ftp://example.com' }, 'baseUrl'],
    ['a base URL with a query', { baseUrl: 'https://example.com/?key=1' }, 'baseUrl'],
    ['a base URL with a fragment', { baseUrl: 'https://example.com/#x' }, 'baseUrl'],
    ['a base URL with a password', { baseUrl: 'https://u:p@example.com' }, 'baseUrl'],
    ['an overlong base URL', { baseUrl: `https://example.com/${'a'.repeat(400)}` }, 'baseUrl'],
    ['a line break in the API key', { apiKey: 'abc\ndef' }, 'apiKey'],
    ['a control character in the secret', { secret: 'abc\u0007def' }, 'secret'],
    ['an overlong secret', { secret: 'x'.repeat(5000) }, 'secret'],
    ['an unknown exchange', { exchange: 'kraken' }, 'exchange'],
    ['mode PAPER', { mode: 'PAPER' }, 'mode'],
    ['a missing secret', { secret: undefined }, 'secret'],
  ])('answers 400 naming the field for %s, without contacting the exchange', async (_label, over, field) => {
    const before = fake.requests.length
    const res = await create(binance({ name: uniqueName('Bad'), ...over }))
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual([field])
    expect(fake.requests.length).toBe(before)
  })

  it('answers 409 for a name already used by another of your exchange accounts, before testing the keys', async () => {
    const name = uniqueName('Dup')
    expect((await create(binance({ name }))).status).toBe(201)
    const before = fake.requests.length
    const dup = await create(binance({ name }))
    expect(dup.status).toBe(409)
    expect(fake.requests.length).toBe(before)
    // Another user may use the same name.
    expect((await create(binance({ name }), bob.token)).status).toBe(201)
  })
})

describe('keys at rest and in answers', () => {
  it('stores the keys sealed: the columns hold neither the key nor the secret, and open to them', async () => {
    const res = await create(binance({ name: uniqueName('Sealed') }))
    const [row] = await t.db.$queryRaw<{ apiKeyEnc: string; secretEnc: string; keyHint: string }[]>`
      SELECT "apiKeyEnc", "secretEnc", "keyHint" FROM "ExchangeAccount" WHERE id = ${res.body.id}`
    const everything = JSON.stringify(row)
    expect(everything).not.toContain(fake.apiKey)
    expect(everything).not.toContain(fake.secret)
    expect(row.apiKeyEnc).toMatch(/^v1\./)
    expect(openSecret(row.apiKeyEnc)).toBe(fake.apiKey)
    expect(openSecret(row.secretEnc)).toBe(fake.secret)
    expect(row.keyHint).toBe(`••••${fake.apiKey.slice(-4)}`)
  })

  it('never returns a key or secret from create, list, get, patch or test', async () => {
    const created = await create(binance({ name: uniqueName('Quiet') }))
    const id = created.body.id
    await req(accounts.GET, 'GET', '/api/v1/exchange-accounts')
    await get(id)
    await patch(id, { name: uniqueName('Quiet renamed') })
    await patch(id, { apiKey: fake.apiKey, secret: fake.secret })
    await runTest(id)
    await create(binance({ name: uniqueName('Quiet wrong'), apiKey: WRONG_KEY }))
    await create({ name: uniqueName('Quiet CB'), exchange: 'coinbase', mode: 'LIVE', confirmLive: true, apiKey: COINBASE_KEY, secret: PEM_SECRET, baseUrl: closedUrl })
    const secrets = [fake.apiKey, fake.secret, WRONG_KEY, COINBASE_KEY, ...PEM_SECRET.split('\n').filter((l) => l.length > 20)]
    expect(answers.length).toBeGreaterThan(10)
    for (const body of answers) for (const s of secrets) expect(body).not.toContain(s)
  })
})

describe('GET, PATCH, DELETE and test', () => {
  it('lists only your exchange accounts (never paper accounts); someone else\'s is 404 everywhere', async () => {
    const mine = await create(binance({ name: uniqueName('Mine') }))
    await createTrader({ name: uniqueName('Paper trader'), quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT' })
    const list = await req(accounts.GET, 'GET', '/api/v1/exchange-accounts')
    expect(list.status).toBe(200)
    const rows = list.body.accounts as { id: string; name: string }[]
    expect(rows.map((a) => a.id)).toContain(mine.body.id)
    expect(rows.some((a) => a.name.endsWith('(paper)'))).toBe(false)
    const bobs = await req(accounts.GET, 'GET', '/api/v1/exchange-accounts', { token: bob.token })
    expect(bobs.body.accounts.map((a: { id: string }) => a.id)).not.toContain(mine.body.id)

    const before = await t.db.exchangeAccount.findUniqueOrThrow({ where: { id: mine.body.id } })
    expect((await get(mine.body.id, bob.token)).status).toBe(404)
    expect((await patch(mine.body.id, { name: 'Bob was here' }, bob.token)).status).toBe(404)
    expect((await runTest(mine.body.id, bob.token)).status).toBe(404)
    expect((await remove(mine.body.id, bob.token)).status).toBe(404)
    expect(await t.db.exchangeAccount.findUniqueOrThrow({ where: { id: mine.body.id } })).toEqual(before)
    // A paper account is not an exchange account, even your own.
    const paper = await t.db.exchangeAccount.findFirstOrThrow({ where: { userId: alice.id, kind: 'PAPER' } })
    expect((await get(paper.id)).status).toBe(404)
    expect((await remove(paper.id)).status).toBe(404)
  })

  it('PATCH replaces both keys and tests them again; a key that cannot trade is refused and changes nothing', async () => {
    const created = await create(binance({ name: uniqueName('Rekey'), apiKey: WRONG_KEY }))
    expect(created.body.verified).toBe(false)
    const id = created.body.id

    const onlyKey = await patch(id, { apiKey: fake.apiKey })
    expect(onlyKey.status).toBe(400)
    expect(fieldsOf(onlyKey.body)).toEqual(['secret'])

    const before = fake.requests.length
    const fixed = await patch(id, { apiKey: fake.apiKey, secret: fake.secret })
    expect(fixed.status).toBe(200)
    expect(fixed.body).toMatchObject({ verified: true, verifyError: null, canTrade: true, keyHint: `••••${fake.apiKey.slice(-4)}` })
    expect(fake.requests.slice(before).map((r) => r.apiKey)).toEqual([fake.apiKey])
    const row = await t.db.exchangeAccount.findUniqueOrThrow({ where: { id } })
    expect(openSecret(row.apiKeyEnc!)).toBe(fake.apiKey)

    fake.setPermissions({ canTrade: false })
    const refused = await patch(id, { apiKey: fake.apiKey, secret: fake.secret })
    expect(refused.status).toBe(400)
    expect(refused.body.error.fields).toEqual([{ field: 'apiKey', message: 'this key cannot trade (enable spot trading for it)' }])
    expect(await t.db.exchangeAccount.findUniqueOrThrow({ where: { id } })).toEqual(row)
  })

  it('PATCH renames without contacting the exchange; a taken name is 409; a new base URL is tested again', async () => {
    const a = await create(binance({ name: uniqueName('Rename A') }))
    const b = await create(binance({ name: uniqueName('Rename B') }))
    const before = fake.requests.length
    const renamed = await patch(a.body.id, { name: uniqueName('Renamed') })
    expect(renamed.status).toBe(200)
    expect(fake.requests.length).toBe(before)
    expect((await patch(a.body.id, { name: b.body.name })).status).toBe(409)

    const moved = await patch(a.body.id, { baseUrl: closedUrl })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ baseUrl: closedUrl, verified: false, verifiedAt: null })
    expect(moved.body.verifyError).toEqual(expect.any(String))
    const back = await patch(a.body.id, { baseUrl: `${fake.url}/` })
    expect(back.body).toMatchObject({ baseUrl: fake.url, verified: true, verifyError: null })
  })

  it('PATCH mode: LIVE needs confirmLive, Coinbase cannot go TESTNET, and no change while a position is open', async () => {
    const a = await create(binance({ name: uniqueName('Moder') }))
    const id = a.body.id
    const unconfirmed = await patch(id, { mode: 'LIVE' })
    expect(unconfirmed.status).toBe(400)
    expect(fieldsOf(unconfirmed.body)).toEqual(['confirmLive'])
    const live = await patch(id, { mode: 'LIVE', confirmLive: true })
    expect(live.status).toBe(200)
    expect(live.body).toMatchObject({ mode: 'LIVE', verified: true })

    const cb = await create({ name: uniqueName('CB'), exchange: 'coinbase', mode: 'LIVE', confirmLive: true, apiKey: COINBASE_KEY, secret: PEM_SECRET, baseUrl: closedUrl })
    const cbTestnet = await patch(cb.body.id, { mode: 'TESTNET' })
    expect(cbTestnet.status).toBe(400)
    expect(fieldsOf(cbTestnet.body)).toEqual(['mode'])

    const trader = await createTrader({ name: uniqueName('Holder'), accountId: id, watchlist: 'BTC/USDT' })
    expect(trader.status).toBe(201)
    await t.db.position.create({
      data: { traderId: trader.body.id, accountId: id, symbol: 'BTC/USDT', side: 'LONG', status: 'MONITORING', entryType: 'MARKET', requestedQty: '0.01', openQty: '0.01', entryQty: '0.01', avgEntryPrice: '60000' },
    })
    const busy = await patch(id, { mode: 'TESTNET' })
    expect(busy.status).toBe(409)
    expect(busy.body.error.message).toMatch(/1 position is open/)
    expect((await get(id)).body.mode).toBe('LIVE')
  })

  it('test: records the outcome, shows balances and permissions, warns about a key that can withdraw', async () => {
    const a = await create(binance({ name: uniqueName('Tested') }))
    fake.setPermissions({ canWithdraw: true })
    const withdraw = await runTest(a.body.id)
    expect(withdraw.status).toBe(200)
    expect(withdraw.body).toMatchObject({ ok: true, error: null, canTrade: true, canWithdraw: true, warning: 'this key can withdraw funds; a trading key should not' })
    expect(withdraw.body.balances).toEqual(expect.arrayContaining([{ asset: 'USDT', amount: expect.any(String) }, { asset: 'BTC', amount: expect.any(String) }]))
    expect(withdraw.body.account).toMatchObject({ id: a.body.id, verified: true, canWithdraw: true })

    fake.setPermissions({ canTrade: false, canWithdraw: false })
    const noTrade = await runTest(a.body.id)
    expect(noTrade.body).toMatchObject({ ok: false, error: 'this key cannot trade (enable spot trading for it)', canTrade: false, warning: null })
    expect(noTrade.body.account).toMatchObject({ verified: false, verifiedAt: null, verifyError: 'this key cannot trade (enable spot trading for it)', canTrade: false })
    expect((await get(a.body.id)).body.verified).toBe(false)

    fake.setPermissions({ canTrade: true })
    const again = await runTest(a.body.id)
    expect(again.body).toMatchObject({ ok: true, account: { verified: true } })
  })

  it('DELETE is refused naming the traders while a trader uses the account; an unused one is deleted', async () => {
    const used = await create(binance({ name: uniqueName('Used') }))
    const traderName = uniqueName('On the account')
    expect((await createTrader({ name: traderName, accountId: used.body.id, watchlist: 'BTC/USDT' })).status).toBe(201)
    const refused = await remove(used.body.id)
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toContain(`"${traderName}"`)
    expect((await get(used.body.id)).body.traders).toEqual([{ id: expect.any(String), name: traderName }])

    const unused = await create(binance({ name: uniqueName('Unused') }))
    expect((await remove(unused.body.id)).status).toBe(204)
    expect((await get(unused.body.id)).status).toBe(404)
  })
})

describe('traders on an exchange account', () => {
  it('creates a trader on your account, in its quote currency and mode; refuses someone else\'s account', async () => {
    const acc = await create(binance({ name: uniqueName('For traders') }))
    const res = await createTrader({ name: uniqueName('Live-ish'), accountId: acc.body.id, watchlist: 'btc/usdt, ETH/USDT' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ quoteCurrency: 'USDT', exchange: 'CCXT', mode: 'TESTNET', watchlist: ['BTC/USDT', 'ETH/USDT'] })
    const row = await t.db.trader.findUniqueOrThrow({ where: { id: res.body.id } })
    expect(row.accountId).toBe(acc.body.id)

    const bobs = await createTrader({ name: 'Bob on Alice', accountId: acc.body.id, watchlist: 'BTC/USDT' }, bob.token)
    expect(bobs.status).toBe(404)
    expect(await t.db.trader.count({ where: { userId: bob.id } })).toBe(0)

    // The pages badge positions with their trader's mode.
    const paperTrader = await createTrader({ name: uniqueName('Paper'), quoteCurrency: 'USDT', startingBalance: '100', watchlist: 'BTC/USDT' })
    const modes = await traderModes(t.db, alice.id)
    expect([modes[res.body.id], modes[paperTrader.body.id]]).toEqual(['TESTNET', 'PAPER'])
    expect(await traderModes(t.db, bob.id)).toEqual({})
  })

  it.each([
    ['both startingBalance and accountId', { startingBalance: '100', quoteCurrency: 'USDT' }, ['accountId']],
    ['neither', { accountId: undefined }, ['startingBalance']],
    ['a quote currency other than the account\'s', { quoteCurrency: 'EUR', watchlist: 'BTC/EUR' }, ['quoteCurrency']],
    ['a watchlist symbol not in the account\'s currency', { watchlist: 'BTC/USDT, ETH/BTC' }, ['watchlist.1']],
  ])('answers 400 naming the field for %s', async (_label, over, fields) => {
    const acc = await create(binance({ name: uniqueName('Quote') }))
    const res = await createTrader({ name: uniqueName('Refused'), accountId: acc.body.id, watchlist: 'BTC/USDT', ...over })
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(fields)
  })

  it('a paper trader still needs its quote currency; a paper account id is not an exchange account', async () => {
    const noQuote = await createTrader({ name: uniqueName('Paper'), startingBalance: '100', watchlist: 'BTC/USDT' })
    expect(noQuote.status).toBe(400)
    expect(fieldsOf(noQuote.body)).toEqual(['quoteCurrency'])
    const paper = await t.db.exchangeAccount.findFirstOrThrow({ where: { userId: alice.id, kind: 'PAPER' } })
    expect((await createTrader({ name: uniqueName('On paper'), accountId: paper.id, watchlist: 'BTC/USDT' })).status).toBe(404)
  })
})
