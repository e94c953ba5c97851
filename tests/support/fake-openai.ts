import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Decimal as DecimalJs } from 'decimal.js'
import { Decimal, dec } from '@/lib/domain/decimal'

/**
 * A local HTTP server speaking the OpenAI chat-completions protocol (non-streaming) well enough
 * for the real AI SDK client: POST /v1/chat/completions and GET /v1/models, with OpenAI's
 * `{error: {message, type, code}}` error bodies. Answers are scripted per test (a queue, then a
 * responder function). The protocol-independent machinery is shared with fake-anthropic.ts.
 */

export interface FakeUsage {
  promptTokens: number
  completionTokens: number
}

export type FakeResponse =
  /** The assistant message content, verbatim. */
  | { content: string; usage?: FakeUsage; finishReason?: string }
  /** Serialised with JSON.stringify as the message content. */
  | { json: unknown; usage?: FakeUsage; finishReason?: string }
  /** An error status; `body` defaults to the protocol's error shape with a generic message. */
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Waits, then answers with `then` (or what the queue/responder would have given). */
  | { delayMs: number; then?: FakeResponse }
  /** Never answers; the connection stays open until the client gives up or close() is called. */
  | { hang: true }

export interface FakeRequest {
  model: string
  messages: { role: string; content: unknown }[]
  body: Record<string, unknown>
}

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body, or null for bodiless requests. */
  body: Record<string, unknown> | null
}

export interface FakeLlmServer {
  /** Base URL ending in /v1, as a user would configure it. */
  url: string
  /** Queues answers for the next completion requests, consumed in order. */
  script(responses: FakeResponse[]): void
  /** Answers completion requests once the queue is empty (null: back to the default 400). */
  setResponder(fn: ((req: FakeRequest) => FakeResponse) | null): void
  /** Every request received, in order. */
  requests: RecordedRequest[]
  close(): Promise<void>
}

export interface FakeLlmOptions {
  /** When set, requests must carry this key (Bearer / x-api-key) or get a 401. */
  apiKey?: string
  /** When set, completion requests for any other model get a 404; also what GET /v1/models lists. */
  models?: string[]
}

export interface FakeOpenAIOptions extends FakeLlmOptions {
  /** Behave like a server without structured outputs: 400 on response_format json_schema. */
  rejectJsonSchema?: boolean
}

/** The protocol-specific parts of a fake LLM server. */
export interface FakeProtocol {
  name: string
  completionPath: string
  /** Null when authorised, otherwise the error to return. */
  authError(headers: IncomingHttpHeaders, apiKey: string): FakeResponse | null
  /** Checked before the queue: a 404 for an unknown model, a refused response_format, ... */
  precheck(req: FakeRequest, opts: FakeOpenAIOptions): FakeResponse | null
  errorBody(status: number, message: string): unknown
  success(req: FakeRequest, content: string, usage: FakeUsage, finishReason: string | undefined, seq: number): unknown
  modelList(models: string[]): unknown
}

const DEFAULT_MODELS = ['fake-model']

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}

export function defaultUsage(req: FakeRequest, content: string): FakeUsage {
  return { promptTokens: estimateTokens(JSON.stringify(req.body.system ?? '') + JSON.stringify(req.messages)), completionTokens: estimateTokens(content) }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(text)
}

