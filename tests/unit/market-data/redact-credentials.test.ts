import { expect, test } from 'vitest'
import { redactUrlCredentials } from '@/lib/market-data/redact-credentials'

test.each([
  ['user and password', 'GET https://bob:s3cret@mirror.example/api/v3/depth failed', 'GET https://***@mirror.example/api/v3/depth failed'],
  ['token only', 'http://tok3n@127.0.0.1:9/x timed out', 'http://***@127.0.0.1:9/x timed out'],
  ['two URLs', 'a https://u:p@h1/ b https://v:q@h2/', 'a https://***@h1/ b https://***@h2/'],
  ['no credentials: unchanged', 'binance GET https://api.binance.com/api/v3/ticker 503', 'binance GET https://api.binance.com/api/v3/ticker 503'],
  ['an email in text: unchanged', 'contact ops@example.com', 'contact ops@example.com'],
])('%s', (_label, input, expected) => {
  expect(redactUrlCredentials(input)).toBe(expected)
})
