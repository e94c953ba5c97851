/** How `npm start` treats a child (web app or worker) that exited without being asked to. */
export interface RestartPolicy {
  /** This many exits within `windowMs` and the child is left down. */
  crashLimit: number
  windowMs: number
  /** Delay before the first restart; doubled for each further exit within the window. */
  firstDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { crashLimit: 5, windowMs: 60_000, firstDelayMs: 500, maxDelayMs: 10_000 }

export type RestartDecision = { action: 'restart'; delayMs: number; recentCrashes: number[] } | { action: 'give-up'; recentCrashes: number[] }

/**
 * `previous` = times of earlier unexpected exits; `now` = this one. Backoff keeps a child that
 * dies at start from looping hot; giving up after `crashLimit` leaves the rest of the product
 * (web, database, panic button) running rather than restarting forever. Exits older than the
 * window are forgotten, so a crash after a calm minute restarts quickly again.
 */
export function decideRestart(previous: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  const recentCrashes = [...previous.filter((t) => now - t < policy.windowMs), now]
  if (recentCrashes.length >= policy.crashLimit) return { action: 'give-up', recentCrashes }
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (recentCrashes.length - 1))
  return { action: 'restart', delayMs, recentCrashes }
}

/** What a supervisor (`prefix`: its log lines' start; `command`: what runs it) says of `name`'s unexpected exit, given its decision. */
export function exitNotice(name: string, how: string, d: RestartDecision, o: { prefix: string; command: string; policy: RestartPolicy }): string {
  if (d.action === 'restart') return `${o.prefix} ${name} exited unexpectedly (${how}); restarting in ${d.delayMs / 1000} s`
  return (
    `${o.prefix} ${name} exited unexpectedly (${how})\n` +
    `${o.prefix} ${name} crashed ${d.recentCrashes.length} times in ${o.policy.windowMs / 1000} s; leaving it down — see the log above; restart ${o.command} when fixed`
  )
}
