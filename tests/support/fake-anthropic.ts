import {
  startFakeLlmServer,
  type FakeLlmOptions,
  type FakeLlmServer,
  type FakeProtocol,
  type FakeResponse,
} from '@/tests/support/fake-openai'

export { decisionFromPrompt, type FakeLlmServer, type FakeRequest, type FakeResponse, type RecordedRequest } from '@/tests/support/fake-openai'

/**
 * A local HTTP server speaking Anthropic's Messages API (non-streaming) for the real
 * @ai-sdk/anthropic client: POST /v1/messages and GET /v1/models, with Anthropic's
 * `{type: "error", error: {type, message}}` bodies. Same scripting handle as fake-openai.ts.
 *
 * Structured output arrives in one of two request forms and is answered in the matching one:
 * - `output_config.format` (native structured outputs; the SDK's choice for models it knows
 *   support them, e.g. claude-sonnet-4-5): the JSON comes back as a text block.
 * - a forced tool named "json" (the SDK's fallback for other models): the JSON comes back as a
 *   `tool_use` block's `input`. Content that is not a JSON object cannot be a tool input, so it is
 *   sent as a text block, as a real model that ignored the tool would.
 */

function wantsJsonTool(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.some((t) => (t as { name?: unknown }).name === 'json')
}

function asObject(content: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(content)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
}

const anthropicProtocol: FakeProtocol = {
  name: 'fake-anthropic',
  completionPath: '/v1/messages',
  authError(headers, apiKey): FakeResponse | null {
    if (headers['x-api-key'] === apiKey) return null
    return { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } }
  },
  precheck(req, opts): FakeResponse | null {
    if (opts.models && !opts.models.includes(req.model)) {
      return { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: `model: ${req.model}` } } }
    }
    return null
  },
  errorBody: (status, message) => ({ type: 'error', error: { type: errorTypes[status] ?? 'api_error', message } }),
  success(req, content, usage, finishReason, seq) {
    const input = wantsJsonTool(req.body) ? asObject(content) : null
    const block = input
      ? { type: 'tool_use', id: `toolu_fake_${seq}`, name: 'json', input }
      : { type: 'text', text: content }
    return {
      id: `msg_fake_${seq}`,
      type: 'message',
      role: 'assistant',
      model: req.model,
      content: [block],
      stop_reason: finishReason ?? (input ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: { input_tokens: usage.promptTokens, output_tokens: usage.completionTokens },
    }
  },
  modelList: (models) => ({
    data: models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
    has_more: false,
    first_id: models[0] ?? null,
    last_id: models.at(-1) ?? null,
  }),
}

export function startFakeAnthropic(opts: FakeLlmOptions = {}): Promise<FakeLlmServer> {
  return startFakeLlmServer(anthropicProtocol, opts)
}
