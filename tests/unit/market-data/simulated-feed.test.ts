import { describe, expect, test } from 'vitest'
import { MarketDataError } from '@/lib/market-data/feed'
import type { Quote } from '@/lib/market-data/quote'
import { createSimulatedFeed, type SimulatedFeedOptions } from '@/lib/market-data/simulated-feed'

const fixedClock = () => 1_700_000_000_000

async function poll(options: SimulatedFeedOptions, symbols: string[], times: number): Promise<Quote[][]> {
  const feed = createSimulatedFeed({ clock: fixedClock, ...options })
  const out: Quote[][] = []
  for (let i = 0; i < times; i++) out.push(await feed.fetchQuotes(symbols))
  return out
}

const asText = (polls: Quote[][]) => polls.map((qs) => qs.map((q) => `${q.symbol} ${q.bid.toFixed()} ${q.ask.toFixed()} ${q.last.toFixed()}`))
const all = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']

describe('createSimulatedFeed', () => {
  test('the same seed gives the identical sequence', async () => {
    const a = await poll({ seed: 7 }, all, 200)
    const b = await poll({ seed: 7 }, all, 200)
    expect(asText(a)).toEqual(asText(b))
  })

  test('a different seed gives a different sequence', async () => {
    const a = await poll({ seed: 42 }, all, 20)
    const b = await poll({ seed: 43 }, all, 20)
    expect(asText(a)).not.toEqual(asText(b))
  })

  test('the walk moves: many distinct mids over a run', async () => {
    const polls = await poll({}, ['BTC/USDT'], 200)
    const lasts = new Set(polls.map(([q]) => q!.last.toFixed()))
    expect(lasts.size).toBeGreaterThan(100)
  })

  test("a symbol's path does not depend on which other symbols are requested", async () => {
    const alone = await poll({ seed: 5 }, ['ETH/USDT'], 50)
    const together = await poll({ seed: 5 }, ['BTC/USDT', 'ETH/USDT'], 50)
    expect(asText(alone.map(([eth]) => [eth!]))).toEqual(asText(together.map(([, eth]) => [eth!])))
  })

  test('the first poll shows the start price, inside the spread', async () => {
    const [[btc, eth, sol]] = (await poll({}, all, 1)) as [Quote[]]
    expect(btc!.last.toFixed()).toBe('60000')
    expect(btc!.bid.lte(60000) && btc!.ask.gte(60000)).toBe(true)
    expect(eth!.last.toFixed()).toBe('3000')
    expect(sol!.last.toFixed()).toBe('150')
  })

  test.each([
    { label: 'default symbols, default spread', options: {}, symbols: all },
    { label: 'zero spread still keeps bid < ask', options: { spreadBps: 0 }, symbols: all },
    {
      label: 'coarse custom tick (0.5) and high volatility',
      options: { symbols: { 'DOGE/USD': { start: '100', tickSize: '0.5', stepSize: '1' } }, volatilityBpsPerTick: 80 },
      symbols: ['DOGE/USD'],
    },
  ])('prices stay on the tick grid and bid < ask: $label', async ({ options, symbols }) => {
    const feed = createSimulatedFeed({ clock: fixedClock, ...options })
    for (let i = 0; i < 300; i++) {
      for (const q of await feed.fetchQuotes(symbols)) {
        const { tickSize } = await feed.marketRules(q.symbol)
        for (const price of [q.bid, q.ask, q.last]) expect(price.mod(tickSize).isZero()).toBe(true)
        expect(q.bid.lt(q.ask)).toBe(true)
        expect(q.last.gte(q.bid) && q.last.lte(q.ask)).toBe(true)
      }
    }
  })

  test('spread is at least the requested bps', async () => {
    const [[btc]] = (await poll({ spreadBps: 10 }, ['BTC/USDT'], 1)) as [Quote[]]
    // 10 bps of 60000 = 60: the bid rounds down and the ask up, never narrower.
    expect(btc!.ask.minus(btc!.bid).gte(60)).toBe(true)
    expect(btc!.ask.minus(btc!.bid).lte(60.02)).toBe(true)
  })

  test('step size follows volatilityBpsPerTick', async () => {
    const polls = await poll({ volatilityBpsPerTick: 5, spreadBps: 0 }, ['BTC/USDT'], 2001)
    const mids = polls.map(([q]) => q!.bid.plus(q!.ask).div(2).toNumber())
    const returns = mids.slice(1).map((m, i) => Math.log(m / mids[i]!))
    const sd = Math.sqrt(returns.reduce((s, r) => s + r * r, 0) / returns.length)
    expect(sd * 10_000).toBeGreaterThan(4)
    expect(sd * 10_000).toBeLessThan(6)
  })

  test('quotes carry the clock time, no depth, and the requested order', async () => {
    const [[sol, btc]] = (await poll({}, ['SOL/USDT', 'BTC/USDT'], 1)) as [Quote[]]
    expect([sol!.symbol, btc!.symbol]).toEqual(['SOL/USDT', 'BTC/USDT'])
    expect(btc!.exchangeTs).toBe(fixedClock())
    expect(btc!.receivedAt).toBe(fixedClock())
    expect(btc!.bids).toBeUndefined()
    expect(btc!.asks).toBeUndefined()
  })

  test('market rules for the default symbols', async () => {
    const feed = createSimulatedFeed()
    const btc = await feed.marketRules('BTC/USDT')
    expect([btc.base, btc.quote, btc.tickSize.toFixed(), btc.stepSize.toFixed(), btc.minNotional.toFixed()]).toEqual(['BTC', 'USDT', '0.01', '0.00001', '5'])
    expect((await feed.marketRules('ETH/USDT')).stepSize.toFixed()).toBe('0.0001')
    expect((await feed.marketRules('SOL/USDT')).stepSize.toFixed()).toBe('0.001')
    expect(await feed.listSymbols()).toEqual(all)
    expect(feed.kind).toBe('simulated')
    expect(createSimulatedFeed({ seed: 9 }).label).toBe('Simulated: random walk (seed 9)')
  })

  test('an unknown symbol is a non-retryable error naming it, and does not advance time', async () => {
    const feed = createSimulatedFeed({ clock: fixedClock })
    const error = await feed.fetchQuotes(['BTC/USDT', 'XRP/USDT']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MarketDataError)
    expect((error as MarketDataError).retryable).toBe(false)
    expect((error as MarketDataError).symbol).toBe('XRP/USDT')
    expect((error as MarketDataError).message).toContain('XRP/USDT')
    await expect(feed.marketRules('XRP/USDT')).rejects.toThrow(/XRP\/USDT/)

    const [first] = await feed.fetchQuotes(['BTC/USDT'])
    expect(first!.last.toFixed()).toBe('60000') // still the first step
  })
})
