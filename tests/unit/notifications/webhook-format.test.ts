import { describe, expect, test } from 'vitest'
import { retryDelayMs } from '@/lib/server/notifications/deliver-notifications'
import { parseRetryAfter, webhookResultFor } from '@/lib/server/notifications/send-webhook'
import { truncate, webhookPayload, type WebhookMessage } from '@/lib/server/notifications/webhook-payload'
import { detectWebhookFormat, parseWebhookUrl, redactWebhookSecrets, webhookUrlHint } from '@/lib/server/notifications/webhook-url'

const u = (s: string) => parseWebhookUrl(s)!

describe('webhook URLs', () => {
  test.each([
    ['Telegram sendMessage', 'https://api.telegram.org/bot123:abc/sendMessage?chat_id=5', 'telegram', 'https://api.telegram.org/…/sendMessage'],
    ['Telegram, another method', 'https://api.telegram.org/bot123:abc/getUpdates', 'generic', 'https://api.telegram.org/…'],
    ['Discord', 'https://discord.com/api/webhooks/1/tok', 'discord', 'https://discord.com/api/webhooks/…'],
    ['Discord (legacy host)', 'https://discordapp.com/api/webhooks/1/tok', 'discord', 'https://discordapp.com/api/webhooks/…'],
    ['Discord (canary)', 'https://canary.discord.com/api/webhooks/1/tok', 'discord', 'https://canary.discord.com/api/webhooks/…'],
    ['a look-alike host', 'https://discord.com.evil.example/api/webhooks/1/tok', 'generic', 'https://discord.com.evil.example/…'],
    ['generic with a path', 'http://10.0.0.5:8080/hook/s3cr3t', 'generic', 'http://10.0.0.5:8080/…'],
    ['generic, bare host', 'https://example.com', 'generic', 'https://example.com/'],
    ['generic with userinfo', 'https://user:pass@example.com/', 'generic', 'https://example.com/'],
  ])('%s', (_label, raw, format, hint) => {
    const url = u(raw)
    expect(detectWebhookFormat(url)).toBe(format)
    expect(webhookUrlHint(url, detectWebhookFormat(url))).toBe(hint)
  })

  test.each(['ftp://example.com', 'javascript:alert(1)', 'example.com/hook', ''])('%j is not a webhook URL', (raw) => {
    expect(parseWebhookUrl(raw)).toBeNull()
  })

  test('redaction removes the URL, its path and query secrets, and bot tokens', () => {
    const url = u('https://hooks.example.com/in/AbCdEf123456?key=k3y-value')
    const text = `POST https://hooks.example.com/in/AbCdEf123456?key=k3y-value failed; path AbCdEf123456, key k3y-value, bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw`
    const out = redactWebhookSecrets(text, url)
    expect(out).toBe('POST https://hooks.example.com/… failed; path …, key …, bot …')
  })
})

describe('webhook payloads', () => {
  const m: WebhookMessage = {
    id: '42',
    type: 'STOPPED_OUT',
    severity: 'info',
    message: 'Position closed by stop loss: realized PnL -12.5 after 1.2 fees',
    positionId: 'p1',
    traderId: 't1',
    traderName: 'Momentum',
    symbol: 'BTC/USDT',
    side: 'LONG',
    at: new Date('2026-01-02T03:04:05.678Z'),
  }
  test('generic', () => {
    expect(webhookPayload('generic', u('https://x.example/h'), m)).toEqual({
      id: '42', type: 'STOPPED_OUT', severity: 'info', message: m.message, positionId: 'p1', traderId: 't1', symbol: 'BTC/USDT', at: '2026-01-02T03:04:05.678Z',
    })
  })
  test('telegram', () => {
    expect(webhookPayload('telegram', u('https://api.telegram.org/bot1:a/sendMessage?chat_id=@alerts'), m)).toEqual({
      chat_id: '@alerts',
      text: 'Stopped out · BTC/USDT LONG · Momentum\nPosition closed by stop loss: realized PnL -12.5 after 1.2 fees',
    })
  })
  test('discord', () => {
    expect(webhookPayload('discord', u('https://discord.com/api/webhooks/1/t'), { ...m, severity: 'error', type: 'ERROR', symbol: null, side: null })).toEqual({
      content: '⛔ Error · Momentum\nPosition closed by stop loss: realized PnL -12.5 after 1.2 fees',
      allowed_mentions: { parse: [] },
    })
  })
  test.each([
    ['short enough', 'abc', 3, 'abc'],
    ['cut', 'abcdef', 4, 'abc…'],
    ['never half an emoji', 'ab😀cd', 4, 'ab…'],
  ])('truncate: %s', (_l, s, max, out) => {
    expect(truncate(s, max)).toBe(out)
  })
})

describe('retry policy', () => {
  test.each([
    [200, 'delivered'], [204, 'delivered'], [301, 'failed'], [400, 'failed'], [401, 'failed'], [404, 'failed'],
    [408, 'retry'], [429, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'],
  ])('HTTP %i → %s', (status, result) => {
    expect(webhookResultFor(status)).toBe(result)
  })

  test.each([
    ['after the 1st failure', 1, null, 5_000],
    ['after the 2nd', 2, null, 30_000],
    ['after the 5th', 5, null, 1_800_000],
    ['after the 6th: give up', 6, null, null],
    ['Retry-After longer than the backoff wins', 1, 120_000, 120_000],
    ['a shorter Retry-After does not shorten it', 3, 1_000, 120_000],
    ['Retry-After is capped at an hour', 1, 86_400_000, 3_600_000],
  ])('%s', (_label, attempts, retryAfter, delay) => {
    expect(retryDelayMs(attempts, retryAfter)).toBe(delay)
  })

  test.each([
    ['seconds', '120', 120_000],
    ['an HTTP date', 'Thu, 01 Jan 2026 00:01:00 GMT', 60_000],
    ['garbage', 'soon', null],
    ['absent', null, null],
  ])('Retry-After as %s', (_label, value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-01-01T00:00:00Z'))).toBe(ms)
  })
})
