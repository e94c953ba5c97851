import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { ROUTE_METHODS } from '@/lib/server/http/method-not-allowed'

// Next answers a method a route file does not export with an empty 405. Every /api route file
// exports all of them (its own or otherMethods' refusals), so each such answer is a JSON 405
// naming what the path takes. The catch-all (a JSON 404 for every method) and next-auth's own
// route are the two files that answer every method themselves.
const API_DIR = path.resolve(import.meta.dirname, '../../../app/api')
const SELF_ANSWERING = new Set(['[...path]/route.ts', 'auth/[...nextauth]/route.ts'])
const routeFiles = (readdirSync(API_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('route.ts') && !SELF_ANSWERING.has(f)).sort()

describe('every API route file answers every method', () => {
  test('there are route files to check', () => {
    expect(routeFiles).toContain('health/route.ts')
    expect(routeFiles).toContain('v1/positions/route.ts')
    expect(routeFiles.length).toBeGreaterThan(60)
  })

  test.each(routeFiles)('%s', async (file) => {
    const mod = (await import(/* @vite-ignore */ path.join(API_DIR, file))) as Record<string, unknown>
    const missing = ROUTE_METHODS.filter((m) => typeof mod[m] !== 'function')
    expect(missing).toEqual([])
  })

  test('a GET-only route refuses the others in the API error shape, with Allow', async () => {
    const { PATCH } = (await import('@/app/api/health/route')) as unknown as Record<string, (req: Request) => Promise<Response>>
    const res = await PATCH(new Request('http://localhost/api/health', { method: 'PATCH' }))
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
    expect(await res.json()).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'PATCH is not supported here; use GET' } })
  })
})
