import { z } from 'zod'
import { APP_ERROR_STATUS, type AppErrorCode } from '@/lib/server/errors/app-error'
import { AccountMode, Actor, ExchangeKind, Liquidity, OrderPurpose, OrderSide, OrderStatus, OrderType, PositionSide, PositionStatus, TraderStatusCause } from '@/lib/generated/prisma/enums'

/**
 * The shapes of what /api/v1 sends back. Route handlers parse their answers with these and the
 * OpenAPI document is generated from them, so the document cannot drift from the responses.
 */

interface DocMeta {
  /** Named schemas become `components.schemas.<id>`. */
  id?: string
  description?: string
  format?: string
  examples?: unknown[]
}

/**
 * Documentation metadata lives in this registry rather than zod's global one, so reloading the
 * module (Next dev) never collides with an id registered before.
 */
export const apiDocs = z.registry<DocMeta>()

/** Registers metadata on this schema instance; pass a fresh instance, since a second call replaces the first. */
export function doc<T extends z.ZodType>(schema: T, meta: DocMeta): T {
  apiDocs.add(schema as z.ZodType, meta)
  return schema
}

/** Decimals leave the server as exact strings, never JSON numbers (no float rounding). */
const decimal = (description = 'An exact decimal as a string, e.g. "60010.5".') =>
  doc(z.string().regex(/^-?\d+(\.\d+)?$/), { description, examples: ['60010.5'] })
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })

export const ZErrorResponse = doc(
  z.object({
    error: z.object({
      code: z.enum(Object.keys(APP_ERROR_STATUS) as [AppErrorCode, ...AppErrorCode[]]),
      message: doc(z.string(), { description: 'Human-readable; safe to show to a user.' }),
      fields: doc(
        z.array(z.object({ field: doc(z.string(), { description: 'Dotted path into the input, e.g. `takeProfits.0.price`.' }), message: z.string() })).optional(),
        { description: 'Present on VALIDATION errors tied to input fields.' },
      ),
    }),
  }),
  { id: 'Error' },
)

export const ZBalance = doc(z.object({ asset: z.string(), amount: decimal() }), { id: 'Balance' })

const ZUniverseView = doc(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('FIXED') }),
    z.object({ kind: z.literal('TOP'), n: z.number().int(), excludeStablecoins: z.boolean(), excludeLeveraged: z.boolean(), exclude: z.array(z.string()) }),
  ]),
  {
    id: 'TraderUniverse',
    description: "How the watchlist is chosen: FIXED (as typed) or TOP (the n spot markets in the trader's quote currency with the highest 24 h quote volume, refreshed by the worker).",
  },
)

export const ZTrader = doc(
  z.object({
    id: z.string(),
    name: z.string(),
    quoteCurrency: z.string(),
    watchlist: doc(z.array(z.string()), { description: 'The symbols the trader watches; with a TOP universe, the last list the worker resolved.' }),
    universe: ZUniverseView,
    universeRefreshedAt: doc(timestamp().nullable(), { description: 'When the worker last resolved a TOP universe into the watchlist; null when not resolved yet.' }),
    universeError: doc(z.string().nullable(), { description: 'Why the last resolution failed (the watchlist was kept), or null.' }),
    exchange: z.enum(ExchangeKind),
    mode: doc(z.enum(AccountMode), { description: 'What the trader\'s account risks: PAPER (simulated), TESTNET (the exchange\'s test environment) or LIVE (real money).' }),
    balances: z.array(ZBalance),
    equity: decimal('Quote-currency balance plus other assets at current marks, to six significant digits (at least 2 and at most 8 places); null when an asset has no price.').nullable(),
  }),
  { id: 'Trader' },
)

export const ZTakeProfit = doc(z.object({ id: z.string(), price: decimal(), sharePct: decimal(), status: z.string() }), { id: 'TakeProfit' })

export const ZPosition = doc(
  z.object({
    id: z.string(),
    traderId: z.string(),
    traderName: z.string(),
    symbol: z.string(),
    side: z.enum(PositionSide),
    status: z.enum(PositionStatus),
    statusReason: z.string().nullable(),
    entryType: z.string(),
    requestedQty: decimal(),
    limitPrice: decimal().nullable(),
    openQty: decimal(),
    entryQty: decimal(),
    avgEntryPrice: decimal(),
    avgExitPrice: decimal(),
    stopLoss: decimal().nullable(),
    takeProfits: z.array(ZTakeProfit),
    realizedPnl: decimal('Realized PnL net of fees, in the quote currency.'),
    fees: decimal(),
    markPrice: decimal('The exit-side price (bid for LONG, ask for SHORT) while quantity is open.').nullable(),
    unrealizedPnl: decimal().nullable(),
    unrealizedPnlPct: decimal().nullable(),
    createdAt: timestamp(),
    openedAt: timestamp().nullable(),
    closedAt: timestamp().nullable(),
    exchangeStop: doc(
      z
        .object({ clientOrderId: z.string(), exchangeOrderId: z.string().nullable(), status: z.enum(OrderStatus), qty: decimal(), triggerPrice: decimal() })
        .nullable(),
      { description: 'The stop resting on the exchange for this position (venues with a native stop), or null: paper stops are watched by the worker.' },
    ),
    exchangeTarget: doc(
      z
        .object({ clientOrderId: z.string(), exchangeOrderId: z.string().nullable(), status: z.enum(OrderStatus), qty: decimal(), price: decimal() })
        .nullable(),
      {
        description:
          'The take-profit resting on the exchange paired with that stop as one-cancels-the-other (Binance, when one target sells all that remains), or null: other targets are watched by the worker.',
      },
    ),
  }),
  { id: 'Position' },
)

