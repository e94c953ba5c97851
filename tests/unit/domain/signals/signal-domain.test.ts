import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { readSignalBody, redactSignalBody } from '@/lib/domain/signals/signal-body'
import { priceDeviationProblem, signalAgeProblem } from '@/lib/domain/signals/signal-checks'
import { resolveIntent, reversesOnEntry } from '@/lib/domain/signals/signal-intent'
import { symbolForTicker } from '@/lib/domain/signals/ticker-symbol'

describe('readSignalBody', () => {
  test.each([
    ['a JSON object', '{"symbol":"BTCUSDT","action":"buy"}', { ok: true, format: 'json', fields: { symbol: 'BTCUSDT', action: 'buy' } }],
    ['key=value lines, keys lower-cased, values trimmed', 'SYMBOL = BTCUSDT\naction=buy\n\n', { ok: true, format: 'lines', fields: { symbol: 'BTCUSDT', action: 'buy' } }],
    ['pairs separated by ;', 'symbol=BTCUSDT;action=sell', { ok: true, format: 'lines', fields: { symbol: 'BTCUSDT', action: 'sell' } }],
    ['a value holding =', 'comment=a=b', { ok: true, format: 'lines', fields: { comment: 'a=b' } }],
    ['malformed JSON', '{"symbol":', { ok: false, field: 'body', message: 'is not valid JSON' }],
    ['a JSON array', '[1]', { ok: false, field: 'body' }],
    ['a line without =', 'buy BTCUSDT', { ok: false, field: 'body' }],
    ['a key given twice', 'action=buy\nACTION=sell', { ok: false, field: 'action', message: 'is given twice' }],
    ['an empty body', '  \n', { ok: false, field: 'body' }],
    ['JSON nested 33 levels deep', `{"x":${'['.repeat(32)}${']'.repeat(32)}}`, { ok: false, field: 'body', message: 'nests objects or arrays more than 32 levels deep' }],
    ['JSON nested 32 levels deep', `{"x":${'['.repeat(31)}${']'.repeat(31)}}`, { ok: true, format: 'json' }],
  ] as const)('%s', (_label, text, expected) => {
    expect(readSignalBody(text)).toMatchObject(expected)
  })

  test('a body over the limit is refused before it is parsed', () => {
    expect(readSignalBody(`{"comment":"${'x'.repeat(20_000)}"}`)).toMatchObject({ ok: false, field: 'body' })
  })
})

describe('redactSignalBody', () => {
  const secret = 'whsec_abcdefghijklmnop'
  test.each([
    ['JSON', `{"secret": "${secret}", "symbol":"BTCUSDT"}`, `{"secret": "[redacted]", "symbol":"BTCUSDT"}`],
    ['JSON with escaped quotes in the value', '{"secret":"a\\"b","x":1}', '{"secret":"[redacted]","x":1}'],
    ['malformed JSON', '{"Secret":"wrong-but-private', '{"Secret":"[redacted]"'],
    ['a number', '{"secret": 12345, "a": 1}', '{"secret": "[redacted]", "a": 1}'],
    ['key=value', `symbol=BTCUSDT\nsecret=${secret}\naction=buy`, 'symbol=BTCUSDT\nsecret=[redacted]\naction=buy'],
    ['key=value with ;', `SECRET = ${secret};action=buy`, 'SECRET =[redacted];action=buy'],
    ['the secret elsewhere in the body', `{"comment":"${secret}"}`, '{"comment":"[redacted]"}'],
  ])('%s', (_label, text, expected) => {
    const out = redactSignalBody(text, [secret])
    expect(out).toBe(expected)
    expect(out).not.toContain(secret)
  })
})

