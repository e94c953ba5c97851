import { tradingDay, tradingDayStart } from '@/lib/domain/risk/trading-day'

/**
 * 'YYYY-MM-DD' calendar days as labels: the day `n` days after `day` (n may be negative). Pure
 * proleptic-Gregorian arithmetic (Howard Hinnant's days-from-civil), no time zone involved.
 */
export function addDays(day: string, n: number): string {
  return civilFromDays(dayNumber(day) + n)
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from)
}

const HOUR_MS = 3_600_000

/**
 * Epoch ms at which `day` begins in `timeZone` (local midnight, or the moment the clocks jump on a
 * day whose midnight a DST change skips).
 */
export function dayStart(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  dayNumber(day)
  // Noon UTC falls on `day` in zones within ±12 h; step towards it from zones further out.
  let at = Date.UTC(y, m - 1, d, 12)
  while (tradingDay(at, timeZone) > day) at -= 6 * HOUR_MS
  while (tradingDay(at, timeZone) < day) at += 6 * HOUR_MS
  return tradingDayStart(at, timeZone)
}

function dayNumber(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) throw new RangeError(`"${day}" is not a YYYY-MM-DD day`)
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]))
}

function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

function civilFromDays(z0: number): string {
  const z = z0 + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}
