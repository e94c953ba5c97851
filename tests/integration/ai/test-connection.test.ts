import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import type { ProviderConfig } from '@/lib/ai/provider-config'
import { testConnection } from '@/lib/ai/test-connection'
import { startFakeAnthropic } from '@/tests/support/fake-anthropic'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'

// The settings page's "test connection": the real SDK clients against local protocol fakes.

const KEY = 'sk-conn-test-5566778899aabbcc'

let fake: FakeLlmServer | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

function config(provider: ProviderConfig['provider'], baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    provider,
    baseUrl,
    model: 'fake-model',
    apiKey: KEY,
    timeoutMs: 5_000,
    maxRetries: 3,
    inputCostPerMTok: 1,
    outputCostPerMTok: 1,
    ...overrides,
  }
}

async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/v1`
}

describe('OpenAI-compatible', () => {
  test('a working server, key and model', async () => {
    fake = await startFakeOpenAI({ apiKey: KEY, models: ['llama3.1:8b'] })
    // The server answers after 60 ms: the latency measured includes that wait.
    fake.script([{ delayMs: 60, then: { content: 'OK' } }])
    const result = await testConnection(config('OPENAI_COMPATIBLE', fake.url, { model: 'llama3.1:8b' }))
    expect(result).toMatchObject({ ok: true, model: 'llama3.1:8b' })
    expect(result.message).toContain('llama3.1:8b answered "OK"')
    expect(result.latencyMs).toBeGreaterThanOrEqual(60)
    expect(fake.requests).toHaveLength(1)
    expect(fake.requests[0].path).toBe('/v1/chat/completions')
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`)
  })

  test('a wrong key: 401, said plainly, key not echoed, not retried', async () => {
    fake = await startFakeOpenAI({ apiKey: 'sk-the-real-one-00000000' })
    const result = await testConnection(config('OPENAI_COMPATIBLE', fake.url))
    expect(result.ok).toBe(false)
    expect(result.message).toContain('refused the API key (HTTP 401)')
    expect(result.message).not.toContain(KEY)
    expect(fake.requests).toHaveLength(1)
  })

  test('no key where one is needed', async () => {
    fake = await startFakeOpenAI({ apiKey: 'sk-the-real-one-00000000' })
    const result = await testConnection(config('OPENAI_COMPATIBLE', fake.url, { apiKey: null }))
    expect(result.ok).toBe(false)
    expect(result.message).toContain('This server needs an API key')
  })

  test('an unknown model: 404, with the models the server offers', async () => {
    fake = await startFakeOpenAI({ apiKey: KEY, models: ['llama3.1:8b', 'qwen2.5:7b'] })
    const result = await testConnection(config('OPENAI_COMPATIBLE', fake.url, { model: 'gpt-4o' }))
    expect(result.ok).toBe(false)
    expect(result.message).toBe('Model "gpt-4o" was not found (HTTP 404). The server offers: llama3.1:8b, qwen2.5:7b.')
  })

  test('a base URL without /v1: 404 that points at the URL, not the model', async () => {
    fake = await startFakeOpenAI()
    const result = await testConnection(config('OPENAI_COMPATIBLE', fake.url.replace(/\/v1$/, '')))
    expect(result.ok).toBe(false)
    expect(result.message).toContain(`Nothing answers at ${fake.url.replace(/\/v1$/, '')}/chat/completions (HTTP 404)`)
    expect(result.message).toContain('usually ending in /v1')
  })

  test('a server that never answers: timeout message', async () => {
    fake = await startFakeOpenAI()
    fake.script([{ hang: true }])
    const started = performance.now()
    const result = await testConnection(config('OPENAI_COMPATIBLE', fake.url, { timeoutMs: 300 }))
    expect(result.ok).toBe(false)
    expect(result.message).toContain('No answer within 300 ms')
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  test('nothing listening: connection refused', async () => {
    const url = await closedPortUrl()
    const result = await testConnection(config('OPENAI_COMPATIBLE', url))
    expect(result.ok).toBe(false)
    expect(result.message).toContain('Could not connect: connection refused by 127.0.0.1:')
  })

  test('a server error is reported with its status and message', async () => {
    fake = await startFakeOpenAI()
    fake.script([{ status: 503, body: { error: { message: 'model is loading', type: 'server_error' } } }])
    const result = await testConnection(config('OPENAI_COMPATIBLE', fake.url))
    expect(result.ok).toBe(false)
    expect(result.message).toContain('HTTP 503')
    expect(result.message).toContain('model is loading')
    expect(fake.requests).toHaveLength(1)
  })
})

describe('Anthropic', () => {
  test('a working server, key and model', async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, models: ['claude-sonnet-4-5'] })
    fake.script([{ content: 'OK' }])
    const result = await testConnection(config('ANTHROPIC', fake.url, { model: 'claude-sonnet-4-5' }))
    expect(result).toMatchObject({ ok: true, model: 'claude-sonnet-4-5' })
    expect(fake.requests[0].headers['x-api-key']).toBe(KEY)
  })

  test('a wrong key: 401', async () => {
    fake = await startFakeAnthropic({ apiKey: 'the-real-one' })
    const result = await testConnection(config('ANTHROPIC', fake.url, { model: 'claude-sonnet-4-5' }))
    expect(result.ok).toBe(false)
    expect(result.message).toContain('refused the API key (HTTP 401)')
  })

  test('an unknown model: 404 with the models offered', async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, models: ['claude-sonnet-4-5', 'claude-haiku-4-5'] })
    const result = await testConnection(config('ANTHROPIC', fake.url, { model: 'claude-sonet-4-5' }))
    expect(result.ok).toBe(false)
    expect(result.message).toBe('Model "claude-sonet-4-5" was not found (HTTP 404). The server offers: claude-sonnet-4-5, claude-haiku-4-5.')
  })
})
