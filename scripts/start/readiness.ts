// What `npm start` waits for before it says "ready": the web app answering, then the worker
// reporting and (when something is watched) prices arriving. An order sent before the first
// price is refused with 503, so "ready" means ready to trade — or says what is still missing.

import type { Health } from '@/lib/server/health/get-health'

/** What the wait for trading reads of health (getHealth's figures). */
export interface HealthBody {
  worker: Pick<Health['worker'], 'ok'>
  marketData: Pick<Health['marketData'], 'ok' | 'feedFailed' | 'error'>
}

/**
 * Reads health for the wait; null when it cannot be read right now. npm start reads it from the
 * database itself (getHealth): /api/health gives the feed's error only to signed-in callers.
 */
export type ReadHealth = () => Promise<HealthBody | null>

const POLL_MS = 300
const NO_WORKER = 'the worker has not reported yet'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function healthStatus(port: number): Promise<number | null> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/health`)
    await r.arrayBuffer()
    return r.status
  } catch {
    return null // not listening yet
  }
}

/** Resolves once the web app answers /api/health below 500; throws after `timeoutMs`. */
export async function waitForWebApp(port: number, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const status = await healthStatus(port)
    if (status !== null && status < 500) return
    await sleep(POLL_MS)
  }
  throw new Error(`the web app did not answer on port ${port} within ${timeoutMs / 1000} s`)
}

/**
 * Waits until the worker reports and the watched symbols have fresh prices. Resolves with null
 * when trading can start, or with what is still missing after `timeoutMs` — or at once when the
 * feed reports an error of its own (a wrong exchange URL does not mend by waiting). Never throws:
 * the web app is up, and the dashboard keeps showing the worker's and the feed's state.
 */
export async function waitForTrading(read: ReadHealth, timeoutMs = 60_000): Promise<string | null> {
  const end = Date.now() + timeoutMs
  let missing = NO_WORKER
  while (Date.now() < end) {
    const h = await read()
    if (h) {
      if (!h.worker.ok) missing = NO_WORKER
      else if (h.marketData.ok) return null
      else {
        missing = `market data: ${h.marketData.error ?? 'not ready'}`
        if (h.marketData.feedFailed) return missing
      }
    }
    await sleep(POLL_MS)
  }
  return missing
}