const orderFields = {
  id: z.string(),
  clientOrderId: z.string(),
  purpose: z.enum(OrderPurpose),
  side: z.enum(OrderSide),
  type: z.enum(OrderType),
  qty: decimal(),
  price: decimal().nullable(),
  triggerPrice: doc(decimal().nullable(), { description: 'For a stop resting on the exchange: the price that triggers it.' }),
  status: z.enum(OrderStatus),
  exchangeOrderId: doc(z.string().nullable(), { description: "The exchange's id, once it has acknowledged the order." }),
  cancelRequested: doc(z.boolean(), { description: 'A resting stop asked to come off the exchange (an exit or a replacement is under way).' }),
  filledQty: decimal(),
  avgFillPrice: decimal().nullable(),
  rejectReason: z.string().nullable(),
  createdBy: z.enum(Actor),
  createdAt: timestamp(),
}

/** An order as listed inside its position's detail. */
export const ZPositionOrder = doc(z.object(orderFields), { id: 'PositionOrder' })

/** An order as listed by GET /api/v1/orders, which spans positions. */
export const ZOrder = doc(z.object({ ...orderFields, positionId: z.string().nullable(), symbol: z.string() }), { id: 'Order' })

export const ZFill = doc(
  z.object({
    id: z.string(),
    orderId: z.string(),
    side: z.enum(OrderSide),
    qty: decimal(),
    price: decimal(),
    fee: decimal(),
    feeAsset: z.string(),
    liquidity: z.enum(Liquidity),
    at: timestamp(),
  }),
  { id: 'Fill' },
)

