/**
 * How to reach one decision model. Built by the caller from the trader's settings with the API
 * key already decrypted (lib/server/secrets/secret-box.ts); nothing here reads the environment.
 */
export interface ProviderConfig {
  provider: 'OPENAI_COMPATIBLE' | 'ANTHROPIC'
  /** API root including the version segment, e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1, https://api.anthropic.com/v1. */
  baseUrl: string
  model: string
  /** Null for servers that need none (Ollama, LM Studio, a local vLLM). */
  apiKey: string | null
  /** Deadline for the whole call, retries and their back-off included. */
  timeoutMs: number
  /** Extra attempts after a retryable failure (HTTP 408/409/429/5xx, connection errors). */
  maxRetries: number
  /** USD per million input tokens. */
  inputCostPerMTok: number
  /** USD per million output tokens. */
  outputCostPerMTok: number
}
