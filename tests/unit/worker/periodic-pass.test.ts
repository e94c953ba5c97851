import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { PeriodicPass } from '@/workers/periodic-pass'

describe('PeriodicPass', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('runs at start, then an interval after each pass ends; a failing pass is reported and the schedule goes on', async () => {
    const starts: number[] = []
    const errors: string[] = []
    let n = 0
    const loop = new PeriodicPass(
      async () => {
        starts.push(Date.now())
        n++
        await new Promise((r) => setTimeout(r, 300)) // each pass takes 300 ms
        if (n === 2) throw new Error('exchange down')
      },
      { intervalMs: 1000, onError: (e) => errors.push(e.message) },
    )
    loop.start()
    await vi.advanceTimersByTimeAsync(4000)
    const stopping = loop.stop() // the pass started at 3900 is still running: stop waits for it
    await vi.advanceTimersByTimeAsync(300)
    await stopping
    expect(starts).toEqual([0, 1300, 2600, 3900])
    expect(errors).toEqual(['exchange down'])
  })

  test('atStart false: the first pass an interval from start', async () => {
    const starts: number[] = []
    const loop = new PeriodicPass(async () => void starts.push(Date.now()), { intervalMs: 1000, atStart: false, onError: () => {} })
    loop.start()
    await vi.advanceTimersByTimeAsync(2500)
    await loop.stop()
    expect(starts).toEqual([1000, 2000])
  })

  test('a call while a pass runs joins it; stop waits for it and no pass follows', async () => {
    let passes = 0
    let finished = 0
    const loop = new PeriodicPass(
      async () => {
        passes++
        await new Promise((r) => setTimeout(r, 500))
        finished++
      },
      { intervalMs: 100, onError: () => {} },
    )
    const a = loop.runOnce()
    const b = loop.runOnce()
    expect(passes).toBe(1)
    loop.start() // joins the running pass too
    const stopping = loop.stop()
    await vi.advanceTimersByTimeAsync(500)
    await Promise.all([a, b, stopping])
    expect(finished).toBe(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(passes).toBe(1)
  })
})
