import type { ProviderConfig } from '@/lib/ai/provider-config'
import { openSecret } from '@/lib/server/secrets/secret-box'
import type { AiSettings } from '@/lib/server/traders/trader-settings'

/** Where each provider's requests go when no base URL is set. */
export const DEFAULT_BASE_URL = { OPENAI_COMPATIBLE: 'https://api.openai.com/v1', ANTHROPIC: 'https://api.anthropic.com/v1' } as const

/** The model connection for an LLM trader, with its API key decrypted for this call only. */
export function providerConfigFor(provider: 'OPENAI_COMPATIBLE' | 'ANTHROPIC', ai: AiSettings, apiKeyEnc: string | null): ProviderConfig {
  return {
    provider,
    baseUrl: ai.baseUrl ?? DEFAULT_BASE_URL[provider],
    model: ai.model ?? '',
    apiKey: apiKeyEnc ? openSecret(apiKeyEnc) : null,
    timeoutMs: ai.timeoutMs,
    maxRetries: ai.maxRetries,
    inputCostPerMTok: ai.inputCostPerMTok.toNumber(),
    outputCostPerMTok: ai.outputCostPerMTok.toNumber(),
  }
}
