// <input type="datetime-local"> shows and returns 'YYYY-MM-DDTHH:MM'; the pages read it as UTC,
// like every time they show.

/** An ISO 8601 time as the input's value. */
export const toUtcInput = (iso: string | undefined) => (iso ? iso.slice(0, 16) : '')

/** The input's value as an ISO 8601 UTC time (undefined when empty or not a time). */
export function fromUtcInput(v: string): string | undefined {
  if (!v) return undefined
  const d = new Date(`${v}Z`)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}
