import { Decimal, dec } from '@/lib/domain/decimal'
import { roundPriceToTick, type MarketRules } from '@/lib/domain/market/precision'
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
}

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
      return selected.map((walk) => quoteAroundMid(walk.rules, walk.mid, spreadBps, now, now))
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
  }
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
