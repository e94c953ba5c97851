import { z } from 'zod'
import { ZIssueApiTokenRequest } from '@/lib/server/auth/api-tokens'
import { ZCreateNotificationChannelRequest, ZUpdateNotificationChannelRequest } from '@/lib/server/notifications/channel-input'
import { ZListDeliveriesQuery, ZListNotificationsQuery } from '@/lib/server/notifications/notification-queries'
import { ZUpdateNotificationSettingsRequest } from '@/lib/server/notifications/daily-summary-setting'
import { ZClosePositionRequest } from '@/lib/server/positions/close-position'
import { REPLAYED_HEADER, REQUEST_KEY_HEADER } from '@/lib/server/positions/request-key'
import { ZModifyProtectionRequest } from '@/lib/server/positions/modify-protection'
import { ZOpenPositionRequest, ZTakeProfitInput } from '@/lib/server/positions/open-position'
import { ZCreateTraderRequest, ZUpdateTraderRequest } from '@/lib/server/traders/trader-input'
import { ZPanicRequest } from '@/lib/server/panic/press-panic'
import { ZResumeTradingRequest } from '@/lib/server/trading/resume-trading'
import { ZListOrdersQuery, ZListPositionsQuery } from './query-schemas'
import { ZApproveRequest, ZRejectRequest } from '@/lib/server/approvals/decide-approval'
import { ZListApprovalsQuery } from '@/lib/server/approvals/list-approvals'
import { ZListDecisionsQuery } from '@/lib/server/decisions/list-decisions'
// Registers the log response schemas in apiDocs.
import { logPaths } from './log-schemas'
// Registers the decision, approval and performance response schemas in apiDocs.
import './decision-schemas'
// Registers the performance report schemas in apiDocs.
import { performancePaths } from './performance-schemas'
// Registers the execution-quality schema in apiDocs.
import { executionQualityPaths } from './execution-quality-schemas'
// Registers the notification response schemas in apiDocs.
import './notification-schemas'
import { apiDocs } from './response-schemas'
// Registers the trader-settings response schemas in apiDocs.
import { registerTraderSettingsRequests } from './trader-settings-schemas'
// Registers the API token and password response schemas in apiDocs.
import { accountPaths, E429, E503, registerAccountRequests } from './account-schemas'
// Registers the user and invite response schemas in apiDocs.
import { registerUserRequests, userPaths } from './user-schemas'
// Registers the exchange-account response schemas in apiDocs.
import { exchangeAccountPaths, registerExchangeAccountRequests } from './exchange-account-schemas'
// Registers the candle response schemas in apiDocs.
import { marketPaths } from './market-schemas'
// Registers the webhook signal response schemas in apiDocs.
import { signalPaths } from './signal-schemas'
// Registers the position-group response schemas in apiDocs.
import { groupPaths } from './group-schemas'
import { poolPaths } from './pool-schemas'
import { riskEnginePaths } from './risk-engine-schemas'

type Json = Record<string, unknown>
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })

