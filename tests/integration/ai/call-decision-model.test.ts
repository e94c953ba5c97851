import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { callDecisionModel, type ModelCallResult } from '@/lib/ai/call-decision-model'
import type { DecisionContext } from '@/lib/ai/decision-context'
import { PROMPT_VERSION, loadSystemPrompt, renderDecisionPrompt } from '@/lib/ai/prompt'
import type { ProviderConfig } from '@/lib/ai/provider-config'
import { MODEL_DECISION_JSON_SCHEMA } from '@/lib/ai/trade-decision-schema'
import { startFakeAnthropic } from '@/tests/support/fake-anthropic'
import { decisionFromPrompt, startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'

// The real AI SDK clients (@ai-sdk/openai-compatible, @ai-sdk/anthropic) against local servers
// speaking their protocols; nothing in the SDK is mocked.

const KEY = 'sk-test-9f8e7d6c5b4a39281706'

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    trader: { name: 'Momentum BTC', quoteCurrency: 'USDT', canShort: true, minConfidence: '0.6' },
    symbol: 'BTC/USDT',
    now: '2025-06-01T12:00:00.000Z',
    market: {
      bid: '60000.00',
      ask: '60000.01',
      mid: '60000.005',
      tickSize: '0.01',
      stepSize: '0.00001',
      minNotional: '5',
      candles: {
        '1h': [
          { t: '2025-06-01T09:00:00.000Z', o: '59500.00', h: '59900.00', l: '59450.00', c: '59850.00', v: '120.5' },
          { t: '2025-06-01T10:00:00.000Z', o: '59850.00', h: '60100.00', l: '59800.00', c: '59990.00', v: '98.2' },
          { t: '2025-06-01T11:00:00.000Z', o: '59990.00', h: '60050.00', l: '59910.00', c: '60000.00', v: '87.1' },
        ],
      },
      atr: '410.25',
      volatilityPct: '0.68',
    },
    position: null,
    recentDecisions: [{ at: '2025-06-01T11:00:00.000Z', action: 'WATCH', confidence: '0.55', outcome: 'NOT_EXECUTED', reasoning: 'Waiting for 60000.' }],
    account: { equity: '10000.00', available: '9000.00', openPositions: 1, dailyPnl: '-12.40' },
    risk: { maxStopDistancePct: '5', maxPositionQuote: '2500', tradesToday: 2, paused: false },
    ...overrides,
  }
}

const openPosition: DecisionContext['position'] = {
  side: 'LONG',
  qty: '0.01',
  avgEntryPrice: '59000.00',
  unrealizedPnl: '10.00',
  unrealizedPnlPct: '1.69',
  ageMinutes: 95,
  stopLoss: '58500.00',
  takeProfits: [
    { level: 1, price: '60500.00', sharePct: '50' },
    { level: 2, price: '61500.00', sharePct: '50' },
  ],
  fills: [{ side: 'BUY', qty: '0.01', price: '59000.00', fee: '0.59', at: '2025-06-01T10:25:00.000Z' }],
  modifications: [{ at: '2025-06-01T11:05:00.000Z', type: 'MOVE_SL', message: 'Stop 58000.00 -> 58500.00' }],
}

const NULLS = { entryType: null, entryPrice: null, sizeQuote: null, stopLoss: null, takeProfits: null, exitSharePct: null, modifications: null }

function answer(fields: Record<string, unknown>): Record<string, unknown> {
  return { symbol: 'BTC/USDT', reasoning: 'Close 60000 above the 59850 range high.', confidence: 0.7, ...NULLS, ...fields }
}

