import { textField } from './text-field'

/** A market symbol given as a filter (`btc/usdt` → `BTC/USDT`). */
export const ZSymbolField = textField({ max: 40 })
  .toUpperCase()
  .regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'must look like BTC/USDT')
