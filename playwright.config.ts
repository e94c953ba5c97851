import { defineConfig } from '@playwright/test'

// Debian's Chromium: Playwright's own browser download is not possible on these machines.
export default defineConfig({
  testDir: 'tests/e2e',
  // The production build happens here, once, outside every test's time limit.
  globalSetup: './tests/e2e/support/global-setup.ts',
  timeout: 240_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
})