/** The decision with Decimals as their exact strings. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v))

function expectOk(result: ModelCallResult): Extract<ModelCallResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.kind}: ${result.error.message}`)
  return result
}

function expectError(result: ModelCallResult): Extract<ModelCallResult, { ok: false }> {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(plain(result.decision))}`)
  return result
}

async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/v1`
}

describe('prompt', () => {
  test('the system prompt is the versioned file', () => {
    const file = readFileSync(path.join(process.cwd(), 'prompts', `${PROMPT_VERSION}.md`), 'utf8')
    expect(PROMPT_VERSION).toBe('trade-decision.v1')
    expect(loadSystemPrompt()).toBe(file.trim())
  })

  test('the system prompt documents every field of the answer schema', () => {
    const system = loadSystemPrompt()
    const fields = Object.keys(MODEL_DECISION_JSON_SCHEMA.properties as object)
    expect(fields).toHaveLength(11)
    for (const field of fields) expect(system, field).toContain(`"${field}"`)
    for (const type of ['MOVE_SL', 'TRAIL_SL', 'ADD_TP', 'MODIFY_TP', 'CANCEL_TP']) expect(system).toContain(type)
  })

  test('the user message carries the context: prices, candles, position, limits', () => {
    const { user } = renderDecisionPrompt(context({ position: openPosition }))
    expect(user).toContain('Decide now for BTC/USDT')
    expect(user).toContain('bid 60000.00, ask 60000.01')
    expect(user).toContain('Open position in BTC/USDT: LONG 0.01 at 59000.00')
    expect(user).toContain('"maxStopDistancePct": "5"')
    expect(user).toContain('Candles BTC/USDT 1h (3, oldest first')
    expect(user).toContain('2025-06-01T09:00:00.000Z,59500.00,59900.00,59450.00,59850.00,120.5')
    expect(user.indexOf('2025-06-01T09:00:00.000Z,')).toBeLessThan(user.indexOf('2025-06-01T11:00:00.000Z,'))
    expect(user).toContain('"level": 2')
    expect(user).toContain('Answer with exactly one JSON decision object for "BTC/USDT"')
    expect(renderDecisionPrompt(context()).user).toContain('Open position in BTC/USDT: none.')
  })
})

describe('OpenAI-compatible', () => {
  let fake: FakeLlmServer
  beforeEach(async () => {
    fake = await startFakeOpenAI()
  })
  afterEach(async () => {
    await fake.close()
  })

  const cfg = (overrides: Partial<ProviderConfig> = {}): ProviderConfig => ({
    provider: 'OPENAI_COMPATIBLE',
    baseUrl: fake.url,
    model: 'fake-model',
    apiKey: KEY,
    timeoutMs: 5_000,
    maxRetries: 0,
    inputCostPerMTok: 2.5,
    outputCostPerMTok: 10,
    ...overrides,
  })

  test.each([
    {
      label: 'NO_TRADE',
      json: answer({ action: 'NO_TRADE', confidence: 0.9 }),
      expected: { action: 'NO_TRADE', confidence: '0.9' },
    },
    {
      label: 'LONG, market, with stop and two targets',
      json: answer({ action: 'LONG', confidence: 0.72, entryType: 'MARKET', stopLoss: 59400.5, sizeQuote: 1500, takeProfits: [{ price: 60600.1, sharePct: 60 }, { price: 61200, sharePct: 40 }] }),
      expected: {
        action: 'LONG',
        confidence: '0.72',
        entryType: 'MARKET',
        stopLoss: '59400.5',
        sizeQuote: '1500',
        takeProfits: [{ price: '60600.1', sharePct: '60' }, { price: '61200', sharePct: '40' }],
      },
    },
    {
      label: 'LONG, limit, prices as numeric strings',
      json: answer({ action: 'LONG', confidence: '0.65', entryType: 'LIMIT', entryPrice: '59800.12345678901234', stopLoss: ' 59200.01 ', takeProfits: [{ price: '60400', sharePct: '100' }] }),
      expected: {
        action: 'LONG',
        confidence: '0.65',
        entryType: 'LIMIT',
        entryPrice: '59800.12345678901234',
        stopLoss: '59200.01',
        takeProfits: [{ price: '60400', sharePct: '100' }],
      },
    },
    {
      label: 'SHORT',
      json: answer({ action: 'SHORT', confidence: 0.66, stopLoss: 60600, takeProfits: [{ price: 59400, sharePct: 100 }] }),
      expected: { action: 'SHORT', confidence: '0.66', stopLoss: '60600', takeProfits: [{ price: '59400', sharePct: '100' }] },
    },
    {
      label: 'WATCH',
      json: answer({ action: 'WATCH', confidence: 0.5 }),
      expected: { action: 'WATCH', confidence: '0.5' },
    },
    {
      label: 'CLOSE',
      json: answer({ action: 'CLOSE', confidence: 0.81 }),
      expected: { action: 'CLOSE', confidence: '0.81' },
    },
    {
      label: 'PARTIAL_TP',
      json: answer({ action: 'PARTIAL_TP', confidence: 0.7, exitSharePct: 33.3 }),
      expected: { action: 'PARTIAL_TP', confidence: '0.7', exitSharePct: '33.3' },
    },
    {
      label: 'NO_TRADE with every modification type',
      json: answer({
        action: 'NO_TRADE',
        confidence: 0.75,
        modifications: [
          { type: 'MOVE_SL', price: 59500 },
          { type: 'TRAIL_SL', distancePct: 1.25 },
          { type: 'ADD_TP', price: 62000, sharePct: 20 },
          { type: 'MODIFY_TP', level: 1, price: 60700, sharePct: 40 },
          { type: 'MODIFY_TP', level: '2', price: 61600, sharePct: null },
          { type: 'CANCEL_TP', level: 3 },
        ],
      }),
      expected: {
        action: 'NO_TRADE',
        confidence: '0.75',
        modifications: [
          { type: 'MOVE_SL', price: '59500' },
          { type: 'TRAIL_SL', distancePct: '1.25' },
          { type: 'ADD_TP', price: '62000', sharePct: '20' },
          { type: 'MODIFY_TP', level: 1, price: '60700', sharePct: '40' },
          { type: 'MODIFY_TP', level: 2, price: '61600' },
          { type: 'CANCEL_TP', level: 3 },
        ],
      },
    },
  ])('valid decision: $label', async ({ json, expected }) => {
    fake.script([{ json }])
    const result = expectOk(await callDecisionModel(cfg(), context({ position: openPosition })))
    expect(plain(result.decision)).toEqual({ symbol: 'BTC/USDT', reasoning: 'Close 60000 above the 59850 range high.', ...expected })
    expect(result.raw).toBe(JSON.stringify(json))
    expect(result.attempts).toBe(1)
  })

  test('sends the versioned system prompt, the context prices, the schema and the key', async () => {
    fake.script([{ json: answer({ action: 'NO_TRADE' }) }])
    const result = expectOk(await callDecisionModel(cfg({ model: 'gpt-4.1-mini' }), context()))

    expect(fake.requests).toHaveLength(1)
    const req = fake.requests[0]
    expect(req.method).toBe('POST')
    expect(req.path).toBe('/v1/chat/completions')
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`)
    const body = req.body as { model: string; messages: { role: string; content: string }[]; response_format: Record<string, unknown> }
    expect(body.model).toBe('gpt-4.1-mini')
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user'])
    expect(body.messages[0].content).toBe(loadSystemPrompt())
    expect(body.messages[1].content).toBe(renderDecisionPrompt(context()).user)
    expect(body.messages[1].content).toContain('"bid": "60000.00"')
    expect(body.messages[1].content).toContain('"ask": "60000.01"')
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'trade_decision', description: 'One trading decision for BTC/USDT', strict: true, schema: MODEL_DECISION_JSON_SCHEMA },
    })

    expect(result.prompt).toEqual({
      system: loadSystemPrompt(),
      user: body.messages[1].content,
      model: 'gpt-4.1-mini',
      provider: 'OPENAI_COMPATIBLE',
      promptVersion: 'trade-decision.v1',
    })
    expect(JSON.stringify(result)).not.toContain(KEY)
  })

  test('without an API key no Authorization header is sent (Ollama, LM Studio)', async () => {
    fake.script([{ json: answer({ action: 'NO_TRADE' }) }])
    expectOk(await callDecisionModel(cfg({ apiKey: null }), context()))
    expect(fake.requests[0].headers.authorization).toBeUndefined()
  })

  test.each([
    { label: '2.5 / 10 per MTok', input: 2.5, output: 10, promptTokens: 1234, completionTokens: 567, cost: '0.008755' },
    { label: '0.15 / 0.6 per MTok', input: 0.15, output: 0.6, promptTokens: 1000, completionTokens: 333, cost: '0.0003498' },
    { label: 'free local model', input: 0, output: 0, promptTokens: 5000, completionTokens: 200, cost: '0' },
  ])('usage and exact cost: $label', async ({ input, output, promptTokens, completionTokens, cost }) => {
    // The model answers after 40 ms: its latency includes that wait.
    fake.script([{ delayMs: 40, then: { json: answer({ action: 'NO_TRADE' }), usage: { promptTokens, completionTokens } } }])
    const result = expectOk(await callDecisionModel(cfg({ inputCostPerMTok: input, outputCostPerMTok: output }), context()))
    expect(result.usage).toEqual({ promptTokens, completionTokens })
    expect(result.costUsd).toBe(cost)
    expect(result.modelLatencyMs).toBeGreaterThanOrEqual(40)
  })

  test('the decision a sensible model gives from the rendered prompt (decisionFromPrompt)', async () => {
    fake.setResponder(decisionFromPrompt)
    const long = expectOk(await callDecisionModel(cfg(), context()))
    expect(plain(long.decision)).toMatchObject({
      symbol: 'BTC/USDT',
      action: 'LONG',
      confidence: '0.8',
      entryType: 'MARKET',
      stopLoss: '59400',
      takeProfits: [{ price: '60600.02', sharePct: '50' }, { price: '61200.02', sharePct: '50' }],
    })
    const hold = expectOk(await callDecisionModel(cfg(), context({ position: openPosition })))
    expect(hold.decision.action).toBe('NO_TRADE')
    expect(hold.decision.stopLoss).toBeUndefined()
  })

  test('malformed JSON is MALFORMED, with the raw answer and the billed tokens kept', async () => {
    const raw = '{"symbol": "BTC/USDT", "action": "LONG", "confidence": 0.8, "reasoning": "breakout'
    fake.script([{ content: raw, usage: { promptTokens: 900, completionTokens: 40 } }])
    const result = expectError(await callDecisionModel(cfg(), context()))
    expect(result.error.kind).toBe('MALFORMED')
    expect(result.error.retryable).toBe(false)
    expect(result.raw).toBe(raw)
    expect(result.usage).toEqual({ promptTokens: 900, completionTokens: 40 })
    expect(result.costUsd).toBe('0.00265')
    expect(result.prompt.system).toBe(loadSystemPrompt())
  })

  test('an answer cut off at the token limit says so', async () => {
    fake.script([{ content: '{"symbol": "BTC/USDT", "reasoning": "The 1h close', finishReason: 'length' }])
    const result = expectError(await callDecisionModel(cfg(), context()))
    expect(result.error.kind).toBe('MALFORMED')
    expect(result.error.message).toContain('output token limit')
  })

  test('prose instead of JSON is MALFORMED', async () => {
    fake.script([{ content: 'I think BTC looks bullish, go long.' }])
    const result = expectError(await callDecisionModel(cfg(), context()))
    expect(result.error.kind).toBe('MALFORMED')
    expect(result.raw).toBe('I think BTC looks bullish, go long.')
  })

  test('JSON in a code fence after a <think> block is unwrapped (unconstrained local models)', async () => {
    const json = answer({ action: 'WATCH', confidence: 0.4 })
    const raw = `<think>bid 60000, range high 59850</think>\n\`\`\`json\n${JSON.stringify(json)}\n\`\`\``
    fake.script([{ content: raw }])
    const result = expectOk(await callDecisionModel(cfg(), context()))
    expect(result.decision.action).toBe('WATCH')
    expect(result.raw).toBe(raw)
  })

  test.each([
    { label: 'confidence 1.7', json: answer({ action: 'NO_TRADE', confidence: 1.7 }), mentions: 'confidence' },
    { label: 'unknown action', json: answer({ action: 'HOLD' }), mentions: 'action' },
    { label: 'price that is not a number', json: answer({ action: 'LONG', stopLoss: 'about 59400' }), mentions: 'stopLoss' },
    { label: 'unknown modification type', json: answer({ action: 'NO_TRADE', modifications: [{ type: 'MOVE_TP', price: 1 }] }), mentions: 'modifications' },
    { label: 'take-profit level 0', json: answer({ action: 'NO_TRADE', modifications: [{ type: 'CANCEL_TP', level: 0 }] }), mentions: 'level' },
    { label: 'missing reasoning', json: { symbol: 'BTC/USDT', action: 'NO_TRADE', confidence: 0.5 }, mentions: 'reasoning' },
    { label: 'an array', json: [answer({ action: 'NO_TRADE' })], mentions: '(root)' },
  ])('schema violation is SCHEMA: $label', async ({ json, mentions }) => {
    fake.script([{ json }])
    const result = expectError(await callDecisionModel(cfg(), context()))
    expect(result.error.kind).toBe('SCHEMA')
    expect(result.error.retryable).toBe(false)
    expect(result.error.message).toContain(mentions)
    expect(result.raw).toBe(JSON.stringify(json))
  })

  test('a decision for another symbol is WRONG_SYMBOL', async () => {
    fake.script([{ json: answer({ symbol: 'ETH/USDT', action: 'LONG', stopLoss: 2970, takeProfits: [{ price: 3030, sharePct: 100 }] }) }])
    const result = expectError(await callDecisionModel(cfg(), context()))
    expect(result.error.kind).toBe('WRONG_SYMBOL')
    expect(result.error.message).toContain('ETH/USDT')
    expect(result.raw).toContain('ETH/USDT')
  })

  test('the same symbol spelled without the slash is accepted and reported as asked', async () => {
    fake.script([{ json: answer({ symbol: 'btcusdt', action: 'NO_TRADE' }) }])
    const result = expectOk(await callDecisionModel(cfg(), context()))
    expect(result.decision.symbol).toBe('BTC/USDT')
  })

  test('a 500 then an answer, with maxRetries 1: ok after 2 attempts', async () => {
    fake.script([{ status: 500, headers: { 'retry-after-ms': '20' } }, { json: answer({ action: 'NO_TRADE' }) }])
    const result = expectOk(await callDecisionModel(cfg({ maxRetries: 1 }), context()))
    expect(result.attempts).toBe(2)
    expect(fake.requests).toHaveLength(2)
  })

  test('500s beyond maxRetries: HTTP 500, retryable, every attempt counted', async () => {
    fake.script([
      { status: 500, headers: { 'retry-after-ms': '10' } },
      { status: 503, headers: { 'retry-after-ms': '10' } },
      { json: answer({ action: 'NO_TRADE' }) },
    ])
    const result = expectError(await callDecisionModel(cfg({ maxRetries: 1 }), context()))
    expect(result.error).toMatchObject({ kind: 'HTTP', status: 503, retryable: true })
    expect(result.attempts).toBe(2)
    expect(result.usage).toEqual({ promptTokens: 0, completionTokens: 0 })
    expect(result.costUsd).toBe('0')
  })

  test('maxRetries 0 makes one attempt', async () => {
    fake.script([{ status: 502 }, { json: answer({ action: 'NO_TRADE' }) }])
    const result = expectError(await callDecisionModel(cfg({ maxRetries: 0 }), context()))
    expect(result.error).toMatchObject({ kind: 'HTTP', status: 502, retryable: true })
    expect(result.attempts).toBe(1)
  })

  test('a 401 is HTTP, not retried, and the echoed key is not in anything returned', async () => {
    await fake.close()
    fake = await startFakeOpenAI({ apiKey: 'sk-the-right-key-000000000' })
    const result = expectError(await callDecisionModel(cfg({ maxRetries: 2 }), context()))
    expect(result.error).toMatchObject({ kind: 'HTTP', status: 401, retryable: false })
    expect(result.attempts).toBe(1)
    // The fake echoes the key it was given, as some servers do.
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`)
    expect(result.error.message).toContain('Incorrect API key provided')
    expect(result.error.message).not.toContain(KEY)
    expect(result.raw).toContain('[redacted]')
    expect(JSON.stringify(result)).not.toContain(KEY)
  })

  test('a model that never answers is TIMEOUT after timeoutMs, retries included', async () => {
    fake.script([{ hang: true }, { hang: true }, { hang: true }])
    const started = performance.now()
    const result = expectError(await callDecisionModel(cfg({ timeoutMs: 300, maxRetries: 2 }), context()))
    const elapsed = performance.now() - started
    expect(result.error).toMatchObject({ kind: 'TIMEOUT', retryable: true })
    expect(result.error.message).toContain('300 ms')
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(1_000)
    expect(result.modelLatencyMs).toBeGreaterThanOrEqual(290)
    expect(result.attempts).toBe(1)
    expect(result.raw).toBeNull()
  })

  test('a slow answer inside the deadline is fine', async () => {
    fake.script([{ delayMs: 150, then: { json: answer({ action: 'NO_TRADE' }) } }])
    const result = expectOk(await callDecisionModel(cfg({ timeoutMs: 2_000 }), context()))
    expect(result.modelLatencyMs).toBeGreaterThanOrEqual(140)
  })

  test('the caller can cancel', async () => {
    fake.script([{ hang: true }])
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const result = expectError(await callDecisionModel(cfg({ timeoutMs: 5_000 }), context(), { abortSignal: controller.signal }))
    expect(result.error).toMatchObject({ kind: 'NETWORK', retryable: true, message: 'the call was cancelled' })
  })

  test('a refused connection is NETWORK, retryable', async () => {
    const result = expectError(await callDecisionModel(cfg({ baseUrl: await closedPortUrl() }), context()))
    expect(result.error.kind).toBe('NETWORK')
    expect(result.error.retryable).toBe(true)
    expect(result.error.message).toContain('connection refused')
  })

  test('a server without json_schema support gets json_object instead', async () => {
    await fake.close()
    fake = await startFakeOpenAI({ rejectJsonSchema: true })
    fake.script([{ json: answer({ action: 'WATCH', confidence: 0.45 }) }])
    const result = expectOk(await callDecisionModel(cfg(), context()))
    expect(result.decision.action).toBe('WATCH')
    expect(result.attempts).toBe(2)
    expect(fake.requests.map((r) => (r.body?.response_format as { type: string }).type)).toEqual(['json_schema', 'json_object'])
  })
})

describe('Anthropic', () => {
  let fake: FakeLlmServer
  beforeEach(async () => {
    fake = await startFakeAnthropic()
  })
  afterEach(async () => {
    await fake.close()
  })

  const cfg = (overrides: Partial<ProviderConfig> = {}): ProviderConfig => ({
    provider: 'ANTHROPIC',
    baseUrl: fake.url,
    model: 'claude-sonnet-4-5',
    apiKey: KEY,
    timeoutMs: 5_000,
    maxRetries: 0,
    inputCostPerMTok: 3,
    outputCostPerMTok: 15,
    ...overrides,
  })

  test('valid decision via native structured output (output_config.format)', async () => {
    const json = answer({ action: 'LONG', confidence: 0.7, stopLoss: 59400, takeProfits: [{ price: 60600, sharePct: 100 }] })
    fake.script([{ json, usage: { promptTokens: 2000, completionTokens: 100 } }])
    const result = expectOk(await callDecisionModel(cfg(), context()))
    expect(plain(result.decision)).toMatchObject({ action: 'LONG', stopLoss: '59400', takeProfits: [{ price: '60600', sharePct: '100' }] })
    expect(result.usage).toEqual({ promptTokens: 2000, completionTokens: 100 })
    expect(result.costUsd).toBe('0.0075')

    const req = fake.requests[0]
    expect(req.path).toBe('/v1/messages')
    expect(req.headers['x-api-key']).toBe(KEY)
    expect(req.headers['anthropic-version']).toBe('2023-06-01')
    const body = req.body as { system: { text: string }[]; messages: { content: { text: string }[] }[]; output_config: { format: { type: string } } }
    expect(body.system.map((s) => s.text).join('')).toBe(loadSystemPrompt())
    expect(body.messages[0].content[0].text).toContain('"ask": "60000.01"')
    expect(body.output_config.format.type).toBe('json_schema')
    expect(result.prompt).toMatchObject({ provider: 'ANTHROPIC', model: 'claude-sonnet-4-5', promptVersion: PROMPT_VERSION })
  })

  test('valid decision via the forced "json" tool (models without native structured output)', async () => {
    const json = answer({ action: 'PARTIAL_TP', confidence: 0.6, exitSharePct: 25 })
    fake.script([{ json }])
    const result = expectOk(await callDecisionModel(cfg({ model: 'claude-3-haiku-20240307' }), context({ position: openPosition })))
    expect(plain(result.decision)).toMatchObject({ action: 'PARTIAL_TP', exitSharePct: '25' })
    const body = fake.requests[0].body as { tools: { name: string }[]; tool_choice: unknown; output_config?: unknown }
    expect(body.tools.map((t) => t.name)).toEqual(['json'])
    expect(body.output_config).toBeUndefined()
  })

  test('malformed JSON is MALFORMED with the raw answer kept', async () => {
    const raw = '{"symbol": "BTC/USDT", "action": "SHORT", "confidence": 0.'
    fake.script([{ content: raw, usage: { promptTokens: 1000, completionTokens: 20 } }])
    const result = expectError(await callDecisionModel(cfg(), context()))
    expect(result.error.kind).toBe('MALFORMED')
    expect(result.raw).toBe(raw)
    expect(result.usage).toEqual({ promptTokens: 1000, completionTokens: 20 })
    expect(result.costUsd).toBe('0.0033')
  })

  test('schema violation is SCHEMA', async () => {
    fake.script([{ json: answer({ action: 'NO_TRADE', confidence: 1.7 }) }])
    const result = expectError(await callDecisionModel(cfg(), context()))
    expect(result.error.kind).toBe('SCHEMA')
  })

  test('a model that never answers is TIMEOUT', async () => {
    fake.script([{ hang: true }])
    const started = performance.now()
    const result = expectError(await callDecisionModel(cfg({ timeoutMs: 300, maxRetries: 1 }), context()))
    expect(result.error.kind).toBe('TIMEOUT')
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  test('an overloaded 529 then an answer, with maxRetries 1', async () => {
    fake.script([{ status: 529, headers: { 'retry-after-ms': '20' } }, { json: answer({ action: 'NO_TRADE' }) }])
    const result = expectOk(await callDecisionModel(cfg({ maxRetries: 1 }), context()))
    expect(result.attempts).toBe(2)
  })

  test('a 401 is HTTP and not retried', async () => {
    await fake.close()
    fake = await startFakeAnthropic({ apiKey: 'another-key' })
    const result = expectError(await callDecisionModel(cfg({ maxRetries: 2 }), context()))
    expect(result.error).toMatchObject({ kind: 'HTTP', status: 401, retryable: false })
    expect(result.attempts).toBe(1)
    expect(JSON.stringify(result)).not.toContain(KEY)
  })
})
