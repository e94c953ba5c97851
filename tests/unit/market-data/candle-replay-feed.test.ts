import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { createCandleReplayFeed } from '@/lib/market-data/candle-replay-feed'
import { MarketDataError } from '@/lib/market-data/feed'

const HEADER = 'timestamp,open,high,low,close,volume'
const samplePath = fileURLToPath(new URL('../../../lib/market-data/samples/btcusdt-1m-sample-synthetic.csv', import.meta.url))

function replay(rows: string[], spreadBps = 0) {
  return createCandleReplayFeed({ csvText: [HEADER, ...rows].join('\n'), symbol: 'BTC/USDT', spreadBps, tickSize: '0.01', stepSize: '0.00001' })
}

async function lasts(feed: ReturnType<typeof replay>, polls: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < polls; i++) out.push((await feed.fetchQuotes(['BTC/USDT']))[0]!.last.toFixed())
  return out
}

describe('createCandleReplayFeed', () => {
  test.each([
    { label: 'high nearer the open: O, H, L, C', row: '0,100,101,95,97,1', expected: ['100', '101', '95', '97'] },
    { label: 'low nearer the open: O, L, H, C', row: '0,100,108,99,105,1', expected: ['100', '99', '108', '105'] },
    { label: 'equal distance: high first', row: '0,100,102,98,99,1', expected: ['100', '102', '98', '99'] },
    { label: 'open at the high: O, H (=O), L, C', row: '0,100,100,90,95,1', expected: ['100', '100', '90', '95'] },
  ])('$label', async ({ row, expected }) => {
    expect(await lasts(replay([row]), 4)).toEqual(expected)
  })

  test('candles follow each other and the final close is held after the last one', async () => {
    const feed = replay(['0,100,101,95,97,1', '60000,97,99,96,98,1'])
    expect(await lasts(feed, 10)).toEqual(['100', '101', '95', '97', '97', '96', '99', '98', '98', '98'])
  })

  test('exchangeTs walks through each candle in quarters; ISO timestamps are UTC', async () => {
    const feed = replay(['2024-03-01T00:00:00Z,100,101,95,97,1', '2024-03-01T00:01:00,97,99,96,98,1'])
    const t0 = Date.UTC(2024, 2, 1)
    const ts: number[] = []
    for (let i = 0; i < 9; i++) ts.push((await feed.fetchQuotes(['BTC/USDT']))[0]!.exchangeTs)
    expect(ts.map((t) => t - t0)).toEqual([0, 15_000, 30_000, 45_000, 60_000, 75_000, 90_000, 105_000, 105_000])
  })

  test('quotes straddle the replayed price on the tick grid', async () => {
    const [q] = await replay(['0,60000,60010,59990,60005,1'], 10).fetchQuotes(['BTC/USDT'])
    expect(q!.bid.toFixed()).toBe('59970')
    expect(q!.ask.toFixed()).toBe('60030')
    expect(q!.last.toFixed()).toBe('60000')
    expect(q!.bids).toBeUndefined()
  })

  test('the bundled synthetic sample loads: 60 candles, labelled with the file name', async () => {
    const feed = createCandleReplayFeed({ csvPath: samplePath, symbol: 'BTC/USDT', tickSize: '0.01', stepSize: '0.00001' })
    expect(feed.kind).toBe('simulated')
    expect(feed.label).toBe('Simulated: replay of btcusdt-1m-sample-synthetic.csv (60 candles)')
    const [q] = await feed.fetchQuotes(['BTC/USDT'])
    expect(q!.last.toFixed()).toBe('61250')
    expect((await feed.marketRules('BTC/USDT')).tickSize.toFixed()).toBe('0.01')
  })

  test('another symbol is unknown', async () => {
    const feed = replay(['0,100,101,95,97,1'])
    const error = await feed.fetchQuotes(['ETH/USDT']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MarketDataError)
    expect((error as MarketDataError).symbol).toBe('ETH/USDT')
    expect((error as MarketDataError).retryable).toBe(false)
  })

  test.each([
    { label: 'wrong header', text: 'time,open,high,low,close\n0,1,1,1,1', message: /line 1: header must be "timestamp,open,high,low,close,volume"/ },
    { label: 'non-numeric high', text: `${HEADER}\n0,100,101,95,97,1\n60000,97,abc,96,98,1`, message: /line 3, column "high": "abc" is not/ },
    { label: 'bad timestamp', text: `${HEADER}\nyesterday,100,101,95,97,1`, message: /line 2, column "timestamp"/ },
    { label: 'missing column', text: `${HEADER}\n0,100,101,95,97`, message: /line 2, column "volume": expected 6 columns, got 5/ },
    { label: 'high below close', text: `${HEADER}\n0,100,101,95,102,1`, message: /line 2, column "high": 101 is below open\/close/ },
    { label: 'low above open', text: `${HEADER}\n0,100,101,100.5,101,1`, message: /line 2, column "low": 100.5 is above open\/close/ },
    { label: 'timestamps going backwards', text: `${HEADER}\n60000,100,101,95,97,1\n0,97,99,96,98,1`, message: /line 3, column "timestamp": timestamps must be strictly increasing/ },
    { label: 'no candles', text: `${HEADER}\n\n`, message: /no candles after the header/ },
  ])('bad CSV is a clear error naming line and column: $label', ({ text, message }) => {
    expect(() => createCandleReplayFeed({ csvText: text, symbol: 'BTC/USDT', tickSize: '0.01', stepSize: '0.00001' })).toThrow(message)
  })

  test('an unreadable file names the path', () => {
    expect(() => createCandleReplayFeed({ csvPath: '/nonexistent/candles.csv', symbol: 'BTC/USDT', tickSize: '0.01', stepSize: '0.00001' })).toThrow(
      /cannot read \/nonexistent\/candles\.csv/,
    )
  })
})
