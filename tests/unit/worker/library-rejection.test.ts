import ccxt from 'ccxt'
import { describe, expect, test } from 'vitest'
import { isCcxtInternalRejection } from '@/workers/library-rejection'

describe('isCcxtInternalRejection: which unhandled rejections the worker survives', () => {
  test('an error raised inside ccxt (its first frame is in ccxt)', () => {
    let raised: unknown
    try {
      new ccxt.binance().market('NOPE/USDT') // markets not loaded: ccxt throws from its own code
    } catch (e) {
      raised = e
    }
    expect(raised).toBeInstanceOf(Error)
    expect(isCcxtInternalRejection(raised)).toBe(true)
  })

  test('an error of ours, even one of ccxt\'s classes constructed in our code, is not', () => {
    expect(isCcxtInternalRejection(new Error('ours'))).toBe(false)
    expect(isCcxtInternalRejection(new ccxt.NetworkError('built here'))).toBe(false)
  })

  test('a frame in ccxt below the first one does not count; nor do non-errors', () => {
    const e = new Error('called through ccxt')
    e.stack = 'Error: called through ccxt\n    at handler (/app/lib/x.ts:1:1)\n    at Client.onMessage (/app/node_modules/ccxt/js/src/base/ws/Client.js:270:9)'
    expect(isCcxtInternalRejection(e)).toBe(false)
    expect(isCcxtInternalRejection('a string')).toBe(false)
    expect(isCcxtInternalRejection(undefined)).toBe(false)
  })
})