export async function startFakeLlmServer(protocol: FakeProtocol, opts: FakeOpenAIOptions = {}): Promise<FakeLlmServer> {
  const queue: FakeResponse[] = []
  let responder: ((req: FakeRequest) => FakeResponse) | null = null
  const requests: RecordedRequest[] = []
  let seq = 0

  const fallback = (req: FakeRequest): FakeResponse =>
    responder
      ? responder(req)
      : { status: 400, body: protocol.errorBody(400, `${protocol.name}: nothing scripted for this request`) }

  async function answer(res: ServerResponse, req: FakeRequest, response: FakeResponse): Promise<void> {
    if ('hang' in response) return
    if ('delayMs' in response) {
      await sleep(response.delayMs)
      return answer(res, req, response.then ?? fallback(req))
    }
    if ('status' in response) {
      send(res, response.status, response.body ?? protocol.errorBody(response.status, `${protocol.name}: scripted HTTP ${response.status}`), response.headers)
      return
    }
    const content = 'json' in response ? JSON.stringify(response.json) : response.content
    const usage = response.usage ?? defaultUsage(req, content)
    send(res, 200, protocol.success(req, content, usage, response.finishReason, ++seq))
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const text = req.method === 'POST' ? await readBody(req) : ''
      let body: Record<string, unknown> | null = null
      if (text) {
        try {
          body = JSON.parse(text) as Record<string, unknown>
        } catch {
          send(res, 400, protocol.errorBody(400, 'request body is not JSON'))
          return
        }
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body })

      if (opts.apiKey !== undefined) {
        const denied = protocol.authError(req.headers, opts.apiKey)
        if (denied) return answer(res, { model: '', messages: [], body: body ?? {} }, denied)
      }
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        send(res, 200, protocol.modelList(opts.models ?? DEFAULT_MODELS))
        return
      }
      if (req.method === 'POST' && url.pathname === protocol.completionPath && body) {
        const fakeReq: FakeRequest = {
          model: String(body.model ?? ''),
          messages: Array.isArray(body.messages) ? (body.messages as FakeRequest['messages']) : [],
          body,
        }
        const refused = protocol.precheck(fakeReq, opts)
        return answer(res, fakeReq, refused ?? queue.shift() ?? fallback(fakeReq))
      }
      send(res, 404, protocol.errorBody(404, `${protocol.name}: no route ${req.method} ${url.pathname}`))
    } catch (error) {
      send(res, 500, protocol.errorBody(500, `${protocol.name} crashed: ${String(error)}`))
    }
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/v1`,
    script: (responses) => void queue.push(...responses),
    setResponder: (fn) => void (responder = fn),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const openAIProtocol: FakeProtocol = {
  name: 'fake-openai',
  completionPath: '/v1/chat/completions',
  authError(headers, apiKey) {
    const auth = headers.authorization ?? ''
    if (auth === `Bearer ${apiKey}`) return null
    const given = auth.replace(/^Bearer\s+/i, '')
    // Real servers echo (part of) the key they were given; the client must not pass it on.
    return {
      status: 401,
      body: {
        error: {
          message: given ? `Incorrect API key provided: ${given}.` : 'You did not provide an API key.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
    }
  },
  precheck(req, opts) {
    if (opts.models && !opts.models.includes(req.model)) {
      return {
        status: 404,
        body: {
          error: {
            message: `The model \`${req.model}\` does not exist or you do not have access to it.`,
            type: 'invalid_request_error',
            param: null,
            code: 'model_not_found',
          },
        },
      }
    }
    const format = req.body.response_format as { type?: string } | undefined
    if (opts.rejectJsonSchema && format?.type === 'json_schema') {
      return {
        status: 400,
        body: {
          error: { message: "response_format type 'json_schema' is not supported", type: 'invalid_request_error', param: 'response_format', code: null },
        },
      }
    }
    return null
  },
  errorBody: (status, message) => ({ error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } }),
  success: (req, content, usage, finishReason, seq) => ({
    id: `chatcmpl-fake-${seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: finishReason ?? 'stop' }],
    usage: {
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      total_tokens: usage.promptTokens + usage.completionTokens,
    },
  }),
  modelList: (models) => ({
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })),
  }),
}

export function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeLlmServer> {
  return startFakeLlmServer(openAIProtocol, opts)
}

/** The text of the last user message, for OpenAI (string or parts) and Anthropic (blocks) shapes. */
export function lastUserText(messages: FakeRequest['messages']): string {
  const user = [...messages].reverse().find((m) => m.role === 'user')
  if (!user) return ''
  if (typeof user.content === 'string') return user.content
  if (!Array.isArray(user.content)) return ''
  return user.content
    .map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('\n')
}

interface PromptFacts {
  symbol: string
  bid: string
  ask: string
  tickSize: string | null
  hasPosition: boolean
}

/** Reads the facts a responder needs from the JSON block of a rendered decision prompt. */
function factsFromPrompt(text: string): PromptFacts | null {
  const block = /```json\s*\n([\s\S]*?)\n```/.exec(text)
  if (block) {
    try {
      const ctx = JSON.parse(block[1]) as {
        symbol?: string
        market?: { bid?: string; ask?: string; tickSize?: string }
        position?: unknown
      }
      if (ctx.symbol && ctx.market?.bid && ctx.market.ask) {
        return { symbol: ctx.symbol, bid: ctx.market.bid, ask: ctx.market.ask, tickSize: ctx.market.tickSize ?? null, hasPosition: ctx.position != null }
      }
    } catch {
      // fall through to the loose reading
    }
  }
  const field = (name: string) => new RegExp(`"${name}"\\s*:\\s*"([^"]+)"`).exec(text)?.[1]
  const symbol = field('symbol')
  const bid = field('bid')
  const ask = field('ask')
  if (!symbol || !bid || !ask) return null
  return { symbol, bid, ask, tickSize: field('tickSize') ?? null, hasPosition: !/"position"\s*:\s*null/.test(text) }
}

function toTick(price: Decimal, tick: string | null, rounding: DecimalJs.Rounding): Decimal {
  if (!tick || dec(tick).lte(0)) return price
  const t = dec(tick)
  return price.div(t).toDecimalPlaces(0, rounding).times(t)
}

/**
 * A responder that behaves like a sensible, predictable model: with no open position, a market
 * LONG with the stop 1% below the ask and targets 1% and 2% above (50% each, confidence 0.8);
 * with a position, NO_TRADE. Prompts that are not decision prompts (a connection test) get "OK".
 */
export function decisionFromPrompt(req: Pick<FakeRequest, 'messages'>): FakeResponse {
  const facts = factsFromPrompt(lastUserText(req.messages))
  if (!facts) return { content: 'OK' }
  const nulls = { entryType: null, entryPrice: null, sizeQuote: null, stopLoss: null, takeProfits: null, exitSharePct: null, modifications: null }
  if (facts.hasPosition) {
    return {
      json: { symbol: facts.symbol, reasoning: `Position already open in ${facts.symbol}; holding (bid ${facts.bid}).`, action: 'NO_TRADE', confidence: 0.6, ...nulls },
    }
  }
  const ask = dec(facts.ask)
  const stop = toTick(ask.times('0.99'), facts.tickSize, Decimal.ROUND_DOWN)
  const tp1 = toTick(ask.times('1.01'), facts.tickSize, Decimal.ROUND_UP)
  const tp2 = toTick(ask.times('1.02'), facts.tickSize, Decimal.ROUND_UP)
  return {
    json: {
      symbol: facts.symbol,
      reasoning: `Fake model: entry at ask ${facts.ask}, stop ${stop.toFixed()} (1% below), targets ${tp1.toFixed()} (+1%) and ${tp2.toFixed()} (+2%).`,
      action: 'LONG',
      confidence: 0.8,
      ...nulls,
      entryType: 'MARKET',
      stopLoss: Number(stop.toFixed()),
      takeProfits: [
        { price: Number(tp1.toFixed()), sharePct: 50 },
        { price: Number(tp2.toFixed()), sharePct: 50 },
      ],
    },
  }
}
