/** One editable take-profit row of a form, as typed. */
export interface TakeProfitRow {
  price: string
  sharePct: string
}

/**
 * The rows a form sends: fully blank rows are dropped (an untouched spare row is not an
 * error), and `indexMap[k]` is the form row of sent level k so server errors land on it.
 */
export function takeProfitsFromRows(rows: readonly TakeProfitRow[]): { takeProfits: TakeProfitRow[]; indexMap: number[] } {
  const takeProfits: TakeProfitRow[] = []
  const indexMap: number[] = []
  rows.forEach((r, i) => {
    const price = r.price.trim()
    const sharePct = r.sharePct.trim()
    if (price === '' && sharePct === '') return
    takeProfits.push({ price, sharePct })
    indexMap.push(i)
  })
  return { takeProfits, indexMap }
}

/** Rewrites `takeProfits.<sent index>.x` error keys to the form's row index. */
export function remapTakeProfitErrors(errors: Readonly<Record<string, string>>, indexMap: readonly number[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, message] of Object.entries(errors)) {
    const m = /^takeProfits\.(\d+)(\..*)?$/.exec(field)
    const row = m ? indexMap[Number(m[1])] : undefined
    out[m && row !== undefined ? `takeProfits.${row}${m[2] ?? ''}` : field] = message
  }
  return out
}

/** Same levels in the same order (compared as typed, after trimming)? */
export function sameTakeProfits(a: readonly TakeProfitRow[], b: readonly TakeProfitRow[]): boolean {
  return a.length === b.length && a.every((x, i) => x.price.trim() === b[i].price.trim() && x.sharePct.trim() === b[i].sharePct.trim())
}

/** Field errors the form has no place for, as readable lines for the general error box. */
export function unplacedErrors(errors: Readonly<Record<string, string>>, placed: (field: string) => boolean): string[] {
  return Object.entries(errors)
    .filter(([field]) => !placed(field))
    .map(([field, message]) => (field ? `${field}: ${message}` : message))
}