/** Request bodies, generated from the zod schemas the services validate with (their input side). */
function requestSchemas(): Record<string, Json> {
  const reg = z.registry<{ id: string; description?: string; examples?: unknown[] }>()
  reg.add(ZTakeProfitInput, { id: 'TakeProfitInput' })
  reg.add(ZOpenPositionRequest, { id: 'OpenPositionRequest', description: 'limitPrice is required when entryType is LIMIT. Prices are rounded to the market tick, quantities truncated to its step.' })
  reg.add(ZClosePositionRequest, { id: 'ClosePositionRequest', description: 'sharePct (0 < x ≤ 100) of the open quantity to sell at market; default 100 (close all). An empty body closes all.' })
  reg.add(ZModifyProtectionRequest, { id: 'ModifyProtectionRequest', description: 'Give stopLoss and/or takeProfits; takeProfits replaces every level not yet filled.' })
  reg.add(ZCreateTraderRequest, {
    id: 'CreateTraderRequest',
    description:
      'Exactly one of startingBalance (a paper trader: its own paper account funded with it; quoteCurrency required) or accountId (one of your exchange accounts: ' +
      'the trader trades in the account\'s quote currency, and quoteCurrency, if given, must be it). Every watchlist symbol must be quoted in that currency.',
    examples: [{ name: 'Momentum', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT'] }],
  })
  reg.add(ZUpdateTraderRequest, { id: 'UpdateTraderRequest', description: 'Watchlist symbols must stay in the trader\'s quote currency.' })
  reg.add(ZIssueApiTokenRequest, { id: 'IssueApiTokenRequest' })
  reg.add(ZCreateNotificationChannelRequest, {
    id: 'CreateNotificationChannelRequest',
    description:
      'url: http(s). format auto (default) recognises Telegram (https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat>) and Discord (https://discord.com/api/webhooks/…) URLs; anything else gets generic JSON. The URL is stored encrypted and never returned.',
  })
  reg.add(ZUpdateNotificationChannelRequest, {
    id: 'UpdateNotificationChannelRequest',
    description: 'A new url without a format is detected again. Disabling marks what was waiting to be sent as SKIPPED.',
  })
  reg.add(ZUpdateNotificationSettingsRequest, {
    id: 'UpdateNotificationSettingsRequest',
    description: 'dailySummaryAt: local time HH:MM (00:00–23:59) in your time zone, or null to turn the daily summary off. Each local day is sent once.',
  })
  reg.add(ZPanicRequest, { id: 'PanicRequest', description: 'confirm must be true. With traderId only that trader is halted (one already paused or halted keeps that stop) and flattened; with accountId only that account; with neither, every account of yours.' })
  registerTraderSettingsRequests(reg)
  registerUserRequests(reg)
  registerAccountRequests(reg)
  registerExchangeAccountRequests(reg)
  reg.add(ZResumeTradingRequest, { id: 'ResumeTradingRequest', description: 'confirm must be true. With neither accountId nor traderId: every halted account, and every trader a panic halted (paused traders, and traders a risk breaker halted, stay stopped until named).' })
  reg.add(ZApproveRequest, { id: 'ApproveRequest', description: 'Optional edits before approving: qty (entries), stopLoss and takeProfits (entries and modifications; takeProfits replaces the proposed levels). Exits cannot be edited. Everything is validated again against the current market. An empty body approves as proposed.' })
  reg.add(ZRejectRequest, { id: 'RejectRequest', description: 'An optional note saying why; an empty body rejects without one.' })
  const { schemas } = z.toJSONSchema(reg, {
    io: 'input',
    metadata: reg,
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> }
  return stripDialect(schemas, describeInput)
}

/** Fixes up what zod cannot say about the services' input schemas. */
function describeInput(s: Json) {
  // ZDecimal: string or number, checked as a decimal after a transform, which zod cannot
  // express; point to the one documented DecimalInput schema instead.
  const t = s.type
  if (Object.keys(s).length === 1 && Array.isArray(t) && t.length === 2 && t.includes('string') && t.includes('number')) {
    delete s.type
    Object.assign(s, ref('DecimalInput'))
  }
  // Symbols and currency codes are trimmed and upper-cased before their pattern is checked.
  if (typeof s.pattern === 'string' && s.pattern.includes('[A-Z0-9]')) {
    s.pattern = `^\\s*${s.pattern.slice(1, -1).replaceAll('[A-Z0-9]', '[A-Za-z0-9]')}\\s*$`
    s.description = 'Case-insensitive; stored upper-cased.'
  }
}

function responseSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(apiDocs, { io: 'output', metadata: apiDocs, uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, Json>
  }
  return stripDialect(schemas)
}

/**
 * OpenAPI 3.1's dialect is JSON Schema 2020-12 already, so components need no `$schema`; and the
 * `$id` zod sets from `uri` would change how their `$ref`s resolve. Optionally visits every node.
 */
function stripDialect(schemas: Record<string, Json>, visit?: (node: Json) => void): Record<string, Json> {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') {
      visit?.(v as Json)
      Object.values(v).forEach(walk)
    }
  }
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => {
      walk(rest)
      return [id, rest]
    }),
  )
}

function queryParameters(schema: z.ZodObject, descriptions: Record<string, string>) {
  const js = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, Json>; required?: string[] }
  return Object.entries(js.properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    description: descriptions[name],
    schema: s,
  }))
}

