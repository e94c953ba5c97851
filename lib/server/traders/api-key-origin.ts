import type { FieldError } from '@/lib/domain/field-error'
import { DEFAULT_BASE_URL } from '@/lib/server/decisions/provider-config'

type Provider = 'RULES' | 'OPENAI_COMPATIBLE' | 'ANTHROPIC'

/** scheme://host:port of where a provider's requests (and so its API key) go; null for the built-in rules. */
export function llmEndpointOrigin(provider: Provider, baseUrl: string | null | undefined): string | null {
  if (provider === 'RULES') return null
  try {
    // The origin never includes userinfo, so a URL carrying credentials is not echoed back.
    return new URL(baseUrl ?? DEFAULT_BASE_URL[provider]).origin
  } catch {
    return null
  }
}

/**
 * The stored API key was entered for one endpoint. Sending it to another (a new base URL host,
 * or another provider's default endpoint) must be the user's explicit choice, so using the stored
 * key with a different origin is refused, naming `apiKey`: the user types the key again.
 * Null when the key may be used. From the built-in rules the key's endpoint is unknown, so
 * switching to an LLM provider with a stored key also needs it again.
 */
export function storedKeyEndpointChange(o: {
  saved: { provider: Provider; baseUrl: string | null | undefined }
  next: { provider: Provider; baseUrl: string | null | undefined }
}): FieldError | null {
  const to = llmEndpointOrigin(o.next.provider, o.next.baseUrl)
  if (to === null) return null // the key is not used
  const from = llmEndpointOrigin(o.saved.provider, o.saved.baseUrl)
  if (from === to) return null
  return {
    field: 'apiKey',
    message: `enter the API key again: the base URL changed from ${from ?? 'none (built-in rules)'} to ${to}`,
  }
}
