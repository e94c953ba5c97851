import { z } from 'zod'
import { TRADE_SOURCES } from '@/lib/domain/performance/trade-source'
import { ACCOUNT_MODES, ZPerformanceQuery } from '@/lib/server/performance/performance-query'
import { MAX_CURVE_POINTS } from '@/lib/server/performance/equity-history'
import { ZDecisionPerformance } from './decision-schemas'
import { doc } from './response-schemas'

/**
 * The performance analytics: response shapes in the shared response registry, and the paths of
 * the OpenAPI document (GET /api/v1/performance and its CSV export of closed trades).
 */
const decimal = (description = 'An exact decimal as a string, e.g. "60010.5".') => doc(z.string().regex(/^-?\d+(\.\d+)?$/), { description, examples: ['60010.5'] })
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })

export const ZFigure = doc(
  z.object({
    value: decimal().nullable(),
    reason: doc(z.string().nullable(), { description: 'Why there is no value (e.g. "no losing trades (no loss to divide by)" for a profit factor); null when there is one.' }),
  }),
  { id: 'Figure', description: 'A figure that does not always exist: its value, or the reason it has none.' },
)
const figure = (description: string) => doc(ZFigure.extend({}), { description })

const ZBreakdownRow = doc(
  z.object({
    key: doc(z.string(), { description: 'Trader id, symbol, or source (MANUAL, RULES, AI, SIGNAL).' }),
    label: z.string(),
    closedTrades: z.number().int(),
    wins: z.number().int(),
    losses: z.number().int(),
    winRatePct: decimal('wins / closed trades × 100, 2 places.').nullable(),
    totalPnl: decimal('Realized PnL net of fees, exact.'),
    feesPaid: decimal(),
    profitFactor: figure('Gross profit / |gross loss|, 4 places.'),
  }),
  { id: 'PerformanceBreakdownRow' },
)

export const ZPerformanceReport = doc(
  z.object({
    scope: z.object({
      mode: doc(z.enum(ACCOUNT_MODES), { description: 'The one account mode every figure comes from; paper, testnet and live are never added up.' }),
      currency: doc(z.string().nullable(), { description: 'The quote currency of every money figure; null when no trader of yours trades in this mode.' }),
      currencies: doc(z.array(z.string()), { description: 'Quote currencies of your traders in this mode; pass one as `currency` (figures never add currencies up).' }),
      timeZone: doc(z.string(), { description: 'Your time zone: the days of the daily PnL and daily returns.' }),
      from: timestamp().nullable(),
      to: timestamp().nullable(),
    }),
    trades: doc(
      z.object({
        closedTrades: doc(z.number().int(), { description: 'Closed trades: a closed position, or the closed legs of one position group together (their PnL and fees summed).' }),
        wins: doc(z.number().int(), { description: 'Closed with realized PnL > 0.' }),
        losses: doc(z.number().int(), { description: 'Closed with realized PnL < 0.' }),
        breakeven: doc(z.number().int(), { description: 'Closed at exactly 0: neither a win nor a loss.' }),
        totalPnl: decimal('Sum of realized PnL, net of fees, exact.'),
        grossProfit: decimal('Sum of the winning trades\' PnL.'),
        grossLoss: decimal('Sum of the losing trades\' PnL (≤ 0).'),
        feesPaid: decimal('Every fee of the trades\' fills, in the quote currency.'),
        winRatePct: figure('wins / closed trades × 100, 2 places.'),
        profitFactor: figure('gross profit / |gross loss|, 4 places; no value without a losing trade (reason says so).'),
        expectancy: figure('win rate × average win − loss rate × |average loss| = mean PnL per closed trade, 8 places.'),
        avgWin: figure('Mean PnL of the winning trades, 8 places.'),
        avgLoss: figure('Mean PnL of the losing trades (negative), 8 places.'),
        largestWin: figure('Best trade, exact.'),
        largestLoss: figure('Worst trade, exact (negative).'),
        sqn: figure('System quality number √N × mean(PnL) / sample std(PnL), 4 places.'),
        maxConsecutiveWins: z.number().int(),
        maxConsecutiveLosses: z.number().int(),
        exposure: z.object({
          inMarketMs: doc(z.number().int(), { description: 'Time with at least one of the trades open, inside the period.' }),
          periodMs: z.number().int(),
          pct: figure('inMarketMs / periodMs × 100, 2 places.'),
          periodStart: doc(timestamp().nullable(), { description: '`from`, or the first trade\'s opening.' }),
          periodEnd: doc(timestamp(), { description: '`to`, or now.' }),
        }),
      }),
      { description: 'Statistics of the closed trades matching every filter.' },
    ),
    equity: doc(
      z.object({
        reason: doc(z.string().nullable(), { description: 'Why there is no equity curve; null when there is one.' }),
        notes: doc(z.array(z.string()), { description: 'What the curve does not cover for these filters (symbol and source filters, shared accounts, deposits).' }),
        accounts: doc(z.number().int(), { description: 'Accounts whose equity is added up (those of the traders in scope).' }),
        snapshots: z.number().int(),
        unpricedSkipped: doc(z.number().int(), { description: 'Snapshots left out because an asset had no price.' }),
        start: z.object({ at: timestamp(), equity: decimal() }).nullable(),
        end: z.object({ at: timestamp(), equity: decimal() }).nullable(),
        totalReturnPct: figure('Time-weighted return from the first to the last snapshot × 100 (a trader funded later is not a gain), 2 places.'),
        annualizedReturnPct: figure('(1 + total return)^(365 / days) − 1, × 100; needs a day of history.'),
        maxDrawdownPct: figure('Deepest fall from a previous high, × 100, 2 places.'),
        maxDrawdownDurationMs: doc(z.number().int().nullable(), { description: 'From that high until equity was back at it, or until the last snapshot while it is not.' }),
        maxDrawdownRecovered: z.boolean().nullable(),
        sharpe: figure('mean / sample std of daily returns × √365, 4 places.'),
        sortino: figure('mean daily return / downside deviation √(Σ min(r, 0)² / n) × √365, 4 places.'),
        calmar: figure('Annualized return / max drawdown, 4 places.'),
        days: doc(z.number().int(), { description: 'Calendar days of daily returns (a day without a snapshot keeps the day before\'s close).' }),
        curve: doc(z.array(z.object({ at: timestamp(), equity: decimal('The accounts\' equity added up.'), drawdownPct: decimal('Below the highest value so far × 100 (≤ 0).') })), {
          description: `Every snapshot, or with more than ${MAX_CURVE_POINTS}, the last one in each ${MAX_CURVE_POINTS}th of the period.`,
        }),
      }),
      { description: 'From the account equity snapshots the worker keeps (on a schedule and after every fill).' },
    ),
    dailyPnl: doc(z.array(z.object({ day: z.string(), pnl: decimal(), trades: z.number().int() })), {
      description: 'Realized PnL of the trades closed each day (your time zone), every day from the first close to the last.',
    }),
    byTrader: z.array(ZBreakdownRow),
    bySymbol: z.array(ZBreakdownRow),
    bySource: z.array(ZBreakdownRow),
    symbols: doc(z.array(z.string()), { description: 'Symbols of your closed trades in this mode (for a symbol filter).' }),
    ...ZDecisionPerformance.shape,
  }),
  { id: 'PerformanceReport' },
)

