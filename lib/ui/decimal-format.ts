import { dec, trimZeros, type Decimal } from '@/lib/domain/decimal'
import { roundQuoteAmount } from '@/lib/domain/quote-amount'

export interface DecimalFormat {
  /** Fixed decimal places (rounded half up); default: every digit the value has. */
  dp?: number
  /** At most this many places (rounded half up), trailing zeros trimmed down to `minDp`. */
  maxDp?: number
  minDp?: number
  /** Prefix positive values with '+'. */
  sign?: boolean
  /** Thousands separators in the integer part (default true). */
  group?: boolean
}

/**
 * Formats an exact decimal string for display without ever going through a JS number,
 * so '0.1' + '0.2' style float noise cannot appear in prices, quantities or PnL.
 * Null, empty and unparsable input render as an em dash.
 */
export function formatDecimal(value: string | Decimal | null | undefined, opts: DecimalFormat = {}): string {
  const d = parsed(value)
  if (!d) return '—'
  let s = opts.dp !== undefined ? d.toFixed(opts.dp) : opts.maxDp !== undefined ? trimZeros(d.toFixed(opts.maxDp), opts.minDp ?? 0) : d.toFixed()
  let negative = s.startsWith('-')
  if (negative) s = s.slice(1)
  // A value that rounds to zero shows no sign: "-0.00" reads as a loss.
  if (/^0(\.0*)?$/.test(s)) negative = false
  const [int, frac] = s.split('.')
  const intPart = opts.group === false ? int : int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const body = frac ? `${intPart}.${frac}` : intPart
  if (negative) return `-${body}`
  if (opts.sign && /[1-9]/.test(s)) return `+${body}`
  return body
}

// Grouping for an amount roundQuoteAmount already rounded, keeping its trailing zeros ("10,000.00").
const QUOTE_PLACES: DecimalFormat = { maxDp: 8, minDp: 2 }

/**
 * A PnL amount in quote currency with a sign, rounded as roundQuoteAmount does, so a small
 * position's PnL is not rounded away ("+4.9999", "+12.50", "-0.00421") and a BTC-quoted
 * trader's is not shown as zero.
 */
export function formatPnl(value: string | Decimal | null | undefined): string {
  return formatQuoteAmount(value, { sign: true })
}

/** An amount in quote currency (fees, balances) rounded as roundQuoteAmount does: "0.60", not "0.6000001"; signed like a PnL with `sign`. */
export function formatQuoteAmount(value: string | Decimal | null | undefined, { sign = false }: { sign?: boolean } = {}): string {
  const d = parsed(value)
  return d ? formatDecimal(roundQuoteAmount(d), { ...QUOTE_PLACES, sign }) : '—'
}

/**
 * A balance for display. The quote currency is rounded as roundQuoteAmount does (six
 * significant digits, 2 to 8 places): 9,899.6856332046 USDT shows as 9,899.69, a BTC-quoted
 * account's 0.0512345678 as 0.0512346. Any other asset shows every digit it has: a coin's
 * quantity is meaningful to its last place. `exact` is the unrounded value, for a tooltip.
 */
export function formatBalance(amount: string, isQuote: boolean): { text: string; exact: string } {
  const exact = formatDecimal(amount)
  if (!isQuote || exact === '—') return { text: exact, exact }
  return { text: formatQuoteAmount(amount), exact }
}

/** An account's equity with its currency ("9,999.63 USDT"), or "unpriced" when an asset has no price. */
export function formatEquity(equity: string | null, quoteCurrency: string): string {
  return equity === null ? 'unpriced' : `${formatBalance(equity, true).text} ${quoteCurrency}`
}

/** A percentage with two places and a sign, e.g. "-0.42%". */
export function formatPercent(value: string | Decimal | null | undefined): string {
  const s = formatDecimal(value, { dp: 2, sign: true })
  return s === '—' ? s : `${s}%`
}

/** Tailwind text colour for a signed amount: green above zero, red below, neutral otherwise. */
export function pnlTone(value: string | Decimal | null | undefined): string {
  const d = parsed(value)
  if (!d) return 'text-neutral-400'
  // Judge what is displayed, so "+0.00" is not painted green.
  const shown = dec(roundQuoteAmount(d))
  if (shown.gt(0)) return 'text-emerald-400'
  if (shown.lt(0)) return 'text-red-400'
  return 'text-neutral-300'
}

function parsed(value: string | Decimal | null | undefined): Decimal | null {
  if (value === null || value === undefined || value === '') return null
  try {
    const d = dec(value)
    return d.isFinite() ? d : null
  } catch {
    return null
  }
}
