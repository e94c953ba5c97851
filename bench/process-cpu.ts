import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

// /proc/<pid>/stat counts CPU time in clock ticks (100 per second on Linux, but asked once).
let ticksPerSecond: number | undefined
function msPerTick(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  return 1000 / ticksPerSecond
}

function stat(pid: number): { comm: string; cpuMs: number } | null {
  let s: string
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null // exited
  }
  // comm is in parentheses and may hold spaces; the fields after it are space-separated.
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ')
  return { comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')), cpuMs: (Number(rest[11]) + Number(rest[12])) * msPerTick() }
}

/** User plus system CPU, in ms, that `pid` has used so far (0 once it has exited). */
export function processCpuMs(pid: number): number {
  return stat(pid)?.cpuMs ?? 0
}

/** CPU, in ms, used so far by every PostgreSQL process on this machine (server, backends, background workers). */
export function postgresCpuMs(): number {
  let ms = 0
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = stat(Number(name))
    if (s?.comm === 'postgres') ms += s.cpuMs
  }
  return ms
}
