import { describe, expect, it } from 'vitest'
import nextConfig from '@/next.config.js'

describe('security headers (next.config.js headers())', () => {
  it('apply to every path, including the API', async () => {
    const rules = (await nextConfig.headers!()) as { source: string; headers: { key: string; value: string }[] }[]
    expect(rules.map((r) => r.source)).toEqual(['/:path*'])
  })

  it.each([
    ['Content-Security-Policy', "frame-ancestors 'self'"],
    ['X-Frame-Options', 'SAMEORIGIN'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  ])('%s: %s', async (key, value) => {
    const [rule] = (await nextConfig.headers!()) as { headers: { key: string; value: string }[] }[]
    expect(rule.headers).toContainEqual({ key, value })
  })
})
