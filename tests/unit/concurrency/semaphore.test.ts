import { describe, expect, it } from 'vitest'
import { Semaphore, SemaphoreTimeout } from '@/lib/server/concurrency/semaphore'
import { busy, rateLimited } from '@/lib/server/errors/app-error'
import { errorResponse } from '@/lib/server/http/json-response'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('Semaphore (bounds concurrent password hashing)', () => {
  it('never runs more than its limit at once, and runs everything eventually', async () => {
    const s = new Semaphore(4, 5_000)
    let running = 0
    let peak = 0
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        s.run(async () => {
          running++
          peak = Math.max(peak, running)
          await sleep(10)
          running--
          return i
        }),
      ),
    )
    expect(peak).toBe(4)
    expect(results).toEqual([...Array(12).keys()])
    expect(s.inUse).toBe(0)
  })

  it('refuses a waiter that is not admitted within maxWaitMs, and frees its place', async () => {
    const s = new Semaphore(1, 30)
    const holder = s.run(() => sleep(200))
    await expect(s.run(async () => 'late')).rejects.toBeInstanceOf(SemaphoreTimeout)
    expect(s.waiting).toBe(0)
    await holder
    expect(await s.run(async () => 'now')).toBe('now')
  })

  it('refuses at once when the queue is full', async () => {
    const s = new Semaphore(1, 5_000, 1)
    const holder = s.run(() => sleep(50))
    const queued = s.run(async () => 'queued')
    await expect(s.run(async () => 'third')).rejects.toBeInstanceOf(SemaphoreTimeout)
    await holder
    expect(await queued).toBe('queued')
  })

  it('releases the slot when the work throws', async () => {
    const s = new Semaphore(1, 100)
    await expect(s.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await s.run(async () => 'ok')).toBe('ok')
  })
})

describe('Retry-After on busy and rate-limited answers', () => {
  it.each([
    ['BUSY → 503', busy('the server is busy', 5), 503, '5'],
    ['RATE_LIMITED → 429 (seconds rounded up)', rateLimited('too many', 12.2), 429, '13'],
  ])('%s', async (_label, err, status, retryAfter) => {
    const res = errorResponse(err)
    expect(res.status).toBe(status)
    expect(res.headers.get('retry-after')).toBe(retryAfter)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(err.code)
  })
})