export const ZPositionEvent = doc(
  z.object({
    id: z.string(),
    type: doc(z.string(), { description: 'CREATED, STATUS_CHANGED, FILL, SL_CHANGED, TP_CHANGED, …' }),
    actor: z.enum(Actor),
    actorId: z.string().nullable(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    message: z.string(),
    before: doc(z.unknown(), { description: 'Values before the change (any JSON), when recorded.' }),
    after: doc(z.unknown(), { description: 'Values after the change (any JSON), when recorded.' }),
    at: timestamp(),
  }),
  { id: 'PositionEvent' },
)

export const ZPositionDetail = doc(
  z.object({
    position: ZPosition,
    orders: z.array(ZPositionOrder),
    fills: z.array(ZFill),
    events: doc(z.array(ZPositionEvent), { description: 'The audit trail, oldest first.' }),
  }),
  { id: 'PositionDetail' },
)

export const ZTraderList = doc(z.object({ traders: z.array(ZTrader) }), { id: 'TraderList' })
export const ZPositionList = doc(z.object({ positions: z.array(ZPosition) }), { id: 'PositionList' })
export const ZOrderList = doc(z.object({ orders: z.array(ZOrder) }), { id: 'OrderList' })

export const ZApiToken = doc(
  z.object({
    token: doc(z.string(), { description: 'Send as `Authorization: Bearer <token>`. Shown only once.' }),
    prefix: doc(z.string(), { description: 'First characters of the token, stored in clear to tell tokens apart.' }),
  }),
  { id: 'ApiToken' },
)

export const ZHealth = doc(
  z.object({
    status: z.enum(['ok', 'degraded', 'down']),
    database: z.object({ ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().optional() }),
    worker: z.object({ ok: z.boolean(), lastSeenAt: timestamp().nullable(), ageMs: z.number().nullable(), count: z.number().int().describe('Workers alive (fresh heartbeat); they split the exchange accounts between them') }),
    marketData: z.object({
      ok: z.boolean(),
      kind: z.string().nullable(),
      label: z.string().nullable(),
      mode: z
        .string()
        .nullable()
        .describe("which source delivers quotes: 'stream' (the exchange pushes them), 'polling' (REST on an interval), or 'polling (stream down: <reason>)' while a stream that exists is down; null when the worker has not said"),
      freshestQuoteAgeMs: z.number().nullable(),
      staleAfterMs: z.number(),
      idle: z.boolean().describe('nothing is watched yet (no watchlist, no open position), so no quotes are expected'),
      feedFailed: z.boolean().describe('the feed itself reported `error` (a wrong exchange or address, say), which waiting does not mend; false while the feed is only starting or stale'),
      error: z.string().optional(),
    }),
    liveTrading: z.object({
      enabled: z.boolean().describe('LIVE_TRADING_ENABLED=true: LIVE exchange accounts may send new orders. Off: they only exit and cancel; TESTNET and paper are unaffected.'),
    }),
    disk: z
      .object({
        ok: z.boolean().describe('at least `lowBelowBytes` free'),
        freeBytes: z.number().describe('free to an unprivileged process, which the database server is'),
        lowBelowBytes: z.number().describe('DISK_LOW_FREE_MB'),
      })
      .nullable()
      .describe("free space on the disk that holds the database's files (DATABASE_DATA_DIR, which npm start sets for its embedded database); null when that folder is not known. Low makes the status degraded: a full disk refuses every write."),
  }),
  { id: 'Health' },
)

export const ZPublicHealth = doc(
  z.object({
    status: z.enum(['ok', 'degraded', 'down']),
    public: z.literal(true).describe('marks this view: the caller was not recognised (no session or token, or one that is not valid)'),
    database: z.object({ ok: z.boolean() }),
    worker: z.object({ ok: z.boolean(), count: z.number().int() }),
    marketData: z.object({ ok: z.boolean(), idle: z.boolean() }),
    liveTrading: z.object({ enabled: z.boolean() }),
    disk: z.object({ ok: z.boolean() }).nullable(),
  }),
  { id: 'PublicHealth' },
)

export const ZPanicOrderResult = doc(
  z.object({
    clientOrderId: z.string(),
    positionId: z.string().nullable(),
    symbol: z.string(),
    outcome: doc(z.enum(['CANCELED', 'ALREADY_DONE', 'FAILED']), { description: 'ALREADY_DONE: it had filled, been canceled or rejected before the panic got to it.' }),
    detail: z.string(),
  }),
  { id: 'PanicOrderResult' },
)

export const ZPanicPositionResult = doc(
  z.object({
    positionId: z.string(),
    traderId: z.string(),
    symbol: z.string(),
    side: z.enum(PositionSide),
    outcome: doc(z.enum(['CLOSED', 'ALREADY_CLOSED', 'FAILED']), { description: 'FAILED: still open after every retry; see detail.' }),
    attempts: doc(z.number().int(), { description: 'Exit orders this run sent or re-sent for the position.' }),
    exitPrice: decimal('Average exit price, once closed.').optional(),
    realizedPnl: decimal().optional(),
    stalePriceAgeMs: doc(z.number().optional(), { description: 'Present when the exit went out on a stale quote (market data failing): its age in ms.' }),
    detail: z.string(),
  }),
  { id: 'PanicPositionResult' },
)

export const ZPanicReport = doc(
  z.object({
    panicRunId: z.string(),
    accountId: z.string(),
    traderId: z.string().nullable(),
    halted: z.literal(true),
    status: z.enum(['COMPLETED', 'FAILED']),
    orders: z.array(ZPanicOrderResult),
    positions: z.array(ZPanicPositionResult),
    startedAt: timestamp(),
    durationMs: z.number(),
  }),
  { id: 'PanicReport', description: 'One account (or one trader) flattened: what happened to each open order and position.' },
)

export const ZPanicResult = doc(
  z.object({
    runs: z.array(ZPanicReport),
    failed: doc(z.number().int(), { description: 'Orders and positions reported FAILED over all runs; 0 means everything in scope is flat.' }),
  }),
  { id: 'PanicResult' },
)

/** Who stopped a trader, in the trading state and a trader's own state. */
export const ZStatusCause = doc(z.enum(TraderStatusCause).nullable(), {
  description: 'Who stopped it: a person (pause), a panic, or a risk breaker. Null while ACTIVE. Re-enabling trading after a panic leaves a BREAKER stop in place; naming the trader lifts it.',
})

export const ZTradingState = doc(
  z.object({
    accounts: z.array(z.object({ id: z.string(), name: z.string(), halted: z.boolean(), haltedReason: z.string().nullable(), haltedAt: timestamp().nullable() })),
    traders: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        accountId: z.string(),
        status: z.enum(['ACTIVE', 'PAUSED', 'HALTED']),
        statusReason: z.string().nullable(),
        statusCause: ZStatusCause,
        statusChangedAt: timestamp().nullable(),
      }),
    ),
  }),
  { id: 'TradingState', description: 'Whether each account and trader may open positions.' },
)
