import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { dec, maxDec, minDec, type Decimal } from '@/lib/domain/decimal'
import { timeframeMs } from '@/lib/domain/market/candle'
import type { MarketRules } from '@/lib/domain/market/precision'
import { resampleCandles } from '@/lib/domain/market/resample-candles'
import { MarketDataError, type MarketDataFeed } from '@/lib/market-data/feed'
import { quoteAroundMid } from '@/lib/market-data/simulated-feed'

export type CandleReplayFeedOptions = ({ csvPath: string; csvText?: never } | { csvText: string; csvPath?: never }) & {
  /** Unified symbol the candles belong to, e.g. 'BTC/USDT'. */
  symbol: string
  spreadBps?: number
  tickSize: string
  stepSize: string
}

export interface Candle {
  /** Open time, ms. */
  ts: number
  open: Decimal
  high: Decimal
  low: Decimal
  close: Decimal
}

const HEADER = ['timestamp', 'open', 'high', 'low', 'close', 'volume']

/**
 * Replays a candle CSV as a quote stream: each fetchQuotes call is one step, four steps per candle
 * (open, the extreme nearer the open, the other extreme, close), so a strategy sees the intrabar
 * path a candle most plausibly took. After the last candle the final close is held.
 */
export function createCandleReplayFeed(options: CandleReplayFeedOptions): MarketDataFeed {
  const { symbol, spreadBps = 2 } = options
  const source = options.csvPath !== undefined ? basename(options.csvPath) : 'inline CSV'
  let text: string
  if (options.csvPath !== undefined) {
    try {
      text = readFileSync(options.csvPath, 'utf8')
    } catch (e) {
      throw new MarketDataError(`candle replay: cannot read ${options.csvPath}: ${(e as Error).message}`, false, undefined, { cause: e })
    }
  } else {
    text = options.csvText
  }
  const candles = parseCandleCsv(text, source)
  const [base, quote, extra] = symbol.split('/')
  if (!base || !quote || extra !== undefined) throw new MarketDataError(`candle replay: symbol must look like BASE/QUOTE, got "${symbol}"`, false, symbol)
  const stepSize = positive(options.stepSize, 'stepSize')
  const rules: MarketRules = {
    symbol, base, quote, tickSize: positive(options.tickSize, 'tickSize'), stepSize, minQty: stepSize, minNotional: dec(0),
  }
  const path = replayPath(candles)
  let position = 0
  let closed = false

  return {
    kind: 'simulated',
    label: `Simulated: replay of ${source} (${candles.length} candles)`,
    async marketRules(requested) {
      checkSymbol(requested, symbol)
      return { ...rules }
    },
    async listSymbols() {
      return [symbol]
    },
    async fetchQuotes(requested) {
      if (closed) throw new MarketDataError('candle replay feed is closed', false)
      requested.forEach((s) => checkSymbol(s, symbol))
      const point = path[Math.min(position, path.length - 1)]!
      position += 1
      const receivedAt = Date.now()
      return requested.map(() => quoteAroundMid(rules, point.price, spreadBps, point.ts, receivedAt))
    },
    async fetchCandles(requested, timeframe, limit) {
      checkSymbol(requested, symbol)
      // Only bars the replay has reached (four steps per candle), so nothing leaks from the future.
      const reached = candles.slice(0, Math.max(1, Math.ceil(position / 4)))
      const bars = reached.map((c) => ({ openTime: c.ts, open: c.open, high: c.high, low: c.low, close: c.close, volume: dec(0) }))
      return resampleCandles(bars, timeframeMs(timeframe)).slice(-limit)
    },
    async close() {
      closed = true
    },
  }
}

function checkSymbol(requested: string, symbol: string): void {
  if (requested !== symbol) {
    throw new MarketDataError(`Unknown symbol ${requested}: this replay only has ${symbol}`, false, requested)
  }
}

function positive(value: string, name: string): Decimal {
  let d: Decimal | undefined
  try {
    d = dec(value)
  } catch {
    d = undefined
  }
  if (!d || !d.gt(0)) throw new MarketDataError(`candle replay: ${name} must be a positive number, got "${value}"`, false)
  return d
}

/**
 * O, then whichever of H/L is nearer to O (a tie goes to H), then the other, then C. Points are
 * spread over the candle at 0, 1/4, 2/4 and 3/4 of its interval; the interval is the gap to the
 * next candle (for the last one, the gap from the previous; 60 s for a lone candle).
 */
export function replayPath(candles: Candle[]): { ts: number; price: Decimal }[] {
  return candles.flatMap((c, i) => {
    const next = candles[i + 1]
    const prev = candles[i - 1]
    const interval = next ? next.ts - c.ts : prev ? c.ts - prev.ts : 60_000
    const highFirst = c.high.minus(c.open).lte(c.open.minus(c.low))
    const [first, second] = highFirst ? [c.high, c.low] : [c.low, c.high]
    return [c.open, first, second, c.close].map((price, k) => ({ ts: c.ts + Math.floor((k * interval) / 4), price }))
  })
}

const DECIMAL = /^\d+(\.\d+)?$/

/** Parses `timestamp,open,high,low,close,volume`; every error names the line and the column. */
export function parseCandleCsv(text: string, source = 'CSV'): Candle[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase())
  if (header.join(',') !== HEADER.join(',')) {
    throw new MarketDataError(`${source}: line 1: header must be "${HEADER.join(',')}", got "${lines[0] ?? ''}"`, false)
  }
  const candles: Candle[] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') continue
    const lineNo = i + 1
    const fail = (column: string, why: string): never => {
      throw new MarketDataError(`${source}: line ${lineNo}, column "${column}": ${why}`, false)
    }
    const cells = line.split(',').map((c) => c.trim())
    if (cells.length !== HEADER.length) fail(HEADER[Math.min(cells.length, HEADER.length - 1)]!, `expected ${HEADER.length} columns, got ${cells.length}`)
    const [tsCell, ...numberCells] = cells as [string, ...string[]]
    const ts = parseTimestamp(tsCell)
    if (ts === undefined) fail('timestamp', `"${tsCell}" is neither epoch milliseconds nor an ISO-8601 date`)
    const [open, high, low, close] = numberCells.map((cell, k) => {
      if (!DECIMAL.test(cell)) fail(HEADER[k + 1]!, `"${cell}" is not a non-negative decimal number`)
      return dec(cell)
    }) as [Decimal, Decimal, Decimal, Decimal, Decimal]
    if (!open.gt(0)) fail('open', 'must be greater than 0')
    if (high.lt(maxDec(open, close))) fail('high', `${high.toFixed()} is below open/close`)
    if (low.gt(minDec(open, close))) fail('low', `${low.toFixed()} is above open/close`)
    if (!low.gt(0)) fail('low', 'must be greater than 0')
    const prev = candles[candles.length - 1]
    if (prev && ts! <= prev.ts) fail('timestamp', 'timestamps must be strictly increasing')
    candles.push({ ts: ts!, open, high, low, close })
  }
  if (candles.length === 0) throw new MarketDataError(`${source}: no candles after the header`, false)
  return candles
}

function parseTimestamp(cell: string): number | undefined {
  if (/^\d+$/.test(cell)) return Number(cell)
  // ISO-8601 only: a date with '-' separators; Date.parse alone would also take "May 5".
  if (!/^\d{4}-\d{2}-\d{2}/.test(cell)) return undefined
  // A date-time without an offset would be read as local time; candle files are UTC.
  const withZone = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(cell) ? `${cell}Z` : cell
  const ms = Date.parse(withZone)
  return Number.isNaN(ms) ? undefined : ms
}
