import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import { validationError } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { findTraderRow } from './trader-settings-view'
import { parseRequest } from './update-trader-settings'
import { textField } from '@/lib/server/validation/text-field'

export const ZRequestAnalysisRequest = z.strictObject({
  /** Only this watched symbol; all of the trader's symbols when left out. */
  symbol: textField({ max: 40 }).toUpperCase().min(1, 'must not be empty').optional(),
})

export interface AnalysisRequested {
  requested: true
  traderId: string
  symbol: string | null
  /** Whether a worker reported recently: without one, nothing runs until a worker starts. */
  workerRunning: boolean
  message: string
}

/**
 * "Analyze now": asks the worker (NOTIFY `analyze`, which it LISTENs for) to run the trader's
 * analysis cycle at once, or right after the one in progress. The cycle records its decisions
 * as usual; its outcome shows on the trader as the last cycle time and error.
 */
export async function requestAnalysis(opts: { db: Db; userId: string; traderId: string; input?: unknown }): Promise<AnalysisRequested> {
  const input = parseRequest(ZRequestAnalysisRequest, opts.input)
  const t = await findTraderRow(opts.db, opts)
  if (input.symbol && !t.watchlist.includes(input.symbol)) {
    throw validationError([{ field: 'symbol', message: `${input.symbol} is not on ${t.name}'s watchlist` }])
  }
  await opts.db.$transaction((tx) => notify(tx, { kind: 'analyze', traderId: t.id, ...(input.symbol ? { symbol: input.symbol } : {}) }))
  const beat = await opts.db.workerHeartbeat.findFirst({ orderBy: { lastSeenAt: 'desc' }, select: { lastSeenAt: true } })
  // The health check's rule: alive while the heartbeat is younger than three intervals.
  const workerRunning = !!beat && Date.now() - beat.lastSeenAt.getTime() <= 3 * env().WORKER_HEARTBEAT_MS
  const what = input.symbol ? `${t.name} (${input.symbol})` : t.name
  return {
    requested: true,
    traderId: t.id,
    symbol: input.symbol ?? null,
    workerRunning,
    message: workerRunning
      ? `Analysis of ${what} requested: the worker runs it now.`
      : `Analysis of ${what} requested, but no worker is running: start the worker for it to run.`,
  }
}
