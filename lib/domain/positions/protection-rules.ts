import { sumDec, type Decimal } from '@/lib/domain/decimal'
import type { FieldError } from '@/lib/domain/field-error'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

export interface TakeProfitLevel {
  price: Decimal
  /** Percent of the position closed at this level, in (0, 100]. */
  sharePct: Decimal
}

export interface ProtectionInput {
  side: PositionSide
  /** The price the stop and targets are judged against: an entry's limit price or ask/bid, an open position's exit price. */
  referencePrice: Decimal
  /** What that price is, as the messages name it ("the limit price", "the current bid"). */
  referenceName: string
  stopLoss: Decimal | null
  takeProfits: readonly TakeProfitLevel[]
}

/** Every problem with a position's stop loss and take-profits; empty when they are valid. */
export function validateProtection(input: ProtectionInput): FieldError[] {
  const { side, referencePrice, referenceName, stopLoss, takeProfits } = input
  const ref = `${referenceName} ${referencePrice.toFixed()}`
  const errors: FieldError[] = []

  if (!referencePrice.gt(0)) {
    // Without a positive reference the side checks below would be meaningless.
    return [{ field: 'referencePrice', message: `${ref} must be greater than 0` }]
  }

  if (stopLoss === null) {
    errors.push({ field: 'stopLoss', message: 'a stop loss is required' })
  } else if (!stopLoss.gt(0)) {
    errors.push({ field: 'stopLoss', message: `stop loss ${stopLoss.toFixed()} must be greater than 0` })
  } else if (side === 'LONG' ? !stopLoss.lt(referencePrice) : !stopLoss.gt(referencePrice)) {
    const where = side === 'LONG' ? 'below' : 'above'
    errors.push({
      field: 'stopLoss',
      message: `stop loss ${stopLoss.toFixed()} must be ${where} ${ref} for a ${side}`,
    })
  }

  takeProfits.forEach((tp, i) => {
    const label = `take profit ${i + 1}`
    if (!tp.price.gt(0)) {
      errors.push({ field: `takeProfits.${i}.price`, message: `${label} price ${tp.price.toFixed()} must be greater than 0` })
    } else if (side === 'LONG' ? !tp.price.gt(referencePrice) : !tp.price.lt(referencePrice)) {
      const where = side === 'LONG' ? 'above' : 'below'
      errors.push({
        field: `takeProfits.${i}.price`,
        message: `${label} price ${tp.price.toFixed()} must be ${where} ${ref} for a ${side}`,
      })
    }
    if (!tp.sharePct.gt(0) || tp.sharePct.gt(100)) {
      errors.push({
        field: `takeProfits.${i}.sharePct`,
        message: `${label} share ${tp.sharePct.toFixed()}% must be more than 0% and at most 100%`,
      })
    }
  })

  const totalShare = sumDec(takeProfits.map((tp) => tp.sharePct))
  if (totalShare.gt(100)) {
    errors.push({
      field: 'takeProfits',
      message: `take profit shares add up to ${totalShare.toFixed()}%, which is more than 100% of the position`,
    })
  }
  return errors
}
