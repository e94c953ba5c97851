import { describe, expect, it } from 'vitest'
import { GET } from '@/app/api/v1/openapi.json/route'

// The document is built from code only; no database is needed, and no credentials either.
async function fetchDocument() {
  const res = await GET(new Request('http://localhost/api/v1/openapi.json'))
  expect(res.status).toBe(200)
  return JSON.parse(await res.text())
}

function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refsIn(x, out))
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x)
      else refsIn(x, out)
    }
  }
  return out
}

describe('GET /api/v1/openapi.json', () => {
  it('is a public OpenAPI 3.1 document listing every endpoint and method', async () => {
    const doc = await fetchDocument()
    expect(doc.openapi).toBe('3.1.0')
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== 'parameters')
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(operations.sort()).toEqual(
      [
        'GET /api/health',
        'GET /api/metrics',
        'GET /api/v1/openapi.json',
        'POST /api/v1/auth/token',
        'GET /api/v1/traders',
        'POST /api/v1/traders',
        'GET /api/v1/traders/{id}',
        'PATCH /api/v1/traders/{id}',
        'GET /api/v1/positions',
        'POST /api/v1/positions',
        'GET /api/v1/positions/{id}',
        'POST /api/v1/positions/{id}/close',
        'PATCH /api/v1/positions/{id}/protection',
        'POST /api/v1/positions/{id}/cancel-entry',
        'GET /api/v1/orders',
        'GET /api/v1/notifications',
        'GET /api/v1/notification-channels',
        'POST /api/v1/notification-channels',
        'PATCH /api/v1/notification-channels/{id}',
        'DELETE /api/v1/notification-channels/{id}',
        'POST /api/v1/notification-channels/{id}/test',
        'GET /api/v1/notification-deliveries',
        'GET /api/v1/notification-settings',
        'PATCH /api/v1/notification-settings',
        'POST /api/v1/panic',
        'POST /api/v1/trading/resume',
        'GET /api/v1/traders/{id}/settings',
        'PATCH /api/v1/traders/{id}/settings',
        'POST /api/v1/traders/{id}/test-connection',
        'POST /api/v1/traders/{id}/analyze',
        'POST /api/v1/traders/{id}/pause',
        'POST /api/v1/traders/{id}/resume',
        'GET /api/v1/risk-settings',
        'PATCH /api/v1/risk-settings',
        'GET /api/v1/decisions',
        'GET /api/v1/decisions/{id}',
        'GET /api/v1/approvals',
        'POST /api/v1/approvals/{id}/approve',
        'POST /api/v1/approvals/{id}/reject',
        'GET /api/v1/performance',
        'GET /api/v1/performance/trades.csv',
        'GET /api/v1/users',
        'POST /api/v1/users',
        'DELETE /api/v1/users/{id}',
        'GET /api/v1/invites',
        'POST /api/v1/invites',
        'DELETE /api/v1/invites/{id}',
        'GET /api/v1/api-tokens',
        'POST /api/v1/api-tokens',
        'DELETE /api/v1/api-tokens/{id}',
        'POST /api/v1/account/password',
        'GET /api/v1/exchange-accounts',
        'POST /api/v1/exchange-accounts',
        'GET /api/v1/exchange-accounts/{id}',
        'GET /api/v1/execution-quality',
        'PATCH /api/v1/exchange-accounts/{id}',
        'DELETE /api/v1/exchange-accounts/{id}',
        'POST /api/v1/exchange-accounts/{id}/test',
        'GET /api/v1/logs',
        'GET /api/v1/logs.csv',
        'GET /api/v1/fills.csv',
        'GET /api/v1/orders.csv',
        'GET /api/v1/decisions.csv',
        'GET /api/v1/markets/{symbol}/candles',
        'GET /api/v1/markets/{symbol}/quote',
        'POST /api/webhooks/tradingview/{traderId}',
        'POST /api/v1/traders/{id}/webhook-secret',
        'GET /api/v1/traders/{id}/signal-settings',
        'PATCH /api/v1/traders/{id}/signal-settings',
        'GET /api/v1/traders/{id}/signals',
        'GET /api/v1/traders/{id}/signals.csv',
        'GET /api/v1/traders/{id}/group-settings',
        'PATCH /api/v1/traders/{id}/group-settings',
        'GET /api/v1/traders/{id}/groups',
        'GET /api/v1/groups/{id}',
        'POST /api/v1/groups/{id}/close',
        'GET /api/v1/pool',
        'PATCH /api/v1/pool/settings',
        'POST /api/v1/pool/queue/{id}/promote',
        'POST /api/v1/pool/queue/{id}/remove',
        'GET /api/v1/risk-engine',
        'PATCH /api/v1/risk-engine/settings',
        'POST /api/v1/risk-engine/run',
        'PATCH /api/v1/groups/{id}/risk-engine',
      ].sort(),
    )
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
    // Public endpoints opt out of the global bearer requirement.
    expect(doc.paths['/api/v1/auth/token'].post.security).toEqual([])
    expect(doc.paths['/api/health'].get.security).toEqual([])
    // The webhook authenticates by the secret in its body.
    expect(doc.paths['/api/webhooks/tradingview/{traderId}'].post.security).toEqual([])
  })

  it('resolves every $ref, and documents the error shape on every failure response', async () => {
    const doc = await fetchDocument()
    const schemas = doc.components.schemas as Record<string, unknown>
    const missing = refsIn(doc).filter((r) => !r.startsWith('#/components/schemas/') || !(r.slice('#/components/schemas/'.length) in schemas))
    expect(missing).toEqual([])
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { responses?: Record<string, { content: unknown }> }>>)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          if (Number(status) >= 400 && path !== '/api/health') {
            expect(response.content, `${method} ${path} ${status}`).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Error' } } })
          }
        }
      }
    }
    expect(schemas.Error).toMatchObject({ required: ['error'], properties: { error: { required: ['code', 'message'] } } })
  })

  it('describes request bodies from the service schemas, with decimals as strings', async () => {
    const doc = await fetchDocument()
    const s = doc.components.schemas
    expect(s.OpenPositionRequest.required).toEqual(['traderId', 'symbol', 'side', 'sizeMode', 'size', 'entryType', 'stopLoss'])
    expect(s.OpenPositionRequest.properties.stopLoss).toEqual({ $ref: '#/components/schemas/DecimalInput' })
    expect(s.OpenPositionRequest.properties.side.enum).toEqual(['LONG', 'SHORT'])
    // A paper trader (startingBalance, quoteCurrency) or one on an exchange account (accountId): the service checks which.
    // The watchlist may be left out with a TOP universe, so the service checks it too.
    expect(s.CreateTraderRequest.required).toEqual(['name'])
    expect(Object.keys(s.CreateTraderRequest.properties)).toEqual(['name', 'quoteCurrency', 'startingBalance', 'accountId', 'watchlist', 'universe', 'autoTrade'])
    expect(s.CreateTraderRequest.properties.universe.oneOf ?? s.CreateTraderRequest.properties.universe.anyOf).toHaveLength(2)
    expect(s.Trader.properties.universe).toEqual({ $ref: '#/components/schemas/TraderUniverse' })
    expect(s.CreateExchangeAccountRequest.required).toEqual(['name', 'exchange', 'mode', 'apiKey', 'secret'])
    expect(s.CreateExchangeAccountRequest.properties.exchange.enum).toEqual(['binance', 'coinbase'])
    expect(s.CreateExchangeAccountRequest.properties.mode.enum).toEqual(['TESTNET', 'LIVE'])
    // No response schema can carry key material (the webhook secret only in the one answer that creates it).
    expect(Object.keys(s.ExchangeAccount.properties).filter((k) => /secret|apikey/i.test(k))).toEqual([])
    expect(Object.keys(s.Trader.properties).filter((k) => /secret/i.test(k))).toEqual([])
    expect(s.SignalSettings.properties.secret.properties).not.toHaveProperty('secret')
    expect(s.Health.properties.liveTrading.properties.enabled.type).toBe('boolean')
    expect(s.Trader.properties.mode.enum).toEqual(['PAPER', 'TESTNET', 'LIVE'])
    expect(Object.keys(s.ModifyProtectionRequest.properties)).toEqual(['stopLoss', 'takeProfits'])
    expect(s.ClosePositionRequest.properties.sharePct).toEqual({ $ref: '#/components/schemas/DecimalInput' })
    // Responses: every decimal is a string.
    expect(s.Position.properties.realizedPnl).toMatchObject({ type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' })
    expect(s.Fill.properties.price.type).toBe('string')
    expect(s.Trader.properties.equity.anyOf).toEqual([expect.objectContaining({ type: 'string' }), { type: 'null' }])
    expect(doc.paths['/api/v1/positions'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OpenPositionRequest' })
    expect(doc.paths['/api/v1/positions'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['state', 'traderId'])
    expect(doc.paths['/api/v1/positions'].get.parameters[0].schema.enum).toEqual(['active', 'closed'])
    // The logs viewer's filters; CSV exports answer text/csv, their errors JSON like every route.
    expect(doc.paths['/api/v1/logs'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['kind', 'level', 'type', 'traderId', 'symbol', 'from', 'to', 'q', 'limit', 'cursor'])
    expect(s.LogEntry.properties.kind.enum).toEqual(['activity', 'audit', 'risk', 'delivery', 'signal'])
    for (const p of ['/api/v1/logs.csv', '/api/v1/fills.csv', '/api/v1/orders.csv', '/api/v1/decisions.csv']) {
      expect(Object.keys(doc.paths[p].get.responses[200].content), p).toEqual(['text/csv'])
    }
  })
})
