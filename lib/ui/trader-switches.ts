/** What the open-position form knows of a trader's switches (see halt-trading.ts): both must be on for it to open. */
export interface TraderSwitches {
  traderName: string
  quoteCurrency: string
  status: 'ACTIVE' | 'PAUSED' | 'HALTED'
  /** Its account's panic halt. */
  accountHalted: boolean
}

/** Why the trader opens nothing now ("paused", "halted", "its account is halted"), or null when it may open. */
export function stoppedAs(t: TraderSwitches): string | null {
  if (t.accountHalted) return 'its account is halted'
  return t.status === 'ACTIVE' ? null : t.status.toLowerCase()
}

/** The trader as the form lists it: its name, its currency, and how it is stopped, if it is. */
export function traderOptionLabel(t: TraderSwitches): string {
  const stopped = stoppedAs(t)
  return `${t.traderName} (${t.quoteCurrency})${stopped ? ` — ${stopped}` : ''}`
}

/** The trader the form starts with: the first that may open, else the first. */
export function firstOpenable<T extends TraderSwitches>(traders: readonly T[]): T | undefined {
  return traders.find((t) => stoppedAs(t) === null) ?? traders[0]
}

/** Said under the chosen trader when it is stopped: an order now would only be refused. */
export function stoppedNote(t: TraderSwitches): string | null {
  if (t.accountHalted) return `Trading is halted on ${t.traderName}'s account: an order is refused until a person re-enables trading.`
  if (t.status === 'ACTIVE') return null
  return `${t.traderName} is ${t.status.toLowerCase()}: an order is refused until a person resumes it on its page.`
}
