import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ContextCandle, DecisionContext } from '@/lib/ai/decision-context'

/**
 * The versioned system prompt lives in prompts/<version>.md so a change to it is a reviewable
 * file with a new version name; every decision records the version it was made with.
 */
export const PROMPT_VERSION = 'trade-decision.v1'

const PROMPT_FILE = `${PROMPT_VERSION}.md`
let cached: string | undefined

/**
 * Candidate locations, most likely first: the repo root as the working directory (vitest, tsx,
 * the worker and the web server are all started there), then every ancestor of this module's own
 * file (covers a process started elsewhere; in a Next.js bundle this walks up out of .next/).
 */
function candidatePaths(): string[] {
  const found = [path.join(process.cwd(), 'prompts', PROMPT_FILE)]
  if (import.meta.url.startsWith('file:')) {
    let dir = path.dirname(fileURLToPath(import.meta.url))
    for (;;) {
      found.push(path.join(dir, 'prompts', PROMPT_FILE))
      const parent = path.dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  }
  return found
}

/** The system prompt text for PROMPT_VERSION, read once per process. */
export function loadSystemPrompt(): string {
  if (cached !== undefined) return cached
  const candidates = candidatePaths()
  const file = candidates.find((p) => existsSync(p))
  if (!file) throw new Error(`system prompt ${PROMPT_FILE} not found (looked in ${candidates.slice(0, 3).join(', ')}, ...)`)
  cached = readFileSync(file, 'utf8').trim()
  return cached
}

function candleTable(candles: ContextCandle[]): string {
  return ['t,o,h,l,c,v', ...candles.map((k) => [k.t, k.o, k.h, k.l, k.c, k.v].join(','))].join('\n')
}

function positionLine(ctx: DecisionContext): string {
  const p = ctx.position
  if (!p) return `Open position in ${ctx.symbol}: none.`
  const stop = p.stopLoss ?? 'none'
  return (
    `Open position in ${ctx.symbol}: ${p.side} ${p.qty} at ${p.avgEntryPrice}, ` +
    `unrealized PnL ${p.unrealizedPnl} ${ctx.trader.quoteCurrency} (${p.unrealizedPnlPct}%), ` +
    `stop loss ${stop}, ${p.takeProfits.length} take-profit level(s), open ${p.ageMinutes} min.`
  )
}

/**
 * The system prompt plus a user message carrying the context: a short summary, the context as a
 * JSON block (decimal strings as stored) and the candles as compact CSV tables (a JSON object per
 * candle would triple the tokens).
 */
export function renderDecisionPrompt(ctx: DecisionContext): { system: string; user: string } {
  const { candles, ...market } = ctx.market
  const json = {
    symbol: ctx.symbol,
    now: ctx.now,
    trader: ctx.trader,
    market,
    position: ctx.position,
    recentDecisions: ctx.recentDecisions,
    account: ctx.account,
    risk: ctx.risk,
  }
  const q = ctx.trader.quoteCurrency
  const candleSections = Object.entries(candles).map(
    ([timeframe, series]) =>
      `Candles ${ctx.symbol} ${timeframe} (${series.length}, oldest first; t = open time):\n${candleTable(series)}`,
  )
  const user = [
    `Decide now for ${ctx.symbol}. Time: ${ctx.now}.`,
    `Trader "${ctx.trader.name}": quote currency ${q}, ` +
      `${ctx.trader.canShort ? 'shorting allowed' : 'shorting NOT allowed'}, minimum confidence ${ctx.trader.minConfidence}` +
      `${ctx.risk.paused ? ', new entries PAUSED by risk limits' : ''}.`,
    `Market: bid ${market.bid}, ask ${market.ask}, tick size ${market.tickSize}.`,
    positionLine(ctx),
    '',
    `Context (prices and money in ${q}, quantities in the base asset, *Pct fields in percent; numbers as decimal strings):`,
    '```json',
    JSON.stringify(json, null, 2),
    '```',
    '',
    ...candleSections.flatMap((s) => [s, '']),
    `Answer with exactly one JSON decision object for "${ctx.symbol}".`,
  ].join('\n')
  return { system: loadSystemPrompt(), user }
}
