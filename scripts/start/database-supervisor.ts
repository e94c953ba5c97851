import type { EmbeddedDatabase } from '@/lib/db/embedded-postgres'
import { decideRestart, DEFAULT_RESTART_POLICY, exitNotice, type RestartPolicy } from './restart-policy'

/** Starts the server once; `onUnexpectedExit` is called if it later exits without being stopped. */
export type StartDatabase = (onUnexpectedExit: (how: string) => void) => Promise<EmbeddedDatabase>

/**
 * Keeps `npm start`'s embedded PostgreSQL up. A server that exits without being asked to (killed
 * by the kernel's out-of-memory killer, say) is started again on the same data with the
 * children's restart policy; its crash recovery replays the log, so every committed transaction
 * is there. Meanwhile the web app answers 503 and reconnects by itself; the worker exits and,
 * restarted, waits for the database. A server that keeps dying is left down, as a child would be.
 */
export class DatabaseSupervisor {
  private current: EmbeddedDatabase | null = null
  private started: EmbeddedDatabase | null = null
  private crashes: number[] = []
  private stopping = false
  private timer: NodeJS.Timeout | null = null
  private starting: Promise<EmbeddedDatabase | null> = Promise.resolve(null)

  private constructor(
    private readonly startOnce: StartDatabase,
    private readonly say: (m: string) => void,
    private readonly policy: RestartPolicy,
  ) {}

  /** The first start: a failure here is the caller's (nothing was running before). */
  static async start(startOnce: StartDatabase, say: (m: string) => void, policy: RestartPolicy = DEFAULT_RESTART_POLICY) {
    const s = new DatabaseSupervisor(startOnce, say, policy)
    s.current = s.started = await s.launch()
    return s
  }

  // The first start's, the same on every start (same port, socket and password). An instance
  // exists only once start() has set it.
  get url(): string {
    return this.started!.url
  }

  get clusterDir(): string {
    return this.started!.clusterDir
  }

  private launch(): Promise<EmbeddedDatabase> {
    let db: EmbeddedDatabase | null = null
    const started = this.startOnce((how) => {
      // Only the running server's exit: one that died while it was being started fails its start instead.
      if (db && db === this.current) this.onExit(how)
    }).then((d) => (db = d))
    this.starting = started.catch(() => null)
    return started
  }

  private onExit(how: string) {
    this.current = null
    if (this.stopping) return
    const d = decideRestart(this.crashes, Date.now(), this.policy)
    this.crashes = d.recentCrashes
    console.error(exitNotice('database', how, d, { prefix: '[start]', command: 'npm start', policy: this.policy }))
    if (d.action === 'give-up') return
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.stopping) return
      this.launch().then(
        (db) => {
          if (this.stopping) return // stop() stops it
          this.current = db
          this.say('database started again')
        },
        // Not up again (its old processes still leaving, say): another exit for the policy.
        (e: Error) => this.onExit(`could not start: ${e.message.split('\n')[0]}`),
      )
    }, d.delayMs)
  }

  /** Stops the server (and any restart under way, once it has started); resolves when it has exited. */
  async stop() {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    const late = await this.starting
    await (this.current ?? late)?.stop()
  }
}