type Json = Record<string, unknown>
type QueryParameters = (schema: z.ZodObject, descriptions: Record<string, string>) => Json[]
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })
const E400 = err('Invalid input; `error.fields` names each invalid field.')
const E401 = err('Missing, invalid or revoked credentials.')

const FILTERS = {
  traderId: 'Only this trader\'s trades (and equity: its account).',
  symbol: 'Only trades in this symbol (e.g. BTC/USDT).',
  source: `Only trades opened this way: ${TRADE_SOURCES.join(', ')} (MANUAL: by a person; SIGNAL: by a decision a signal started).`,
  from: 'Only trades closed at or after this time (ISO 8601 with a zone, or a date meaning 00:00 UTC); equity from then.',
  to: 'Only trades closed before this time; equity until then.',
  mode: 'PAPER (default), TESTNET or LIVE: one at a time, never added up.',
  currency: 'The quote currency (default: that of most of your traders in the mode, or the symbol\'s).',
}

export function performancePaths(queryParameters: QueryParameters): Record<string, Json> {
  return {
    '/api/v1/performance': {
      get: {
        tags: ['performance'],
        operationId: 'getPerformance',
        summary: 'Performance of every closed trade: statistics, equity curve, drawdown, daily PnL, breakdowns',
        description:
          'Every closed trade (manual, rules, AI, signals) in one account mode and quote currency, with the filters. The decision breakdown ' +
          '(`entries`, `byBucket`, `outcomes`: executed entry decisions by provider × action × confidence bucket, and how every decision ended) ' +
          'takes the same filters, by when the decision was made. A traderId that is not yours matches nothing.',
        parameters: queryParameters(ZPerformanceQuery, FILTERS),
        responses: { 200: { description: 'Performance', content: { 'application/json': { schema: ref('PerformanceReport') } } }, 400: E400, 401: E401 },
      },
    },
    '/api/v1/performance/trades.csv': {
      get: {
        tags: ['performance'],
        operationId: 'exportClosedTrades',
        summary: 'The closed trades matching the filters, as CSV',
        description: 'Every quote currency unless `currency` is given (each row says its currency).',
        parameters: queryParameters(ZPerformanceQuery, FILTERS),
        responses: {
          200: {
            description:
              'A header row, then one line per trade, oldest close first (RFC 4180, UTF-8). Columns: position_id, trader, symbol, side, source, provider, mode, currency, ' +
              'opened_at, closed_at, entry_qty, avg_entry_price, exit_qty, avg_exit_price, fees, realized_pnl, close_reason. Decimals are exact, times ISO 8601 UTC; ' +
              'a text cell starting with =, +, - or @ is prefixed with a single quote so a spreadsheet never runs it as a formula.',
            headers: { 'Content-Disposition': { description: 'attachment; filename="tradeloop-closed-trades-<mode>-<time>.csv"', schema: { type: 'string' } } },
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          400: E400,
          401: E401,
        },
      },
    },
  }
}
