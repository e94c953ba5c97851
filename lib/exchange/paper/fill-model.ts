import { dec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { roundPriceToTick, type MarketRules } from '@/lib/domain/market/precision'
import type { OrderSide } from '@/lib/domain/positions/fill-ledger'

export type BookLevel = [price: Decimal, qty: Decimal]

export interface MarketSnapshot {
  bid: Decimal
  ask: Decimal
  last: Decimal
  /** Best first: highest price first. */
  bids?: BookLevel[]
  /** Best first: lowest price first. */
  asks?: BookLevel[]
}

export type Liquidity = 'MAKER' | 'TAKER'

export interface SimFill {
  qty: Decimal
  price: Decimal
  /** In quote currency. */
  fee: Decimal
  liquidity: Liquidity
}

export interface FillModelConfig {
  takerFeeRate: Decimal
  makerFeeRate: Decimal
  /** Slippage applied to every fill priced beyond the visible book, in basis points. */
  slippageBps: Decimal
  /** Extra basis points per 10,000 of quote notional, so bigger orders move the price more. */
  impactBpsPer10k: Decimal
  /** Up to this many extra basis points, drawn from the seeded random source. */
  jitterBps: Decimal
}

export const DEFAULT_FILL_MODEL_CONFIG: Readonly<FillModelConfig> = Object.freeze({
  takerFeeRate: dec('0.001'),
  makerFeeRate: dec('0.001'),
  slippageBps: dec(2),
  impactBpsPer10k: dec(1),
  jitterBps: dec(1),
})

const BPS = dec(10_000)
/**
 * The model's slippage grows with notional without bound; past the book it is capped here, so an
 * absurdly large order still fills at a price above zero (at half the touch, or one and a half times it).
 */
const MAX_SLIPPAGE_BPS = dec(5_000)

/**
 * How the paper exchange turns orders into fills. Pure and driven by an injected random source,
 * so a paper run or replay with the same seed and market data produces the same fills.
 */
export class FillModel {
  private readonly config: FillModelConfig

  constructor(
    config: Partial<FillModelConfig>,
    private readonly rng: () => number,
  ) {
    this.config = { ...DEFAULT_FILL_MODEL_CONFIG, ...config }
  }

  /**
   * Fills a market order: level by level through the visible book when there is one, and at the
   * touch (or past the last visible level) worsened by the slippage model otherwise.
   */
  marketFills(side: OrderSide, qty: Decimal, snap: MarketSnapshot, rules?: MarketRules): SimFill[] {
    if (!qty.gt(0)) throw new RangeError(`market order quantity must be greater than 0, got ${qty.toFixed()}`)
    const levels = (side === 'BUY' ? snap.asks : snap.bids) ?? []
    const fills: SimFill[] = []
    let remaining = qty
    let lastPrice = side === 'BUY' ? snap.ask : snap.bid

    for (const [price, available] of levels) {
      if (remaining.isZero()) break
      if (!available.gt(0)) continue
      const take = remaining.lt(available) ? remaining : available
      fills.push(this.takerFill(take, price, rules, side))
      remaining = remaining.minus(take)
      lastPrice = price
    }

    if (remaining.gt(0)) {
      // Past the visible book nobody knows the price; model it as the last seen price made worse.
      fills.push(this.takerFill(remaining, this.slipped(side, lastPrice, remaining), rules, side))
    }
    return fills
  }

  /**
   * The part of a new limit order the market takes as it is placed (a BUY at or above the ask, a
   * SELL at or below the bid), as an exchange would: taker fills level by level through the visible
   * book while the price is within the limit, or with no book the whole quantity at the touch.
   * The rest, if any, rests. Empty when the limit does not cross the market.
   */
  marketableLimitFills(order: { side: OrderSide; qty: Decimal; limitPrice: Decimal }, snap: MarketSnapshot, rules?: MarketRules): SimFill[] {
    const { side, qty, limitPrice } = order
    const within = (price: Decimal) => (side === 'BUY' ? price.lte(limitPrice) : price.gte(limitPrice))
    const touch = side === 'BUY' ? snap.ask : snap.bid
    if (!qty.gt(0) || !within(touch)) return []
    const levels = (side === 'BUY' ? snap.asks : snap.bids) ?? []
    if (levels.length === 0) return [this.takerFill(qty, touch, rules, side)]
    const fills: SimFill[] = []
    let remaining = qty
    for (const [price, available] of levels) {
      if (remaining.isZero() || !within(price)) break
      if (!available.gt(0)) continue
      const take = remaining.lt(available) ? remaining : available
      fills.push(this.takerFill(take, price, rules, side))
      remaining = remaining.minus(take)
    }
    return fills
  }

  /**
   * Fills a resting limit order once the market trades through it. Touching the limit is not
   * enough: the order may be behind others in the queue at that price, so only prices strictly
   * better than the limit count. With depth, only the quantity offered at those prices fills.
   */
  limitFill(order: { side: OrderSide; qty: Decimal; limitPrice: Decimal }, snap: MarketSnapshot): SimFill[] {
    const { side, qty, limitPrice } = order
    const better = (price: Decimal) => (side === 'BUY' ? price.lt(limitPrice) : price.gt(limitPrice))
    if (!qty.gt(0) || !better(side === 'BUY' ? snap.ask : snap.bid)) return []

    const levels = side === 'BUY' ? snap.asks : snap.bids
    let fillQty = qty
    if (levels && levels.length > 0) {
      const available = levels.filter(([price]) => better(price)).reduce((sum, [, q]) => sum.plus(q), ZERO)
      fillQty = available.lt(qty) ? available : qty
    }
    if (!fillQty.gt(0)) return []
    return [{ qty: fillQty, price: limitPrice, fee: this.fee(limitPrice.mul(fillQty), 'MAKER'), liquidity: 'MAKER' }]
  }

  /** Stops trigger on touch; the caller then executes them with `marketFills`. */
  stopTriggered(order: { side: OrderSide; triggerPrice: Decimal }, snap: MarketSnapshot): boolean {
    return order.side === 'SELL' ? snap.bid.lte(order.triggerPrice) : snap.ask.gte(order.triggerPrice)
  }

  /** Fee in quote currency for a fill of this quote notional. */
  fee(notional: Decimal, liquidity: Liquidity): Decimal {
    return notional.mul(liquidity === 'MAKER' ? this.config.makerFeeRate : this.config.takerFeeRate)
  }

  private slipped(side: OrderSide, price: Decimal, qty: Decimal): Decimal {
    const { slippageBps, impactBpsPer10k, jitterBps } = this.config
    const notional = price.mul(qty)
    const modelled = slippageBps.plus(impactBpsPer10k.mul(notional.div(BPS))).plus(jitterBps.mul(this.rng()))
    const bps = modelled.gt(MAX_SLIPPAGE_BPS) ? MAX_SLIPPAGE_BPS : modelled
    const factor = bps.div(BPS)
    return side === 'BUY' ? price.mul(factor.plus(1)) : price.mul(dec(1).minus(factor))
  }

  private takerFill(qty: Decimal, rawPrice: Decimal, rules: MarketRules | undefined, side: OrderSide): SimFill {
    // Rounded against the taker, so the simulation never flatters the user.
    const price = rules ? roundPriceToTick(rawPrice, rules.tickSize, side === 'BUY' ? 'UP' : 'DOWN') : rawPrice
    return { qty, price, fee: this.fee(price.mul(qty), 'TAKER'), liquidity: 'TAKER' }
  }
}