describe('symbolForTicker', () => {
  const watchlist = ['BTC/USDT', 'ETH/USDT', '1INCH/USDT']
  test.each([
    ['BTCUSDT', 'BTC/USDT'],
    ['BINANCE:BTCUSDT', 'BTC/USDT'],
    ['binance:ethusdt', 'ETH/USDT'],
    ['BYBIT:BTCUSDT.P', 'BTC/USDT'],
    ['BTC/USDT', 'BTC/USDT'],
    ['1INCHUSDT', '1INCH/USDT'],
    ['SOLUSDT', null],
    ['BTCUSDC', null],
    ['SOL/USDT', null],
    ['', null],
  ])('%s → %s', (ticker, expected) => {
    expect(symbolForTicker(ticker, watchlist)).toBe(expected)
  })
})

describe('signalAgeProblem', () => {
  const now = new Date('2026-01-01T12:00:00Z')
  const at = (s: number) => new Date(now.getTime() - s * 1000)
  test.each([
    ['fired 59 s ago, max 60', at(59), null],
    ['fired exactly 60 s ago', at(60), null],
    ['fired 61 s ago', at(61), /stale: fired at .*, 61 s ago, more than the trader's max lag of 60 s/],
    ['fired 30 s ahead (clock skew)', at(-30), null],
    ['fired 2 min ahead', at(-120), /in the future/],
  ])('%s', (_label, firedAt, expected) => {
    const r = signalAgeProblem({ firedAt, receivedAt: now, now, maxLagSeconds: 60 })
    if (expected === null) expect(r).toBeNull()
    else expect(r).toMatch(expected)
  })

  test('without a timestamp, the age counts from arrival', () => {
    expect(signalAgeProblem({ firedAt: null, receivedAt: at(90), now, maxLagSeconds: 60 })).toMatch(/^stale: received at/)
  })
})

describe('priceDeviationProblem', () => {
  test.each([
    ['1% away, max 1%', '101', null],
    ['1.01% away', '101.01', /1.01% from the market \(100\), more than the trader's max deviation of 1%/],
    ['below the market', '98', /2% from the market/],
  ])('%s', (_label, price, expected) => {
    const r = priceDeviationProblem({ price: dec(price), reference: dec(100), maxDeviationPct: dec(1) })
    if (expected === null) expect(r).toBeNull()
    else expect(r).toMatch(expected)
  })
})

describe('resolveIntent', () => {
  test.each([
    ['named', { intent: 'reverse' as const, action: 'buy' as const, marketPosition: 'flat' as const }, 'reverse'],
    ['none, strategy flat after the order: an exit', { action: 'sell' as const, marketPosition: 'flat' as const }, 'close'],
    ['none, a buy leaving the strategy long', { action: 'buy' as const, marketPosition: 'long' as const }, 'entry'],
    ['none, a sell leaving the strategy short (an entry, or a reversal)', { action: 'sell' as const, marketPosition: 'short' as const }, 'entry'],
    ['none, a sell leaving the strategy long: a partial take-profit', { action: 'sell' as const, marketPosition: 'long' as const }, 'exit'],
    ['none, a buy leaving the strategy short: a partial cover', { action: 'buy' as const, marketPosition: 'short' as const }, 'exit'],
    ['nothing but the action', { action: 'sell' as const }, 'entry'],
  ])('%s', (_label, input, expected) => {
    expect(resolveIntent(input)).toBe(expected)
  })
})

describe('reversesOnEntry', () => {
  test.each([
    ['a sell leaving the strategy short, a LONG open: reverse', { action: 'sell' as const, marketPosition: 'short', openSide: 'LONG' as const }, true],
    ['a buy leaving the strategy long, a SHORT open: reverse', { action: 'buy' as const, marketPosition: 'long', openSide: 'SHORT' as const }, true],
    ['the same, nothing open: a plain entry', { action: 'buy' as const, marketPosition: 'long', openSide: null }, false],
    ['the same side open: an entry (refused as such)', { action: 'buy' as const, marketPosition: 'long', openSide: 'LONG' as const }, false],
    ['no market position reported: an entry (refused as such)', { action: 'sell' as const, openSide: 'LONG' as const }, false],
  ])('%s', (_label, input, expected) => {
    expect(reversesOnEntry(input)).toBe(expected)
  })
})
