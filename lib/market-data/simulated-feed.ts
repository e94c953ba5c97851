import { Decimal, dec } from '@/lib/domain/decimal'
import { timeframeMs, type Candle, type Timeframe } from '@/lib/domain/market/candle'
import { roundPriceToTick, type MarketRules } from '@/lib/domain/market/precision'
import { resampleCandles } from '@/lib/domain/market/resample-candles'
import { seededRandom } from '@/lib/domain/random'
import { MarketDataError, type MarketDataFeed } from '@/lib/market-data/feed'
import type { Quote } from '@/lib/market-data/quote'

export interface SimulatedSymbolSpec {
  /** Starting mid price, e.g. '60000'. */
  start: string
  tickSize?: string
  stepSize?: string
  minNotional?: string
}

export interface SimulatedFeedOptions {
  seed?: number
  /** The whole universe of the feed; defaults to BTC/USDT, ETH/USDT and SOL/USDT. */
  symbols?: Record<string, SimulatedSymbolSpec>
  /** Standard deviation of one step's log-return, in basis points. */
  volatilityBpsPerTick?: number
  /** Full bid-ask spread around the mid, in basis points (before rounding out to the tick). */
  spreadBps?: number
  clock?: () => number
}

const DEFAULT_SYMBOLS: Record<string, Required<SimulatedSymbolSpec>> = {
  'BTC/USDT': { start: '60000', tickSize: '0.01', stepSize: '0.00001', minNotional: '5' },
  'ETH/USDT': { start: '3000', tickSize: '0.01', stepSize: '0.0001', minNotional: '5' },
  'SOL/USDT': { start: '150', tickSize: '0.01', stepSize: '0.001', minNotional: '5' },
}
const FALLBACK_RULES = { tickSize: '0.01', stepSize: '0.00001', minNotional: '0' }

interface WalkState {
  rules: MarketRules
  mid: Decimal
  random: () => number
  /** One-minute bars built from the walk's own steps (bounded). */
  minuteBars: Candle[]
  /** Synthetic bars before the first step, per timeframe, generated once so they never change. */
  history: Map<Timeframe, Candle[]>
}

const MAX_MINUTE_BARS = 5_000
const MIN_HISTORY_BARS = 200

/**
 * A seeded geometric random walk. Every call to `fetchQuotes` is one time step for every symbol
 * of the feed (asked for or not), and each symbol draws from its own seeded stream, so a symbol's
 * path depends only on the seed and the number of polls — never on timing or on which other
 * symbols were requested. The first poll shows the start prices.
 */
export function createSimulatedFeed(options: SimulatedFeedOptions = {}): MarketDataFeed {
  const { seed = 42, symbols, volatilityBpsPerTick = 5, spreadBps = 2, clock = Date.now } = options
  if (!Number.isInteger(seed)) throw new MarketDataError(`simulated feed: seed must be an integer, got ${seed}`, false)
  if (!(volatilityBpsPerTick >= 0)) throw new MarketDataError(`simulated feed: volatilityBpsPerTick must be >= 0, got ${volatilityBpsPerTick}`, false)
  if (!(spreadBps >= 0)) throw new MarketDataError(`simulated feed: spreadBps must be >= 0, got ${spreadBps}`, false)

  const sigma = volatilityBpsPerTick / 10_000
  const walks = new Map<string, WalkState>()
  for (const [symbol, spec] of Object.entries(symbols ?? DEFAULT_SYMBOLS)) {
    walks.set(symbol, newWalk(symbol, spec, seed))
  }
  let steps = 0
  let closed = false

  const walkFor = (symbol: string): WalkState => {
    const walk = walks.get(symbol)
    if (!walk) {
      throw new MarketDataError(`Unknown symbol ${symbol}: the simulated feed knows ${[...walks.keys()].join(', ')}`, false, symbol)
    }
    return walk
  }

  return {
    kind: 'simulated',
    label: `Simulated: random walk (seed ${seed})`,
    async marketRules(symbol) {
      return { ...walkFor(symbol).rules }
    },
    async listSymbols() {
      return [...walks.keys()]
    },
    async fetchQuotes(requested) {
      if (closed) throw new MarketDataError('simulated feed is closed', false)
      const selected = requested.map(walkFor) // validate everything before time moves
      if (steps > 0) {
        for (const walk of walks.values()) walk.mid = walk.mid.mul(dec(sigma * standardNormal(walk.random)).exp())
      }
      steps += 1
      const now = clock()
      for (const walk of walks.values()) recordMinuteBar(walk, now)
      return selected.map((walk) => quoteAroundMid(walk.rules, walk.mid, spreadBps, now, now))
    },
    async fetchCandles(symbol, timeframe, limit) {
      const walk = walkFor(symbol)
      const tfMs = timeframeMs(timeframe)
      const live = resampleCandles(walk.minuteBars, tfMs)
      let history = walk.history.get(timeframe)
      if (!history || history.length < limit) {
        // Anchored at the first live bar (or now), so history and live bars join up.
        const anchorTime = live[0]?.openTime ?? Math.floor(clock() / tfMs) * tfMs
        const anchorPrice = live[0]?.open ?? walk.mid
        history = syntheticHistory(walk.rules, anchorPrice, anchorTime, tfMs, Math.max(limit, MIN_HISTORY_BARS), sigma, (seed ^ fnv1a(`${symbol}|${timeframe}`)) >>> 0)
        walk.history.set(timeframe, history)
      }
      return [...history, ...live].slice(-limit)
    },
    async close() {
      closed = true
    },
  }
}

