import { z } from 'zod'
import type { DbTx } from '@/lib/db/client'
import { testConnection, type ConnectionTestResult } from '@/lib/ai/test-connection'
import { AiProvider } from '@/lib/generated/prisma/enums'
import { validationError } from '@/lib/server/errors/app-error'
import { providerConfigFor } from '@/lib/server/decisions/provider-config'
import { storedKeyEndpointChange } from './api-key-origin'
import { findTraderRow } from './trader-settings-view'
import { readTraderSettings, ZAiSettings } from './trader-settings'
import { parseRequest, parseSettingsPatch } from './update-trader-settings'
import { textField } from '@/lib/server/validation/text-field'

/**
 * Optional body of a connection test: what the settings form shows but has not saved yet, over
 * the saved settings. An empty `apiKey` means the stored key.
 */
export const ZTestTraderConnectionRequest = z.strictObject({
  provider: z.enum(AiProvider, { error: 'must be RULES, OPENAI_COMPATIBLE or ANTHROPIC' }).optional(),
  apiKey: textField({ max: 1000 }).optional(),
  ai: z.record(z.string(), z.unknown(), { error: 'must be an object of settings' }).optional(),
})

/**
 * A real one-word request to the trader's model (lib/ai/test-connection.ts), with the saved
 * settings or the ones given. Writes nothing. A failed connection is a result (ok: false and
 * a sentence saying why, never the key), not an error; bad input is a 400 naming the field.
 */
export async function testTraderConnection(opts: { db: DbTx; userId: string; traderId: string; input?: unknown }): Promise<ConnectionTestResult> {
  const input = parseRequest(ZTestTraderConnectionRequest, opts.input)
  const t = await findTraderRow(opts.db, opts)
  const saved = readTraderSettings(t)
  let ai = saved.ai
  if (input.ai) {
    const r = parseSettingsPatch({ prefix: 'ai', schema: ZAiSettings, current: saved.ai, patch: input.ai })
    if (!r.ok) throw validationError(r.errors)
    ai = r.value
  }
  const provider = input.provider ?? t.provider
  if (provider === 'RULES') throw validationError([{ field: 'provider', message: 'the built-in rules need no connection; choose an LLM provider to test' }])
  if (!ai.model) throw validationError([{ field: 'ai.model', message: 'is required to test a connection' }])
  // The stored key is never sent to an endpoint other than the one it was saved with.
  if (!input.apiKey && t.aiApiKeyEnc) {
    const moved = storedKeyEndpointChange({ saved: { provider: t.provider, baseUrl: saved.ai.baseUrl }, next: { provider, baseUrl: ai.baseUrl } })
    if (moved) throw validationError([moved])
  }
  let config
  try {
    config = providerConfigFor(provider, ai, input.apiKey ? null : t.aiApiKeyEnc)
  } catch {
    return { ok: false, message: 'The stored API key cannot be read (was SECRETS_KEY changed?). Enter the key again and save.', latencyMs: 0 }
  }
  // A key typed into the form but not saved yet is used for this call only.
  if (input.apiKey) config = { ...config, apiKey: input.apiKey }
  return testConnection(config)
}
