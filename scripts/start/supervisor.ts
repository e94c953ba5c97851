import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { decideRestart, DEFAULT_RESTART_POLICY, exitNotice, type RestartPolicy } from './restart-policy'

const ROOT = path.resolve(import.meta.dirname, '../..')
/** Makes a child stop itself when this process is gone (see the file). */
export const EXIT_WITH_PARENT = path.join(import.meta.dirname, 'exit-with-parent.cjs')

interface Child {
  name: string
  args: string[]
  env: NodeJS.ProcessEnv
  proc: ChildProcess | null
  exited: Promise<void> | null
  crashes: number[]
  restartTimer: NodeJS.Timeout | null
}

/**
 * Runs the product's Node processes (web app, worker) and keeps them up: one that exits
 * unexpectedly is restarted with backoff while the others keep running (see restart-policy.ts).
 */
export class Supervisor {
  private readonly children: Child[] = []
  private stopping = false

  readonly policy: RestartPolicy
  private readonly stopTimeoutMs: number
  readonly command: string
  readonly prefix: string
  private readonly onGiveUp: (name: string) => void

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly say: (m: string) => void,
    o: {
      policy?: RestartPolicy
      stopTimeoutMs?: number
      /** The command that runs this supervisor, and what its log lines begin with (as `say`'s do). */
      command?: string
      prefix?: string
      /** Called with the child's name when one is left down (see the policy). */
      onGiveUp?: (name: string) => void
    } = {},
  ) {
    this.policy = o.policy ?? DEFAULT_RESTART_POLICY
    this.stopTimeoutMs = o.stopTimeoutMs ?? 15_000
    this.command = o.command ?? 'npm start'
    this.prefix = o.prefix ?? '[start]'
    this.onGiveUp = o.onGiveUp ?? (() => {})
  }

  /** Starts `node <args>` as `name`. */
  add(name: string, args: string[], envExtra: Record<string, string> = {}) {
    const child: Child = { name, args, env: { ...this.env, ...envExtra }, proc: null, exited: null, crashes: [], restartTimer: null }
    this.children.push(child)
    this.spawn(child)
  }

  private spawn(c: Child) {
    // Own process group: a Ctrl-C in the terminal goes to the whole foreground group, and the
    // children must stop in order (they first, then the database), when this process says so.
    const args = ['--require', EXIT_WITH_PARENT, ...c.args]
    const proc = spawn(process.execPath, args, { cwd: ROOT, env: c.env, stdio: ['ignore', 'inherit', 'inherit'], detached: true })
    c.proc = proc
    c.exited = new Promise((resolve) => {
      let done = false
      const onEnd = (how: string) => {
        if (done) return
        done = true
        if (c.proc === proc) c.proc = null
        resolve()
        this.onExit(c, how)
      }
      proc.once('exit', (code, signal) => onEnd(signal ? `killed by ${signal}` : `exit code ${code}`))
      proc.once('error', (e) => onEnd(`could not start: ${e.message}`))
    })
    if (proc.pid) this.say(`${c.name} started (pid ${proc.pid})`)
  }

  private onExit(c: Child, how: string) {
    if (this.stopping) return
    const d = decideRestart(c.crashes, Date.now(), this.policy)
    c.crashes = d.recentCrashes
    console.error(exitNotice(c.name, how, d, this))
    if (d.action === 'give-up') return this.onGiveUp(c.name)
    c.restartTimer = setTimeout(() => {
      c.restartTimer = null
      if (!this.stopping) this.spawn(c)
    }, d.delayMs)
  }

  /** SIGTERM to every child, SIGKILL to any still running after the timeout; resolves when all have exited. */
  async stopAll() {
    this.stopping = true
    await Promise.all(
      this.children.map(async (c) => {
        if (c.restartTimer) clearTimeout(c.restartTimer)
        const proc = c.proc
        if (!proc?.pid) return
        signalGroup(proc.pid, 'SIGTERM')
        const timer = setTimeout(() => {
          this.say(`${c.name} did not stop within ${this.stopTimeoutMs / 1000} s; killing it`)
          signalGroup(proc.pid!, 'SIGKILL')
        }, this.stopTimeoutMs)
        await c.exited
        clearTimeout(timer)
      }),
    )
  }
}

/** The child leads its own process group (detached), so this reaches anything it started too. */
function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}