function newWalk(symbol: string, spec: SimulatedSymbolSpec, seed: number): WalkState {
  const [base, quote, extra] = symbol.split('/')
  if (!base || !quote || extra !== undefined) {
    throw new MarketDataError(`simulated feed: symbol must look like BASE/QUOTE, got "${symbol}"`, false, symbol)
  }
  const defaults = DEFAULT_SYMBOLS[symbol] ?? FALLBACK_RULES
  const parse = (name: string, value: string): Decimal => {
    let d: Decimal
    try {
      d = dec(value)
    } catch {
      throw new MarketDataError(`simulated feed: ${symbol} ${name} is not a number: "${value}"`, false, symbol)
    }
    if (d.isNeg() || (name !== 'minNotional' && d.isZero())) {
      throw new MarketDataError(`simulated feed: ${symbol} ${name} must be positive, got ${value}`, false, symbol)
    }
    return d
  }
  const stepSize = parse('stepSize', spec.stepSize ?? defaults.stepSize)
  return {
    rules: {
      symbol,
      base,
      quote,
      tickSize: parse('tickSize', spec.tickSize ?? defaults.tickSize),
      stepSize,
      minQty: stepSize, // one step is the smallest quantity the grid allows
      minNotional: parse('minNotional', spec.minNotional ?? defaults.minNotional),
    },
    mid: parse('start', spec.start),
    random: seededRandom((seed ^ fnv1a(symbol)) >>> 0),
    minuteBars: [],
    history: new Map(),
  }
}

function recordMinuteBar(walk: WalkState, now: number): void {
  const price = walk.mid.toNearest(walk.rules.tickSize, Decimal.ROUND_HALF_UP)
  const [bar] = resampleCandles([{ openTime: now, open: price, high: price, low: price, close: price, volume: dec(0) }], 60_000)
  const last = walk.minuteBars[walk.minuteBars.length - 1]
  if (last && last.openTime === bar!.openTime) {
    walk.minuteBars[walk.minuteBars.length - 1] = resampleCandles([last, bar!], 60_000)[0]!
  } else {
    walk.minuteBars.push(bar!)
    if (walk.minuteBars.length > MAX_MINUTE_BARS) walk.minuteBars.shift()
  }
}

/**
 * `count` bars ending just before `anchorTime`, walking backwards from `anchorPrice` with the
 * walk's volatility scaled to the bar length (assuming one step per second, the default poll).
 * Clearly simulated, like every price from this feed; it lets strategies start at once.
 */
function syntheticHistory(rules: MarketRules, anchorPrice: Decimal, anchorTime: number, tfMs: number, count: number, sigmaPerStep: number, seed: number): Candle[] {
  const random = seededRandom(seed)
  const sigmaBar = sigmaPerStep * Math.sqrt(tfMs / 1000)
  const tick = rules.tickSize
  const bars: Candle[] = []
  let close = anchorPrice
  for (let i = 1; i <= count; i++) {
    const open = close.mul(dec(-sigmaBar * standardNormal(random)).exp())
    const wick = dec(Math.abs(standardNormal(random)) * sigmaBar * 0.5)
    const high = Decimal.max(open, close).mul(wick.plus(1)).toNearest(tick, Decimal.ROUND_UP)
    const low = Decimal.min(open, close).mul(dec(1).minus(wick)).toNearest(tick, Decimal.ROUND_DOWN)
    bars.push({ openTime: anchorTime - i * tfMs, open: open.toNearest(tick), high, low: Decimal.max(low, tick), close: close.toNearest(tick), volume: dec(0) })
    close = open
  }
  return bars.reverse()
}

/**
 * Irwin–Hall: the sum of 12 uniforms minus 6 has mean 0 and variance 1. Plain additions only,
 * so the sequence is bit-identical on every platform (Box–Muller's log/cos need not be).
 */
function standardNormal(random: () => number): number {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += random()
  return sum - 6
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * A synthetic top of book around a mid price: the bid rounds down and the ask up to the tick, so
 * the spread is never narrower than asked for and bid < ask always holds; `last` is the mid on
 * the tick grid. Shared by the random-walk and candle-replay feeds.
 */
export function quoteAroundMid(rules: MarketRules, mid: Decimal, spreadBps: number, exchangeTs: number, receivedAt: number): Quote {
  const tick = rules.tickSize
  const half = mid.mul(spreadBps).div(20_000)
  const bid = Decimal.max(roundPriceToTick(mid.minus(half), tick, 'DOWN'), tick)
  let ask = roundPriceToTick(mid.plus(half), tick, 'UP')
  if (!ask.gt(bid)) ask = bid.plus(tick)
  const last = Decimal.min(Decimal.max(mid.toNearest(tick, Decimal.ROUND_HALF_UP), bid), ask)
  return { symbol: rules.symbol, bid, ask, last, exchangeTs, receivedAt }
}
