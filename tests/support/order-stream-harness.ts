import type { Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { OrderStream } from '@/workers/orders/order-stream'
import { waitFor } from './wait-for'

/**
 * The worker's OrderStream as the private-stream tests drive it, with what they read: its log
 * lines, and the reconciliation passes it asked for (`passes`, and `passesDone` once a pass is
 * over). Fields are read lazily, so a describe's per-test database and account can be used.
 */
export function orderStreamHarness(ctx: { db: () => Db; actor: () => ActorRef; accountId: () => string }) {
  const h = {
    stream: null as OrderStream | null,
    logs: [] as string[],
    passes: 0,
    passesDone: 0,
    /** Starts the loop; `reconcile` is what a (re)subscription asks for. Redials quickly (200 ms steps, at most 1 s). */
    start(reconcile: () => Promise<unknown> = async () => {}): OrderStream {
      h.stream = new OrderStream(ctx.db(), {
        actor: ctx.actor(),
        log: (m) => h.logs.push(m),
        reconcile: async () => {
          h.passes++
          await reconcile()
          h.passesDone++
        },
        backoffMs: (n) => Math.min(200 * n, 1000),
      }).start()
      return h.stream
    },
    /** This test's account (the database may also hold the accounts of earlier tests). */
    status: () => h.stream!.status().find((x) => x.accountId === ctx.accountId()),
    subscribed: (n: number) => waitFor(async () => (h.status()?.subscriptions ?? 0) >= n && h.status()!.state === 'subscribed', `subscription ${n}`, 10_000),
    /** Stops the loop and forgets what it saw (afterEach). */
    async stop() {
      await h.stream?.stop()
      h.stream = null
      h.logs = []
      h.passes = 0
      h.passesDone = 0
    },
  }
  return h
}
