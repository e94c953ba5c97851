/** Hides the user:password part of every URL in a message (a MARKET_DATA_URL may carry them). */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\w+:\/\/)[^/\s@]+@/g, '$1***@')
}
