import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { OrderRateGate, orderLimitsFromBinance } from '@/lib/exchange/ccxt/order-rate-gate'

describe('orderLimitsFromBinance', () => {
  test('keeps the ORDERS entries of exchangeInfo.rateLimits, in milliseconds', () => {
    expect(
      orderLimitsFromBinance([
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
      ]),
    ).toEqual([
      { intervalMs: 10_000, limit: 100 },
      { intervalMs: 86_400_000, limit: 200000 },
    ])
  })
  test('skips what it cannot read', () => {
    expect(orderLimitsFromBinance(undefined)).toEqual([])
    expect(orderLimitsFromBinance([{ rateLimitType: 'ORDERS', interval: 'WEEK', intervalNum: 1, limit: 5 }, { rateLimitType: 'ORDERS', limit: 5 }, null])).toEqual([])
  })
})

describe('OrderRateGate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Starts `n` takes at once and returns the clock offset at which each was let through. */
  async function passTimes(gate: OrderRateGate, n: number, runForMs: number) {
    const start = Date.now()
    const times: number[] = []
    const all = Array.from({ length: n }, () => gate.run(async () => times.push(Date.now() - start)))
    await vi.advanceTimersByTimeAsync(runForMs)
    await Promise.all(all)
    return times
  }

  test('with no limits read, nothing waits', async () => {
    expect(await passTimes(new OrderRateGate('Binance'), 5, 0)).toEqual([0, 0, 0, 0, 0])
  })

  test('2 per second (+100 ms margin): the third waits until the first leaves the window, the fifth until the third does', async () => {
    const gate = new OrderRateGate('Binance', { maxWaitMs: 5000 })
    gate.setLimits([{ intervalMs: 1000, limit: 2 }])
    expect(await passTimes(gate, 5, 3000)).toEqual([0, 0, 1100, 1100, 2200])
  })

  test('every limit holds at once: 3 per second and 4 per 10 seconds', async () => {
    const gate = new OrderRateGate('Binance', { maxWaitMs: 20_000, marginMs: 0 })
    gate.setLimits([
      { intervalMs: 1000, limit: 3 },
      { intervalMs: 10_000, limit: 4 },
    ])
    expect(await passTimes(gate, 6, 25_000)).toEqual([0, 0, 0, 1000, 10_000, 10_000])
  })

  test('a slot further off than maxWaitMs is refused at once: retryable, nothing sent, with when to come back', async () => {
    const gate = new OrderRateGate('Binance', { maxWaitMs: 500, marginMs: 0 })
    gate.setLimits([{ intervalMs: 1000, limit: 1 }])
    const sent: number[] = []
    const send = async () => sent.push(Date.now())
    await gate.run(send)
    vi.advanceTimersByTime(200)
    const err = await gate.run(send).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ExchangeError)
    expect(err).toMatchObject({ kind: 'retryable', retryAfterMs: 800 })
    expect((err as Error).message).toMatch(/order-rate limit is reached.*800 ms; nothing sent/)
    expect(sent).toHaveLength(1)
    // The refused try took no slot: once the window has passed, one goes through.
    vi.advanceTimersByTime(800)
    await gate.run(send)
    expect(sent).toHaveLength(2)
  })

  test('a window starts when the answer comes back, and an order on its way holds its slot until then', async () => {
    const gate = new OrderRateGate('Binance', { maxWaitMs: 5000, marginMs: 0 })
    gate.setLimits([{ intervalMs: 1000, limit: 1 }])
    const start = Date.now()
    const times: number[] = []
    // The exchange takes 400 ms to answer the first order.
    const slow = gate.run(() => new Promise<void>((resolve) => setTimeout(resolve, 400)))
    const next = gate.run(async () => times.push(Date.now() - start))
    await vi.advanceTimersByTimeAsync(2000)
    await Promise.all([slow, next])
    // Not at 1000 (a window from when the first left): at 1400, a window from its answer, and no earlier (polled every 20 ms).
    expect(times).toEqual([1400])
  })
})
