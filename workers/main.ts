// The worker process: market data, SL/TP monitoring, paper order matching, reconciliation.
import { ConfigError, env } from '@/lib/config/env'
import { createDb } from '@/lib/db/client'
import { startWorker } from './worker'

async function main() {
  const cfg = env()
  const url = cfg.DATABASE_URL
  if (!url) throw new ConfigError('DATABASE_URL is not set (npm start sets it for the embedded database)')
  const db = createDb(url)
  const worker = await startWorker({ db, cfg, databaseUrl: url })
  console.log(`[worker] started as ${worker.id}`)
  let stopping = false
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    await worker.stop()
    await db.$disconnect()
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : `[worker] failed to start: ${(e as Error).stack ?? e}`)
  process.exit(1)
})
