import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// Files that load the whole machine (hundreds of concurrent requests, several worker or CLI
// processes): they run after the others, one at a time, so neither they nor a test beside them
// is slowed into a timeout. Everything else runs two files at a time (each on its own database).
const ALONE = [
  'tests/integration/load/**/*.test.ts',
  'tests/integration/worker/several-workers.test.ts',
  'tests/integration/api/webhook-signals.test.ts',
  'tests/integration/panic/panic-cli.test.ts',
  'tests/integration/decisions/rules-run.test.ts',
]

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    // A fixed key for sealed secrets in tests; the start script generates a real one.
    // Notification tests deliver to receivers on 127.0.0.1 (the refusal is tested with publicOnlyFetch).
    env: { SECRETS_KEY: 'test-secrets-key-not-for-production', NOTIFY_ALLOW_PRIVATE_HOSTS: 'true' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'], exclude: ALONE, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
})