const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: `The ${what} id.`, schema: { type: 'string' } })
const json = (schema: Json) => ({ 'application/json': { schema } })
const keyParam = (what: string) => ({
  name: REQUEST_KEY_HEADER,
  in: 'header',
  required: false,
  description: `Any 1–255 visible ASCII characters, new for each ${what}. A repeat with the same key (after a timeout, say) places no second order: it answers with the first attempt's position as it is now, marked \`${REPLAYED_HEADER}: true\`, or with its refusal. A key sent again with another body (another size, stop or share; formatting aside) is a 400 naming the header. After a 503 (nothing was sent) the same request with the same key may be sent again and acts. Keys are kept with the order, for as long as the position is.`,
  schema: { type: 'string', minLength: 1, maxLength: 255 },
})
const ok = (description: string, id: string) => ({ description, content: json(ref(id)) })
const err = (description: string) => ({ description, content: json(ref('Error')) })

const E = {
  400: err('Invalid input or malformed JSON; `error.fields` names each invalid field.'),
  401: err('Missing, invalid or revoked credentials.'),
  404: err('No such resource for this user.'),
  409: err('The resource is in a state that does not allow this.'),
  422: err('The exchange rejected the order.'),
  500: err('Unexpected server error (details are logged, not returned).'),
  503: {
    ...err('No fresh market data for the symbol, or the server is busy (every entry slot taken for too long, or the database saturated); nothing was written.'),
    headers: { 'Retry-After': { description: 'Seconds to wait before trying again (sent when the server is busy).', schema: { type: 'integer' } } },
  },
}

const STANDING_BREAKER = err('One of the trader\'s loss limits (or a user-wide one) is still breached, so its breaker would stop it again at once; the message names the limit and what lifts it.')

