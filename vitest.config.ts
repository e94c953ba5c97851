import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // A fixed key for sealed secrets in tests; the start script generates a real one.
    env: { SECRETS_KEY: 'test-secrets-key-not-for-production' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
