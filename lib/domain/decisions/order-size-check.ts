import type { Decimal } from '@/lib/domain/decimal'
import { checkOrderSize, type MarketRules } from '@/lib/domain/market/precision'
import type { Check } from './validation-result'

/**
 * The exchange's size rules for an order of `qty` at `price`, as a check. `beforeStep` is the
 * quantity before truncation to the step, so the message can say where a too-small size came from.
 */
export function checkOrderQty(label: string, rules: MarketRules, qty: Decimal, price: Decimal, beforeStep?: Decimal): Check {
  const problems = checkOrderSize(rules, qty, price)
  const truncated =
    beforeStep && !beforeStep.eq(qty)
      ? ` (${beforeStep.toSignificantDigits(12).toFixed()} truncated to the step size ${rules.stepSize.toFixed()})`
      : ''
  return {
    name: 'order size',
    satisfied: problems.length === 0,
    currentValue: `${qty.toFixed()} ${rules.base} (${qty.mul(price).toFixed()} ${rules.quote})`,
    requiredValue: `>= ${rules.minQty.toFixed()} ${rules.base} and >= ${rules.minNotional.toFixed()} ${rules.quote}`,
    message: `${label} quantity ${qty.toFixed()}${truncated} at ${price.toFixed()}: ${problems.join('; ')}`,
  }
}