/** The OpenAPI 3.1 description of the JSON API, served publicly at /api/v1/openapi.json. */
export function buildOpenApiDocument(opts: { serverUrl?: string } = {}) {
  const body = (id: string, required = true) => ({ required, content: json(ref(id)) })
  const trading = { 400: E[400], 401: E[401], 404: E[404], 409: E[409], 422: E[422], 503: E[503] }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tradeloop API',
      version: '1',
      description:
        'Trading over JSON, on paper and exchange accounts. Authenticate with `Authorization: Bearer <token>` (get one from POST /api/v1/auth/token) or a browser session. ' +
        'Prices, quantities, fees and PnL are exact decimals sent as strings; requests also accept JSON numbers for them. ' +
        'A request body with a field the operation does not know is refused (400 naming it), never applied without it; so is a query parameter an operation does not list (a misspelt filter would otherwise answer or export everything). ' +
        'Every error has the shape of the Error schema.',
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    tags: [{ name: 'auth' }, { name: 'traders' }, { name: 'positions' }, { name: 'orders' }, { name: 'trading' }, { name: 'notifications' }, { name: 'decisions' }, { name: 'approvals' }, { name: 'performance', description: 'Every closed trade: statistics, equity curve, drawdown, daily PnL; CSV export.' }, { name: 'users', description: 'Admin only: accounts and invites.' }, { name: 'exchange accounts', description: 'Binance spot and Coinbase accounts with their keys (never returned).' }, { name: 'logs', description: 'Activity, audit trail, risk events and notification deliveries in one log.' }, { name: 'market data' }, { name: 'signals', description: 'TradingView webhook signals: the webhook, its secret, settings and the signal log.' }, { name: 'groups', description: 'Position groups: pyramids of DCA legs that signals build on one symbol and timeframe, their settings, closing one whole, and the group pool (how many groups are open at once) with its queue, and the risk engine.' }, { name: 'system' }],
    paths: {
      '/api/health': {
        get: {
          tags: ['system'],
          operationId: 'getHealth',
          summary: 'Liveness of the database, worker and market data',
          description:
            'Anyone gets the verdict and whether each part is ok (PublicHealth). A signed-in user or an API token gets every detail (Health): error messages, the feed and its mode, timings, the disk\'s free space. While the database is down only a session cookie is recognised.',
          security: [],
          responses: {
            200: { description: 'ok or degraded', content: json({ oneOf: [ref('Health'), ref('PublicHealth')] }) },
            503: { description: 'The database is down', content: json({ oneOf: [ref('Health'), ref('PublicHealth')] }) },
          },
        },
      },
      '/api/v1/openapi.json': {
        get: {
          tags: ['system'],
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          security: [],
          responses: { 200: { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) } },
        },
      },
      '/api/v1/auth/token': {
        post: {
          tags: ['auth'],
          operationId: 'issueApiToken',
          summary: 'Exchange email and password for an API token',
          security: [],
          requestBody: body('IssueApiTokenRequest'),
          description: 'Limited to 10 failed attempts per account and 30 attempts per client address per 15 minutes (429 with Retry-After).',
          responses: {
            201: ok('The token, shown only this once', 'ApiToken'),
            400: E[400],
            401: E[401],
            429: E429,
            503: E503,
          },
        },
      },
      '/api/v1/traders': {
        get: {
          tags: ['traders'],
          operationId: 'listTraders',
          summary: 'Your traders with balances and equity',
          responses: { 200: ok('Traders', 'TraderList'), 401: E[401] },
        },
        post: {
          tags: ['traders'],
          operationId: 'createTrader',
          summary: 'Create a trader on its own funded paper account, or on one of your exchange accounts',
          requestBody: body('CreateTraderRequest'),
          responses: { 201: ok('The new trader', 'Trader'), 400: E[400], 401: E[401], 404: err('No such exchange account of yours (accountId).'), 409: err('A trader with this name exists.') },
        },
      },
      '/api/v1/traders/{id}': {
        parameters: [idParam('trader')],
        get: {
          tags: ['traders'],
          operationId: 'getTrader',
          summary: 'One trader with balances and equity',
          responses: { 200: ok('The trader', 'Trader'), 401: E[401], 404: E[404] },
        },
        patch: {
          tags: ['traders'],
          operationId: 'updateTrader',
          summary: 'Rename a trader or change its watchlist',
          requestBody: body('UpdateTraderRequest'),
          responses: { 200: ok('The updated trader', 'Trader'), 400: E[400], 401: E[401], 404: E[404], 409: err('A trader with this name exists.') },
        },
      },
      '/api/v1/traders/{id}/settings': {
        parameters: [idParam('trader')],
        get: {
          tags: ['traders'],
          operationId: 'getTraderSettings',
          summary: 'A trader\'s automation, AI, sizing, management, risk and approval settings, and its state',
          description: 'The API key is never returned: only whether one is stored and its last four characters.',
          responses: { 200: ok('The settings', 'TraderSettings'), 401: E[401], 404: E[404] },
        },
        patch: {
          tags: ['traders'],
          operationId: 'updateTraderSettings',
          summary: 'Change any of a trader\'s settings',
          requestBody: body('UpdateTraderSettingsRequest'),
          responses: { 200: ok('The settings afterwards', 'TraderSettings'), 400: E[400], 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/traders/{id}/test-connection': {
        parameters: [idParam('trader')],
        post: {
          tags: ['traders'],
          operationId: 'testTraderConnection',
          summary: 'Make a real one-word call to the trader\'s model (saved or given settings)',
          requestBody: body('TestTraderConnectionRequest', false),
          responses: { 200: ok('The outcome (a failed connection is reported here, not as an error)', 'ConnectionTestResult'), 400: E[400], 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/traders/{id}/analyze': {
        parameters: [idParam('trader')],
        post: {
          tags: ['traders'],
          operationId: 'analyzeTrader',
          summary: 'Ask the worker to run the trader\'s analysis cycle now',
          requestBody: body('RequestAnalysisRequest', false),
          responses: { 202: ok('Requested', 'AnalysisRequested'), 400: E[400], 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/traders/{id}/pause': {
        parameters: [idParam('trader')],
        post: {
          tags: ['trading'],
          operationId: 'pauseTrader',
          summary: 'Pause a trader: it opens nothing until a person resumes it',
          description: 'Exits, stops and take-profits keep running. A trader already paused or halted is left as it is.',
          requestBody: body('PauseTraderRequest', false),
          responses: { 200: ok('The trader\'s state', 'TraderState'), 400: E[400], 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/traders/{id}/resume': {
        parameters: [idParam('trader')],
        post: {
          tags: ['trading'],
          operationId: 'resumeTrader',
          summary: 'Re-activate a paused or halted trader',
          description: 'Its account\'s panic halt, if any, stays: lift it with POST /api/v1/trading/resume.',
          responses: { 200: ok('The trader\'s state', 'TraderState'), 401: E[401], 404: E[404], 409: STANDING_BREAKER },
        },
      },
      '/api/v1/risk-settings': {
        get: {
          tags: ['trading'],
          operationId: 'getRiskSettings',
          summary: 'Your time zone and the risk limits across your traders (per account mode and quote currency)',
          responses: { 200: ok('Risk settings', 'RiskSettings'), 401: E[401] },
        },
        patch: {
          tags: ['trading'],
          operationId: 'updateRiskSettings',
          summary: 'Change your time zone or user-wide risk limits',
          requestBody: body('UpdateRiskSettingsRequest'),
          responses: { 200: ok('Risk settings afterwards', 'RiskSettings'), 400: E[400], 401: E[401] },
        },
      },
      '/api/v1/positions': {
        get: {
          tags: ['positions'],
          operationId: 'listPositions',
          summary: 'Active or closed positions',
          parameters: queryParameters(ZListPositionsQuery, {
            state: 'active (default): CREATED…CLOSING; closed: CLOSED or FAILED.',
            traderId: 'Only this trader\'s positions.',
          }),
          responses: { 200: ok('Positions, newest first', 'PositionList'), 400: E[400], 401: E[401] },
        },
        post: {
          tags: ['positions'],
          operationId: 'openPosition',
          summary: 'Open a position with a stop loss and optional take-profits',
          description: 'Validates everything before writing, then sends the entry order. A market entry is normally filled by the time this answers.',
          parameters: [keyParam('entry (per trader)')],
          requestBody: body('OpenPositionRequest'),
          responses: { 201: ok('The new position with its orders, fills and audit trail', 'PositionDetail'), ...trading },
        },
      },
      '/api/v1/positions/{id}': {
        parameters: [idParam('position')],
        get: {
          tags: ['positions'],
          operationId: 'getPosition',
          summary: 'A position with its orders, fills and audit trail',
          responses: { 200: ok('The position', 'PositionDetail'), 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/positions/{id}/close': {
        parameters: [idParam('position')],
        post: {
          tags: ['positions'],
          operationId: 'closePosition',
          summary: 'Close all or a share of a position at market',
          parameters: [keyParam('close (per position)')],
          requestBody: body('ClosePositionRequest', false),
          responses: { 200: ok('The position after the exit', 'PositionDetail'), ...trading },
        },
      },
      '/api/v1/positions/{id}/protection': {
        parameters: [idParam('position')],
        patch: {
          tags: ['positions'],
          operationId: 'modifyProtection',
          summary: 'Move the stop loss and/or replace the take-profits',
          requestBody: body('ModifyProtectionRequest'),
          responses: { 200: ok('The position after the change', 'PositionDetail'), 400: E[400], 401: E[401], 404: E[404], 409: E[409], 503: E[503] },
        },
      },
      '/api/v1/positions/{id}/cancel-entry': {
        parameters: [idParam('position')],
        post: {
          tags: ['positions'],
          operationId: 'cancelEntry',
          summary: 'Cancel a resting limit entry',
          description: 'With nothing filled the position ends FAILED; a partly filled position keeps what was filled.',
          responses: { 200: ok('The position after the cancel', 'PositionDetail'), 401: E[401], 404: E[404], 409: err('No resting entry order to cancel.'), 422: E[422] },
        },
      },
      '/api/v1/orders': {
        get: {
          tags: ['orders'],
          operationId: 'listOrders',
          summary: 'Orders of your positions, newest first',
          parameters: queryParameters(ZListOrdersQuery, { positionId: 'Only this position\'s orders (404 if it is not yours).', limit: 'At most this many orders.' }),
          responses: { 200: ok('Orders', 'OrderList'), 400: E[400], 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/notifications': {
        get: {
          tags: ['notifications'],
          operationId: 'listNotifications',
          summary: 'Your activity feed, newest first',
          description: 'Live updates arrive on the SSE stream /api/stream (`activity` and `position` events); reload the first page when one comes.',
          parameters: queryParameters(ZListNotificationsQuery, { before: 'Only events older than this id (the previous page\'s nextCursor).', limit: 'At most this many events.' }),
          responses: { 200: ok('Events', 'NotificationList'), 400: E[400], 401: E[401] },
        },
      },
      '/api/v1/notification-settings': {
        get: {
          tags: ['notifications'],
          operationId: 'getNotificationSettings',
          summary: 'When your daily summary goes out',
          responses: { 200: ok('Notification settings', 'NotificationSettings'), 401: E[401] },
        },
        patch: {
          tags: ['notifications'],
          operationId: 'updateNotificationSettings',
          summary: 'Set the daily summary time, or turn it off',
          description:
            'The summary (realized PnL, closed trades and wins, fees per account mode and quote currency for the 24 h up to the chosen time; open positions and their risk to the stop) ' +
            'goes to the activity feed and to your enabled channels once per local day, at or after the chosen time.',
          requestBody: body('UpdateNotificationSettingsRequest'),
          responses: { 200: ok('Notification settings afterwards', 'NotificationSettings'), 400: E[400], 401: E[401] },
        },
      },
      '/api/v1/notification-channels': {
        get: {
          tags: ['notifications'],
          operationId: 'listNotificationChannels',
          summary: 'Your webhook channels (URL hints only)',
          responses: { 200: ok('Channels', 'NotificationChannelList'), 401: E[401] },
        },
        post: {
          tags: ['notifications'],
          operationId: 'createNotificationChannel',
          summary: 'Add a webhook (generic JSON, Telegram or Discord)',
          requestBody: body('CreateNotificationChannelRequest'),
          responses: { 201: ok('The new channel', 'NotificationChannel'), 400: E[400], 401: E[401] },
        },
      },
      '/api/v1/notification-channels/{id}': {
        parameters: [idParam('notification channel')],
        patch: {
          tags: ['notifications'],
          operationId: 'updateNotificationChannel',
          summary: 'Rename, enable/disable, or replace the URL or format',
          requestBody: body('UpdateNotificationChannelRequest'),
          responses: { 200: ok('The updated channel', 'NotificationChannel'), 400: E[400], 401: E[401], 404: E[404] },
        },
        delete: {
          tags: ['notifications'],
          operationId: 'deleteNotificationChannel',
          summary: 'Delete a channel and its delivery log',
          responses: { 204: { description: 'Deleted' }, 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/notification-channels/{id}/test': {
        parameters: [idParam('notification channel')],
        post: {
          tags: ['notifications'],
          operationId: 'testNotificationChannel',
          summary: 'Send a test message now and report how it went',
          responses: { 200: ok('The outcome (a failed send is reported here, not as an error)', 'TestNotificationResult'), 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/notification-deliveries': {
        get: {
          tags: ['notifications'],
          operationId: 'listNotificationDeliveries',
          summary: 'The outgoing-notification log, newest first',
          parameters: queryParameters(ZListDeliveriesQuery, { channelId: 'Only this channel\'s deliveries (404 if it is not yours).', limit: 'At most this many deliveries.' }),
          responses: { 200: ok('Deliveries', 'NotificationDeliveryList'), 400: E[400], 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/panic': {
        post: {
          tags: ['trading'],
          operationId: 'panic',
          summary: 'PANIC: halt trading, cancel every open order, close every position at market',
          description:
            'Halts first (nothing opens while it runs, and trading stays halted until re-enabled), then cancels open entry orders and closes each position ' +
            'at market, retrying what the exchange rejects. Works with the market-data feed down (exits go out on the last known price; the report says so). ' +
            'Idempotent: pressing again finds nothing open. Answers 200 with a per-order and per-position report even when some failed (`failed` > 0).',
          requestBody: body('PanicRequest'),
          responses: { 200: ok('What happened to each order and position', 'PanicResult'), 400: E[400], 401: E[401], 404: err('No such trader or account for this user.') },
        },
      },
      '/api/v1/trading/resume': {
        post: {
          tags: ['trading'],
          operationId: 'resumeTrading',
          summary: 'Re-enable trading after a panic',
          requestBody: body('ResumeTradingRequest'),
          responses: { 200: ok('Trading state afterwards', 'TradingState'), 400: E[400], 401: E[401], 404: err('No such trader or account for this user.'), 409: STANDING_BREAKER },
        },
      },
      '/api/v1/decisions': {
        get: {
          tags: ['decisions'],
          operationId: 'listDecisions',
          summary: 'The decision journal, newest first',
          description:
            'Every analysed decision of your traders: what the provider decided, the validation result with each constraint, what was executed, outcome, latency, tokens and cost. ' +
            'New decisions arrive on the SSE stream /api/stream as `decision` events.',
          parameters: queryParameters(ZListDecisionsQuery, {
            traderId: 'Only this trader\'s decisions.',
            positionId: 'Only decisions about this position.',
            symbol: 'Only this symbol (e.g. BTC/USDT).',
            action: 'Only this decision; INVALID: output that could not be read (no action).',
            outcome: 'Only this outcome.',
            limit: 'At most this many decisions.',
            cursor: 'The previous page\'s nextCursor, for older decisions.',
          }),
          responses: { 200: ok('Decisions', 'DecisionList'), 400: E[400], 401: E[401] },
        },
      },
      '/api/v1/decisions/{id}': {
        parameters: [idParam('decision')],
        get: {
          tags: ['decisions'],
          operationId: 'getDecision',
          summary: 'One decision with the exact prompt and the raw response',
          responses: { 200: ok('The decision', 'DecisionDetail'), 401: E[401], 404: E[404] },
        },
      },
      '/api/v1/approvals': {
        get: {
          tags: ['approvals'],
          operationId: 'listApprovals',
          summary: 'Orders waiting for (or decided by) a person',
          description: 'PENDING requests come soonest-expiring first; others most recently decided first. Changes arrive on the SSE stream as `approval` events.',
          parameters: queryParameters(ZListApprovalsQuery, { status: 'Only requests in this status.', traderId: 'Only this trader\'s requests.', limit: 'At most this many requests.' }),
          responses: { 200: ok('Approvals', 'ApprovalList'), 400: E[400], 401: E[401] },
        },
      },
      '/api/v1/approvals/{id}/approve': {
        parameters: [idParam('approval')],
        post: {
          tags: ['approvals'],
          operationId: 'approveApproval',
          summary: 'Approve a queued order, as proposed or with edits',
          description:
            'Validated again against the current market, the validation layer and every risk limit, then executed through the regular services. ' +
            'A request that is no longer valid is refused with 400 and the reasons (it stays pending); an expired or already decided one with 409. ' +
            'If the order is refused at execution (e.g. a risk limit, 422) the approval is marked FAILED.',
          requestBody: body('ApproveRequest', false),
          responses: { 200: ok('Approved and executed', 'ApproveResult'), 400: E[400], 401: E[401], 404: E[404], 409: err('Expired or already decided.'), 422: err('Refused at execution (exchange or risk limit); the approval is now FAILED.'), 503: E[503] },
        },
      },
      '/api/v1/approvals/{id}/reject': {
        parameters: [idParam('approval')],
        post: {
          tags: ['approvals'],
          operationId: 'rejectApproval',
          summary: 'Reject a queued order, with an optional note',
          requestBody: body('RejectRequest', false),
          responses: { 200: ok('The rejected request', 'Approval'), 400: E[400], 401: E[401], 404: E[404], 409: err('Expired or already decided.') },
        },
      },
      ...userPaths(),
      ...accountPaths(),
      ...exchangeAccountPaths(),
      ...logPaths(queryParameters),
      ...performancePaths(queryParameters),
      ...executionQualityPaths(queryParameters),
      ...marketPaths(queryParameters),
      ...signalPaths(queryParameters),
      ...groupPaths(queryParameters),
      ...poolPaths(),
      ...riskEnginePaths(),
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/v1/auth/token (tl_…).' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token', description: 'The browser session of the web app.' },
      },
      schemas: {
        DecimalInput: {
          description: 'A non-negative decimal, preferably as a string ("0.015"); a JSON number is accepted too. Must be greater than 0 where a positive value is required.',
          oneOf: [{ type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*$' }, { type: 'number', minimum: 0 }],
          examples: ['60010.5'],
        },
        ...requestSchemas(),
        ...responseSchemas(),
      },
    },
  }
}
