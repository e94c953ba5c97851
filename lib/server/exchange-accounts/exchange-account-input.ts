import { z } from 'zod'
import { normaliseBaseUrl } from '@/lib/exchange/ccxt/rest-base-url'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { textField } from '@/lib/server/validation/text-field'

export const VENUES = ['binance', 'coinbase'] as const
export const LIVE_MODES = ['TESTNET', 'LIVE'] as const

/** A base URL longer than this is not a host someone typed. */
const BASE_URL_MAX = 300

const ZName = textField({ max: 60 }).min(1, 'is required')
const ZVenue = z.enum(VENUES, { error: 'must be binance or coinbase' })
const ZMode = z.enum(LIVE_MODES, { error: 'must be TESTNET or LIVE' })
// Messages never echo the value: keys are secrets.
const ZApiKey = textField({ max: 512 }).min(1, 'is required')
// Coinbase CDP secrets are PEM private keys: line breaks are part of them.
const ZSecret = textField({ max: 4096, multiline: true }).min(1, 'is required')
const ZQuoteCurrency = textField({ max: 10 }).toUpperCase().regex(/^[A-Z0-9]{2,10}$/, 'must be a currency code such as USDT')

/**
 * What is wrong with a base URL, in words that do not repeat it (it is user input): the REST host
 * that replaces the exchange's own is scheme, host, port and optionally a path prefix, nothing
 * else. Stricter than the adapters' own check: no user name or password either.
 */
export function baseUrlProblem(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'must be an http:// or https:// URL'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL'
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) return 'must not have a query string or fragment'
  if (url.username || url.password) return 'must not carry a user name or password'
  return null
}

const ZBaseUrl = textField({ max: BASE_URL_MAX })
  .superRefine((v, ctx) => {
    const problem = v === '' ? null : baseUrlProblem(v)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
  // Stored as the adapters will use it (their one rule): no trailing slash.
  .transform((v) => (v === '' ? null : normaliseBaseUrl(v, 'exchange')))

const LIVE_NEEDS_CONFIRMATION = 'LIVE trades real money: set confirmLive to true to confirm'
export const COINBASE_NO_TESTNET = 'Coinbase has no test environment; use LIVE (with baseUrl for a local test server)'

export const ZCreateExchangeAccountRequest = z
  .strictObject({
    name: ZName,
    exchange: ZVenue,
    mode: ZMode,
    apiKey: ZApiKey,
    secret: ZSecret,
    /** Replaces the exchange's REST host, keeping its paths (gateways, regional hosts, local test servers). Empty: the exchange's own. */
    baseUrl: ZBaseUrl.optional(),
    /** Default: USDT on Binance, USD on Coinbase. */
    quoteCurrency: ZQuoteCurrency.optional(),
    /** Must be true for mode LIVE. */
    confirmLive: ZFormBoolean.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'LIVE' && v.confirmLive !== true) ctx.addIssue({ code: 'custom', path: ['confirmLive'], message: LIVE_NEEDS_CONFIRMATION })
    if (v.exchange === 'coinbase' && v.mode === 'TESTNET') ctx.addIssue({ code: 'custom', path: ['mode'], message: COINBASE_NO_TESTNET })
  })

export const ZUpdateExchangeAccountRequest = z
  .strictObject({
    name: ZName.optional(),
    /** Replaced together with secret; the new pair is tested before it is saved. */
    apiKey: ZApiKey.optional(),
    secret: ZSecret.optional(),
    /** null or empty: back to the exchange's own host. */
    baseUrl: ZBaseUrl.nullable().optional(),
    mode: ZMode.optional(),
    confirmLive: ZFormBoolean.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.apiKey === undefined) !== (v.secret === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.apiKey === undefined ? 'apiKey' : 'secret'], message: 'apiKey and secret are replaced together' })
    }
    if (v.mode === 'LIVE' && v.confirmLive !== true) ctx.addIssue({ code: 'custom', path: ['confirmLive'], message: LIVE_NEEDS_CONFIRMATION })
  })

export type CreateExchangeAccountInput = z.output<typeof ZCreateExchangeAccountRequest>
export type UpdateExchangeAccountInput = z.output<typeof ZUpdateExchangeAccountRequest>
