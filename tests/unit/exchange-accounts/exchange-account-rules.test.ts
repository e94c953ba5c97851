import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { connectionErrorText } from '@/lib/server/exchange-accounts/connection-error-text'
import { ZCreateExchangeAccountRequest, ZUpdateExchangeAccountRequest } from '@/lib/server/exchange-accounts/exchange-account-input'
import { verificationFrom } from '@/lib/server/exchange-accounts/verification-state'

const base = { name: 'Main', exchange: 'binance', mode: 'TESTNET', apiKey: 'key-1234567890', secret: 'secret-abcdefghij' }
const fieldsOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.success ? [] : r.error!.issues.map((i) => i.path.join('.')))

describe('create input', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['a TESTNET Binance account', {}, []],
    ['LIVE confirmed', { mode: 'LIVE', confirmLive: true }, []],
    ['LIVE confirmed from a form checkbox', { mode: 'LIVE', confirmLive: 'on' }, []],
    ['LIVE unconfirmed', { mode: 'LIVE' }, ['confirmLive']],
    ['LIVE with confirmLive false', { mode: 'LIVE', confirmLive: false }, ['confirmLive']],
    ['Coinbase TESTNET', { exchange: 'coinbase' }, ['mode']],
    ['Coinbase LIVE confirmed', { exchange: 'coinbase', mode: 'LIVE', confirmLive: true }, []],
    ['a PEM secret with line breaks', { secret: '-----BEGIN EC PRIVATE KEY-----\nabc\r\ndef\n-----END EC PRIVATE KEY-----' }, []],
    ['a bell character in the secret', { secret: 'abc\u0007' }, ['secret']],
    ['a line break in the key', { apiKey: 'a\nb' }, ['apiKey']],
    ['an empty key', { apiKey: '   ' }, ['apiKey']],
    ['a 513-character key', { apiKey: 'k'.repeat(513) }, ['apiKey']],
    ['an http base URL with a port and path', { baseUrl: 'http://127.0.0.1:8080/gateway' }, []],
    ['an empty base URL (the form leaves it blank)', { baseUrl: '' }, []],
    ['a javascript: base URL', { baseUrl: 'javascript:alert(1)' }, ['baseUrl']],
    ['a base URL with an empty query', { baseUrl: 'https://example.com/?' }, ['baseUrl']],
    ['a base URL with a fragment', { baseUrl: 'https://example.com#top' }, ['baseUrl']],
    ['a base URL with credentials', { baseUrl: 'https://user@example.com' }, ['baseUrl']],
    ['not a URL', { baseUrl: 'example.com' }, ['baseUrl']],
    ['a quote currency with symbols', { quoteCurrency: 'US$' }, ['quoteCurrency']],
  ])('%s', (_label, over, fields) => {
    expect(fieldsOf(ZCreateExchangeAccountRequest.safeParse({ ...base, ...over }))).toEqual(fields)
  })

  test('normalises what it keeps: base URL without the trailing slash, quote currency upper-cased, blank base URL as none', () => {
    const v = ZCreateExchangeAccountRequest.parse({ ...base, baseUrl: ' HTTPS://Example.com:8443/api/ ', quoteCurrency: 'usdc' })
    expect(v.baseUrl).toBe('https://example.com:8443/api')
    expect(v.quoteCurrency).toBe('USDC')
    expect(ZCreateExchangeAccountRequest.parse({ ...base, baseUrl: '' }).baseUrl).toBeNull()
  })
})

describe('update input', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['nothing', {}, []],
    ['a new name', { name: 'Other' }, []],
    ['both keys', { apiKey: 'k-123456789', secret: 's-123456789' }, []],
    ['only the key', { apiKey: 'k-123456789' }, ['secret']],
    ['only the secret', { secret: 's-123456789' }, ['apiKey']],
    ['LIVE unconfirmed', { mode: 'LIVE' }, ['confirmLive']],
    ['TESTNET (no confirmation needed)', { mode: 'TESTNET' }, []],
    ['base URL null (clears it)', { baseUrl: null }, []],
    ['a base URL with a query', { baseUrl: 'https://example.com/?a=1' }, ['baseUrl']],
  ])('%s', (_label, input, fields) => {
    expect(fieldsOf(ZUpdateExchangeAccountRequest.safeParse(input))).toEqual(fields)
  })

  test('an empty base URL clears it like null', () => {
    expect(ZUpdateExchangeAccountRequest.parse({ baseUrl: '' }).baseUrl).toBeNull()
    expect(ZUpdateExchangeAccountRequest.parse({}).baseUrl).toBeUndefined()
  })
})

describe('connectionErrorText', () => {
  const key = 'AbCdEfGh12345678'
  const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIsecretline1aaaaaaaa\nsecretline2bbbbbbbbbbbb\n-----END EC PRIVATE KEY-----'
  test.each<[string, unknown, string]>([
    ['keeps the exchange\'s message', new Error('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'), 'binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'],
    ['masks the key', new Error(`key ${key} refused`), 'key •••• refused'],
    ['masks a PEM secret line by line', new Error('bad key MHcCAQEEIsecretline1aaaaaaaa in request'), 'bad key •••• in request'],
    ['masks a whole PEM secret', new Error(`parse error: ${pem}`), 'parse error: ••••'],
    ['drops query strings of URLs (signed parameters)', new Error('GET https://api.binance.com/api/v3/account?timestamp=1&signature=abc fetch failed'), 'GET https://api.binance.com/api/v3/account fetch failed'],
    ['collapses whitespace', new Error('a\n\n  b'), 'a b'],
    ['says something when there is nothing', new Error(''), 'the exchange gave no reason'],
    ['reads a thrown string', 'plain failure', 'plain failure'],
  ])('%s', (_label, error, text) => {
    expect(connectionErrorText(error, [key, pem])).toBe(text)
  })

  test('is bounded in length', () => {
    const text = connectionErrorText(new Error('x'.repeat(2000)), [])
    expect(text.length).toBe(500)
    expect(text.endsWith('…')).toBe(true)
  })
})

describe('verificationFrom', () => {
  const now = new Date('2030-01-01T00:00:00Z')
  const check = (canTrade: boolean, canWithdraw: boolean | null) => ({ ok: true as const, check: { balances: [{ asset: 'USDT', amount: dec(1) }], canTrade, canWithdraw } })
  test.each([
    ['keys that work and may trade', check(true, false), { verifiedAt: now, verifyError: null, canTrade: true, canWithdraw: false }],
    ['a trading key that may withdraw (verified, the warning is the UI\'s)', check(true, true), { verifiedAt: now, verifyError: null, canTrade: true, canWithdraw: true }],
    ['a key that cannot trade', check(false, null), { verifiedAt: null, verifyError: 'this key cannot trade (enable spot trading for it)', canTrade: false, canWithdraw: null }],
    ['no answer', { ok: false as const, error: 'connect ECONNREFUSED' }, { verifiedAt: null, verifyError: 'connect ECONNREFUSED', canTrade: null, canWithdraw: null }],
  ])('%s', (_label, result, state) => {
    expect(verificationFrom(result, now)).toEqual(state)
  })
})
