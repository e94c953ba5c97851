/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, tab or carriage
 * return) as a formula, so text from outside (messages, reasons, names, exchange errors) could
 * run one when an export is opened (CSV injection). As OWASP recommends, such a cell is
 * prefixed with a single quote, which spreadsheets show as text. Plain decimals ("-12.5": our
 * own exact numbers, never a formula) stay as they are so they still read as numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return FORMULA_START.test(text) && !PLAIN_DECIMAL.test(text) ? `'${text}` : text
}
