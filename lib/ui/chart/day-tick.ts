const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * The price chart's label for the first bar of a day, "3 Dec" (UTC, as every time on these
 * pages): the chart library's own is the day's number alone, which between "22:00" and "02:00"
 * on a phone-wide axis reads as an hour.
 */
export function dayTick(timeSec: number): string {
  const d = new Date(timeSec * 1000)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`
}
