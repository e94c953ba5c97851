// The worker process: market data, SL/TP monitoring, paper order matching, reconciliation.
import { ConfigError, env } from '@/lib/config/env'
import { createDb } from '@/lib/db/client'
import { waitForDatabase } from '@/lib/db/wait-for-database'
import { isCcxtInternalRejection } from './library-rejection'
import { startWorker, type Worker } from './worker'

let stopping = false

// A pg client whose server connection is cut (database restarted or stopped) emits 'error';
// one without a listener turns that into an uncaught exception. Log it as one line and exit:
// `npm start` restarts the worker, which reconnects and reloads its state from the database.
const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE'])
// Node ends the process on an unhandled rejection (as an uncaught exception, below), which is
// right for our own code. One raised inside ccxt's websocket client is logged instead: the stream
// it belonged to has failed and is redialled by its owner; ending the worker for it would only
// interrupt every other loop (and five such in a minute would leave the worker down).
process.on('unhandledRejection', (reason) => {
  if (!isCcxtInternalRejection(reason)) throw reason
  console.error(`[worker] ccxt left a rejection unhandled (a closed stream; its owner redials): ${(reason as Error).message}`)
})
process.on('uncaughtException', (e: Error & { code?: string }) => {
  if (stopping) process.exit(0)
  if (CONNECTION_LOST.has(e.code ?? '') || /Connection terminated/.test(e.message)) {
    console.error(`[worker] database connection lost (${e.message}); exiting`)
  } else {
    console.error(`[worker] fatal: ${e.stack ?? e}`)
  }
  process.exit(1)
})

async function main() {
  const cfg = env()
  const url = cfg.DATABASE_URL
  if (!url) throw new ConfigError('DATABASE_URL is not set (npm start sets it for the embedded database)')
  const db = createDb(url)
  let worker: Worker | null = null
  // Release every database connection before exiting: `npm start` stops PostgreSQL only after
  // the worker has gone. A signal during start-up exits at once (the process's sockets close).
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    try {
      await worker?.stop()
      await db.$disconnect()
    } catch (e) {
      console.error(`[worker] error while stopping: ${(e as Error).message}`)
    }
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  await waitForDatabase(url, { log: (m) => console.log(`[worker] ${m}`) })
  worker = await startWorker({ db, cfg, databaseUrl: url })
  console.log(`[worker] started as ${worker.id}`)
}

main().catch((e) => {
  if (stopping) process.exit(0)
  console.error(e instanceof ConfigError ? e.message : `[worker] failed to start: ${(e as Error).stack ?? e}`)
  process.exit(1)
})
