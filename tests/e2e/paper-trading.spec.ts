import { expect, test, type Page } from '@playwright/test'
import pg from 'pg'
import { embeddedDatabaseUrl, embeddedPassword } from '@/lib/db/embedded-postgres'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { fakeMarketEnv } from './support/app-process'
import { signIn, useSpecApp } from './support/spec-app'

// Steps 2–6 of the foundation issue through the real start command, pages and browser.
// Market data comes from a local Binance-compatible server through the real ccxt client,
// so the test moves the price and watches the product react.
let fake: FakeBinance
// No admin at start: the test creates the first one through the setup page.
const app = useSpecApp({
  name: 'paper',
  setUp: async () => void (fake = await startFakeBinance()),
  env: (dataDir) => fakeMarketEnv({ port: 3210, pgPortFrom: 21_700, dataDir, marketUrl: fake.url }),
  tearDown: () => fake?.close(),
})

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true })

test('first admin, trader, manual position with live PnL, restart, worker take-profit, manual close, audit trail', async ({ page, browser }) => {
  page.on('dialog', (d) => d.accept())

  // Security headers on pages and API answers alike (next.config.js headers()).
  for (const path of ['/setup', '/api/v1/openapi.json']) {
    const res = await page.request.get(`${app.url}${path}`)
    expect(res.headers()['content-security-policy'], path).toBe("frame-ancestors 'self'")
    expect(res.headers()['x-frame-options'], path).toBe('SAMEORIGIN')
    expect(res.headers()['x-content-type-options'], path).toBe('nosniff')
    expect(res.headers()['referrer-policy'], path).toBe('strict-origin-when-cross-origin')
  }
  // A small API answer goes out uncompressed (no-transform); a large one is gzipped.
  const gzip = { 'accept-encoding': 'gzip' }
  const small = await page.request.get(`${app.url}/api/health`, { headers: gzip })
  expect([small.headers()['content-encoding'], small.headers()['cache-control']]).toEqual([undefined, 'no-store, no-transform'])
  const large = await page.request.get(`${app.url}/api/v1/openapi.json`, { headers: gzip })
  expect(large.headers()['content-encoding']).toBe('gzip')
  // A path that is not valid percent-encoding is the client's error (proxy.ts); Next alone answered 500.
  const badApiPath = await page.request.get(`${app.url}/api/v1/traders/%E0%A4%A`)
  expect([badApiPath.status(), (await badApiPath.json()).error.code]).toEqual([400, 'VALIDATION'])
  const badPagePath = await page.request.get(`${app.url}/traders/%ZZ`)
  expect([badPagePath.status(), await badPagePath.text()]).toEqual([400, expect.stringContaining('not valid percent-encoding')])
  // A well-formed encoded path passes through to its route.
  expect((await page.request.get(`${app.url}/api/v1/markets/BTC%2FUSDT/quote`)).status()).toBe(404)

  // 2. First-run setup creates the admin and signs in; everything else requires sign-in.
  await page.goto(`${app.url}/`)
  await expect(page).toHaveURL(/\/setup/)
  await page.getByLabel('Email').fill('admin@example.com')
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery')
  await page.getByLabel('Confirm password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create admin account' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  // A fresh install watches nothing: market data is idle, which is no fault.
  await expect(page.getByTestId('newest-quote')).toHaveText('idle — nothing is watched yet', { timeout: 20_000 })
  await expect(page.getByText(/Market data (unavailable|stale)/)).toHaveCount(0)
  const fresh = await (await page.request.get(`${app.url}/api/health`)).json()
  expect(fresh.marketData).toMatchObject({ ok: true, idle: true })
  await shot(page, '01-dashboard-empty')

  // 3. A paper trader.
  await page.goto(`${app.url}/traders`)
  await page.getByLabel('Name').fill('E2E Trader')
  await page.getByLabel('Quote currency').fill('USDT')
  await page.getByLabel('Starting balance').fill('10000')
  await page.getByLabel('Watchlist').fill('BTC/USDT')
  // This flow is about trading by hand: the built-in rules must not trade the same symbol.
  await page.getByLabel('Trade automatically (built-in rules)').uncheck()
  await page.getByRole('button', { name: 'Create trader' }).click()
  await expect(page.getByText('E2E Trader').first()).toBeVisible()

  // A person pauses it and resumes it on its page, which says why it stopped and who stopped it.
  await page.getByRole('link', { name: 'E2E Trader' }).first().click()
  const status = page.getByTestId('trader-status')
  await expect(status).toContainText('ACTIVE')
  await page.getByLabel('Pause reason (optional)').fill('checking the feed')
  await page.getByRole('button', { name: 'Pause trader' }).click()
  await expect(status).toContainText('PAUSED')
  await expect(status).toContainText('checking the feed')
  await expect(status.getByTestId('trader-status-cause')).toHaveText('paused by a person')
  // The list of traders shows it, and the dashboard's form says so before an order is sent.
  const traderPage = page.url()
  await page.goto(`${app.url}/traders`)
  await expect(page.getByRole('table', { name: 'Traders' }).getByTestId('trader-stopped')).toHaveText('PAUSEDchecking the feed')
  await page.goto(`${app.url}/`)
  const pausedForm = page.locator('form').filter({ has: page.getByRole('button', { name: 'Open position' }) })
  await expect(pausedForm.getByLabel('Trader').locator('option')).toHaveText(['E2E Trader (USDT) — paused'])
  await expect(pausedForm.getByTestId('open-trader-stopped')).toHaveText('E2E Trader is paused: an order is refused until a person resumes it on its page.')
  await page.goto(traderPage)
  await page.getByRole('button', { name: 'Resume trader' }).click()
  await expect(status).toContainText('ACTIVE')
  await expect(status).toContainText('May open positions.')
  await expect(status.getByTestId('trader-status-cause')).toHaveCount(0)

  // 4. Open a LONG by hand; it fills at the fake exchange's best ask.
  await page.goto(`${app.url}/`)
  const form = page.getByRole('form', { name: 'Open position' }).or(page.locator('form').filter({ has: page.getByRole('button', { name: 'Open position' }) }))
  await form.getByLabel('Symbol').selectOption('BTC/USDT')
  await expect(form.getByTestId('form-quote'), 'the form shows the live price before an order is sent').toContainText('bid ', { timeout: 30_000 })
  await form.getByLabel('Side').selectOption('LONG')
  await form.getByLabel('Size in').selectOption('BASE')
  await form.getByLabel('Size', { exact: true }).fill('0.01')
  await form.getByLabel('Stop loss').fill('59000')
  await form.getByRole('button', { name: 'Add take-profit' }).click()
  await form.getByLabel('Take-profit 1 price').fill('61000')
  await form.getByLabel('Take-profit 1 share %').fill('50')
  await form.getByRole('button', { name: 'Open position' }).click()

  const positions = page.getByRole('region', { name: 'Open positions' }).or(page.locator('[aria-label="Open positions"]'))
  const row = positions.getByRole('row').filter({ hasText: 'BTC/USDT' })
  await expect(row).toContainText('MONITORING')
  await expect(row).toContainText('60,000.01')

  // Live unrealized PnL over SSE, no reload: (60500.00 − 60000.01) × 0.01 = 4.9999
  fake.setPrice('BTC/USDT', '60500.00', '60500.01')
  await expect(row.getByTestId('unrealized-pnl')).toContainText('4.99')
  await shot(page, '02-position-live-pnl')

  // 6. Restart everything mid-position: it comes back exactly and monitoring resumes.
  expect(await app.stop()).toBe(0)
  await app.start()
  // (By way of /positions, which has no page of its own and leads to the dashboard.)
  await page.goto(`${app.url}/positions`)
  await expect(page).toHaveURL(`${app.url}/`)
  await expect(row).toContainText('MONITORING')
  await expect(row).toContainText('0.01')

  // 5. The worker takes the first take-profit (50%) by itself when the price touches it.
  await row.getByRole('link', { name: 'BTC/USDT' }).click()
  await expect(page).toHaveURL(/\/positions\//)
  fake.setPrice('BTC/USDT', '61000.00', '61000.01')
  const trail = page.locator('[aria-label="Audit trail"]')
  await expect(trail).toContainText('Take-profit 61000 touched')
  await expect(page.locator('[aria-label="Fills"]').getByRole('row')).toHaveCount(3) // header + entry + TP
  await shot(page, '03-take-profit-by-worker')

  // Close the rest by hand: realized PnL, fees and the full audit trail are shown.
  await page.getByRole('button', { name: 'Close position' }).click()
  // The position's own status (the page also has a "Closed trades" link that would match 'CLOSED').
  await expect(page.getByTestId('position-status')).toHaveText('CLOSED')
  await expect(trail).toContainText('Close requested')
  await expect(trail).toContainText('Position closed')
  for (const actor of ['USER', 'WORKER']) await expect(trail).toContainText(actor)
  await shot(page, '04-closed-with-audit-trail')

  await page.goto(`${app.url}/trades`)
  await expect(page.getByText('BTC/USDT').first()).toBeVisible()
  await shot(page, '05-closed-trades')

  // Changing the password revokes every API token, and the token list says so without a reload.
  await page.goto(`${app.url}/settings`)
  // This server keeps notifications off private addresses (the default), and the channel form says so.
  await expect(page.getByRole('form', { name: 'Add webhook channel' })).toContainText('Only public addresses: this server refuses local and private ones')
  const createToken = page.getByRole('form', { name: 'Create API token' })
  await createToken.getByLabel('Name').fill('Before the change')
  await createToken.getByRole('button', { name: 'Create token' }).click()
  const tokenRow = page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: 'Before the change' })
  await expect(tokenRow).toContainText('active')
  // Another browser signed in as the same person, on the approvals page: the change ends its
  // session, and it goes to the sign-in page by itself, to come back where it was afterwards.
  const other = await browser.newContext()
  const elsewhere = await other.newPage()
  await signIn(elsewhere, app, { email: 'admin@example.com', password: 'correct horse battery' })
  await elsewhere.goto(`${app.url}/approvals`)
  await expect(elsewhere.locator('[data-live-state]').first()).toHaveAttribute('data-live-state', 'open')
  const change = page.getByRole('form', { name: 'Change password' })
  await change.getByLabel('Current password').fill('correct horse battery')
  await change.getByLabel('New password', { exact: true }).fill('another horse battery')
  await change.getByLabel('Confirm new password').fill('another horse battery')
  await change.getByRole('button', { name: 'Change password' }).click()
  await expect(change.getByRole('status')).toContainText('1 API token was revoked')
  await expect(tokenRow).toContainText('revoked')
  await expect(tokenRow.getByRole('button', { name: 'Revoke Before the change' })).toHaveCount(0)
  // Its stream is told within a heartbeat (15 s).
  await expect(elsewhere).toHaveURL(`${app.url}/signin?callbackUrl=%2Fapprovals`, { timeout: 30_000 })
  await elsewhere.getByLabel('Email').fill('admin@example.com')
  await elsewhere.getByLabel('Password').fill('another horse battery')
  await elsewhere.getByRole('button', { name: 'Sign in' }).click()
  await expect(elsewhere).toHaveURL(`${app.url}/approvals`)
  await expect(elsewhere.locator('[data-live-state]').first()).toHaveAttribute('data-live-state', 'open')
  await other.close()

  // A page whose data cannot be read (here a table the settings page reads is briefly away) says
  // so under the header, which stays usable, and "Try again" loads it once the data is back.
  const sql = new pg.Client({ connectionString: embeddedDatabaseUrl(Number(app.env.EMBEDDED_PG_PORT), embeddedPassword(app.env.DATA_DIR)) })
  await sql.connect()
  try {
    await sql.query('ALTER TABLE "ApiToken" RENAME TO "ApiToken_away"')
    await page.goto(`${app.url}/settings`)
    const failed = page.getByTestId('page-error')
    await expect(failed).toContainText('This page could not be loaded')
    await expect(page.getByRole('link', { name: 'Traders', exact: true }).first()).toBeVisible()
    await shot(page, '06-page-error')
    await sql.query('ALTER TABLE "ApiToken_away" RENAME TO "ApiToken"')
    await failed.getByRole('button', { name: 'Try again' }).click()
    await expect(page.getByRole('table', { name: 'API tokens' })).toContainText('Before the change')
    await expect(failed).toHaveCount(0)
  } finally {
    await sql.query('ALTER TABLE IF EXISTS "ApiToken_away" RENAME TO "ApiToken"').catch(() => undefined)
    await sql.end()
  }
})
