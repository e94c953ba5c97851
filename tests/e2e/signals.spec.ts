import { expect, test, type Page } from '@playwright/test'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { fakeMarketEnv } from './support/app-process'
import { ADMIN, signIn, useSpecApp } from './support/spec-app'
import { expectTableFits } from './support/table-fits'
import { expectInWindow } from './support/in-window'

// Issue 11 (TradingView webhooks) through the real start command, pages and browser: a secret is
// generated on the trader's Signals page, an alert is posted to the URL shown there with the
// secret shown there (as TradingView posts it: text/plain), the worker opens the position, and
// the signal log shows the signal with its result and a link to the position.
let fake: FakeBinance
const app = useSpecApp({
  name: 'signals',
  setUp: async () => void (fake = await startFakeBinance()),
  env: (dataDir) => fakeMarketEnv({ port: 3261, pgPortFrom: 23_200, dataDir, marketUrl: fake.url, admin: ADMIN }),
  tearDown: () => fake?.close(),
})

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true })

async function expectNoHorizontalOverflow(page: Page) {
  const m = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))
  expect(m.scrollWidth, `the page is ${m.scrollWidth}px wide in a ${m.innerWidth}px window`).toBeLessThanOrEqual(m.innerWidth)
}

/** Signs in, creates a paper trader on the watchlist (no built-in rules) and opens its Signals page. */
async function openNewTradersSignals(page: Page, name: string, watchlist = 'BTC/USDT') {
  await signIn(page, app)
  await page.goto(`${app.url}/traders`)
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Quote currency').fill('USDT')
  await page.getByLabel('Starting balance').fill('10000')
  await page.getByLabel('Watchlist').fill(watchlist)
  await page.getByLabel('Trade automatically (built-in rules)').uncheck()
  await page.getByRole('button', { name: 'Create trader' }).click()
  await page.getByRole('link', { name }).first().click()
  await page.getByRole('link', { name: /Signals/ }).click()
  await expect(page.getByRole('heading', { name: 'Signals', exact: true })).toBeVisible()
}

test('generate a webhook secret, post a TradingView alert with it, see the signal and its position in the log', async ({ page }) => {
  await openNewTradersSignals(page, 'Webhook Trader')
  await expect(page.getByText('none yet: every alert is refused until you generate one')).toBeVisible()
  await expect(page.getByRole('table', { name: 'Alert fields' })).toContainText('{{strategy.order.action}}')

  // Generated once and shown once, inside the alert message too.
  await page.getByRole('button', { name: 'Generate secret' }).click()
  const secret = await page.locator('#webhook-secret').inputValue()
  expect(secret).toMatch(/^whsec_/)
  const url = await page.locator('#webhook-url').inputValue()
  expect(url).toMatch(/\/api\/webhooks\/tradingview\/[A-Za-z0-9_-]+$/)
  const message = await page.locator('#alert-message').inputValue()
  expect(JSON.parse(message)).toMatchObject({ secret, symbol: '{{ticker}}', action: '{{strategy.order.action}}' })
  await shot(page, 'signals-01-secret-shown-once')

  // TradingView fills in the placeholders and posts the message.
  const fired = JSON.parse(message) as Record<string, string>
  Object.assign(fired, { symbol: 'BINANCE:BTCUSDT', action: 'buy', id: 'e2e-1', timestamp: new Date().toISOString(), price: '60000.01', position_size: '0.01', market_position: 'long', interval: '15' })
  const post = await page.request.post(url, { headers: { 'content-type': 'text/plain; charset=utf-8' }, data: JSON.stringify({ ...fired, size: '0.01', stop_loss: '59000' }) })
  expect(post.status()).toBe(202)
  const { signalId, status } = await post.json()
  expect(status).toBe('accepted')
  // A wrong secret is refused and logged too, without it.
  const bad = await page.request.post(url, { headers: { 'content-type': 'application/json' }, data: JSON.stringify({ ...fired, secret: 'whsec_wrong-secret-for-the-log', id: 'e2e-2' }) })
  expect(bad.status()).toBe(401)

  const log = page.getByRole('table', { name: 'Signals' })
  const row = log.locator(`tr[data-signal-id="${signalId}"]`)
  await expect(row).toHaveAttribute('data-status', 'DONE', { timeout: 30_000 })
  await expect(row).toContainText('opened LONG 0.01 @ 60000.01')
  await expect(row).toContainText('BTC/USDT')
  const refused = log.locator('tr[data-status="REJECTED"]')
  await expect(refused).toContainText('bad secret')
  await refused.getByText('Request').click()
  await expect(refused).toContainText('[redacted]')
  await expect(refused).not.toContainText('whsec_wrong-secret-for-the-log')
  await shot(page, 'signals-02-log')

  // Reloaded: the secret is never shown again, only its last four characters.
  await page.reload()
  await expect(page.locator('#webhook-secret')).toHaveCount(0)
  await expect(page.getByText(`ending …${secret.slice(-4)}`).first()).toBeVisible()
  expect(await page.content()).not.toContain(secret)

  await page.setViewportSize({ width: 390, height: 844 })
  await expectNoHorizontalOverflow(page)
  // On a phone each signal's reason or result is in a row under it, inside the window (its column
  // would be off to the right of the table).
  const outcome = log.locator(`tr[data-outcome-of="${signalId}"]`).getByRole('cell')
  await expect(outcome).toContainText('opened LONG 0.01 @ 60000.01')
  await outcome.scrollIntoViewIfNeeded()
  await expect(outcome).toBeInViewport({ ratio: 1 })
  const refusedOutcome = log.locator(`tr[data-outcome-of="${await refused.getAttribute('data-signal-id')}"]`).getByRole('cell')
  await expect(refusedOutcome).toContainText('bad secret')
  await expect(refusedOutcome).toBeInViewport({ ratio: 1 })
  await shot(page, 'signals-03-phone')

  await outcome.getByRole('link', { name: /Position/ }).click()
  await expect(page).toHaveURL(/\/positions\//)
  await expect(page.getByTestId('position-status')).toHaveText('MONITORING')
})

test('turn position groups on, post an entry alert, see its pyramid of legs, then close the group', async ({ page }) => {
  await openNewTradersSignals(page, 'Group Trader')
  await page.getByRole('button', { name: 'Generate secret' }).click()
  const secret = await page.locator('#webhook-secret').inputValue()
  const url = await page.locator('#webhook-url').inputValue()
  const panel = page.getByRole('region', { name: 'Position groups' })
  const panelShot = (name: string) => panel.screenshot({ path: `test-results/e2e/screenshots/${name}.png` })

  // 3 legs of 40 USDT at 0, 1 and 2% below the entry: each well above the market's 5 USDT minimum.
  const form = page.getByRole('form', { name: 'Position group settings' })
  await form.getByLabel('Build position groups').check()
  await form.getByLabel('Capital per pyramid (USDT)').fill('120')
  await form.getByLabel('Legs per pyramid').fill('3')
  await form.getByLabel('First gap (%)').fill('1')
  // A refused value is placed at its field, and nothing is saved.
  await form.getByLabel('Step scale').fill('6')
  await form.getByRole('button', { name: 'Save group settings' }).click()
  await expect(form.getByLabel('Step scale')).toHaveAttribute('aria-invalid', 'true')
  await expect(form.locator('#trader-groups-stepScale-error')).toHaveText('must be between 0.5 and 5')
  await form.getByLabel('Step scale').fill('1')
  await form.getByRole('button', { name: 'Save group settings' }).click()
  await expect(form.getByRole('status')).toContainText('Saved')

  const post = await page.request.post(url, {
    headers: { 'content-type': 'application/json' },
    data: JSON.stringify({ secret, symbol: 'BINANCE:BTCUSDT', action: 'buy', intent: 'entry', id: 'e2e-group-1', timestamp: new Date().toISOString(), price: '60000.01', interval: '15' }),
  })
  expect(post.status()).toBe(202)

  // The base leg fills at market on paper; the worker then rests legs 2 and 3 as limit entries.
  const groups = page.getByRole('table', { name: 'Position groups' })
  const row = groups.locator('tr[data-group-id]').filter({ hasText: 'BTC/USDT' })
  await expect(row).toHaveAttribute('data-status', 'OPEN', { timeout: 30_000 })
  await expect(row.getByTestId('legs-filled')).toHaveText('1/3')
  const expand = row.getByRole('button', { name: 'Pyramids of the BTC/USDT 15 group' })
  await expect(expand).toHaveAttribute('aria-expanded', 'false')
  await expand.click()
  await expect(expand).toHaveAttribute('aria-expanded', 'true')
  const legs = page.getByRole('table', { name: 'Legs of pyramid 1' })
  await expect(legs.locator('tr[data-leg="1"]')).toHaveAttribute('data-status', 'PLACED')
  await expect(legs.locator('tr[data-leg="1"]').getByRole('link', { name: /Position/ })).toBeVisible()
  await expect(legs.locator('tr[data-leg="2"]')).toHaveAttribute('data-status', 'PLACED')
  await expect(legs.locator('tr[data-leg="3"]')).toHaveAttribute('data-status', 'PLACED')
  await expect(legs.locator('tr[data-leg="2"]')).toContainText('59,400')
  // Resting, not filled: the group still has one leg of three filled.
  await expect(row.getByTestId('legs-filled')).toHaveText('1/3')
  await panelShot('signals-04-group-open')

  await page.setViewportSize({ width: 390, height: 844 })
  await expectNoHorizontalOverflow(page)
  // The group's PnL, in columns off to the right on a phone, is under its symbol, in the window.
  const compactPnl = row.getByTestId('group-pnl-compact')
  await compactPnl.scrollIntoViewIfNeeded()
  await expect(compactPnl).toBeInViewport({ ratio: 1 })
  // Read with the columns it repeats in one go (the open PnL moves with the price).
  const [compactText, unrealizedCell, realizedCell] = await row.evaluate((tr) => [tr.querySelector('[data-testid="group-pnl-compact"]')!.textContent, tr.children[8]!.textContent, tr.children[9]!.textContent])
  expect(compactText).toBe(`${unrealizedCell} open${realizedCell} realized`)
  // ...and its timeframe, legs, size, stop, target and age in the row under it: the table fits the window.
  const details = groups.locator('tr[data-details-of]').first().getByRole('cell')
  await expect(details).toContainText(/^15 · 1 pyramid · legs filled 1\/3 · open [\d.]+ @ 60,000\.01stop [\d,.]+ · target [\d,.]+ \([a-z-]+\) · created \d{4}-/)
  await expectInWindow(details, 'the group details row')
  // The expanded pyramid's legs too: each leg's deviation, weight, stop and target are in a row under it.
  const leg2 = legs.locator('tr[data-leg-details="2"]').getByRole('cell')
  await expect(leg2).toContainText(/^deviation [\d.]+% · weight [\d.]+%stop (?:[\d,.]+|—) · target (?:[\d,.]+|—)$/)
  await expectInWindow(leg2, 'leg 2 details row')
  await expectTableFits(groups, 'position groups at 390, a pyramid open')
  await panelShot('signals-05-group-phone')
  // A tablet keeps the compact rows (every column needs a laptop); a laptop shows every column. Neither scrolls sideways.
  await page.setViewportSize({ width: 768, height: 900 })
  await expect(groups.locator('tr[data-details-of]').first()).toBeVisible()
  await expectTableFits(groups, 'position groups at 768, a pyramid open')
  await page.setViewportSize({ width: 1280, height: 720 })
  await expect(groups.locator('tr[data-details-of]').first()).toBeHidden()
  await expect(row.getByTestId('legs-filled')).toBeVisible()
  await expectTableFits(groups, 'position groups at 1280, a pyramid open')

  await row.getByRole('button', { name: 'Close group', exact: true }).click()
  await row.getByRole('alertdialog').getByRole('button', { name: 'Yes, close group' }).click()
  await page.getByRole('group', { name: 'Groups shown' }).getByRole('button', { name: 'Closed' }).click()
  const closed = groups.locator('tr[data-group-id]').filter({ hasText: 'BTC/USDT' })
  await expect(closed).toHaveAttribute('data-status', 'CLOSED', { timeout: 30_000 })
  await expect(closed).toContainText('Closed by hand')
  await expect(closed.getByRole('button', { name: 'Close group', exact: true })).toHaveCount(0)
  await panelShot('signals-06-group-closed')
})

test('a full group pool queues an alert, Promote waits for a slot, closing the open group runs it; the risk engine acts only once turned on', async ({ page }) => {
  // Two symbols: the trader's cooldown per symbol (15 minutes by default) would rightly refuse a
  // second BTC/USDT entry this soon, promoted or not.
  await openNewTradersSignals(page, 'Pool Trader', 'BTC/USDT, ETH/USDT')
  await page.getByRole('button', { name: 'Generate secret' }).click()
  const secret = await page.locator('#webhook-secret').inputValue()
  const url = await page.locator('#webhook-url').inputValue()
  const alert = (id: string, symbol: string) =>
    page.request.post(url, { headers: { 'content-type': 'application/json' }, data: JSON.stringify({ secret, symbol, action: 'buy', id, timestamp: new Date().toISOString(), interval: '15' }) })

  const form = page.getByRole('form', { name: 'Position group settings' })
  await form.getByLabel('Build position groups').check()
  await form.getByLabel('Capital per pyramid (USDT)').fill('100')
  await form.getByLabel('Legs per pyramid').fill('1')
  await form.getByRole('button', { name: 'Save group settings' }).click()
  await expect(form.getByRole('status')).toContainText('Saved')
  // One group at a time, for all of this user's traders.
  const poolForm = page.getByRole('form', { name: 'Group pool settings' })
  await poolForm.getByLabel('Max open groups').fill('1')
  await poolForm.getByRole('button', { name: 'Save pool settings' }).click()
  await expect(poolForm.getByRole('status')).toContainText('Saved')
  const slots = page.getByTestId('pool-slots')
  await expect(slots).toContainText('0 of 1 slots in use, 1 free')

  expect((await alert('e2e-pool-btc', 'BTCUSDT')).status()).toBe(202)
  const groups = page.getByRole('table', { name: 'Position groups' })
  const groupRow = (symbol: string) => groups.locator('tr[data-group-id]').filter({ has: page.getByRole('button', { name: `Pyramids of the ${symbol} 15 group` }) })
  await expect(groupRow('BTC/USDT')).toHaveAttribute('data-status', 'OPEN', { timeout: 30_000 })
  await expect(slots).toContainText('1 of 1 slots in use, 0 free')

  // The ETH entry finds no slot: it waits, and Promote is refused while the pool is full.
  expect((await alert('e2e-pool-eth', 'ETHUSDT')).status()).toBe(202)
  const queue = page.getByRole('table', { name: 'Pool queue', exact: true })
  const waiting = queue.locator('tr[data-entry-id]')
  await expect(waiting).toHaveCount(1)
  await expect(waiting).toContainText('ETH/USDT')
  await waiting.getByRole('button', { name: /^Promote/ }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'the group pool is full (1 of 1 slots in use)' })).toBeVisible()
  await shot(page, 'signals-07-pool-queue')

  // Closing the first group frees its slot: the worker promotes the waiting entry, whose group opens.
  await groupRow('BTC/USDT').getByRole('button', { name: 'Close group', exact: true }).click()
  await groupRow('BTC/USDT').getByRole('alertdialog').getByRole('button', { name: 'Yes, close group' }).click()
  await expect(groupRow('ETH/USDT')).toHaveAttribute('data-status', 'OPEN', { timeout: 30_000 })
  await expect(queue).toHaveCount(0)
  await expect(page.getByText('No entries waiting')).toBeVisible()
  await expect(page.getByRole('table', { name: 'Pool queue history' }).locator('tr[data-status="PROMOTED"]')).toHaveCount(1)

  // The risk engine: off until turned on; in dry run, with nothing losing, it says no group qualifies.
  await expect(page.getByTestId('risk-engine-status')).toHaveText('Off')
  await page.getByRole('button', { name: 'Run now' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Could not run the risk engine: the risk engine is off' })).toBeVisible()
  const engineForm = page.getByRole('form', { name: 'Risk engine settings' })
  await engineForm.getByLabel('Risk engine on').check()
  await engineForm.getByRole('button', { name: 'Save risk engine settings' }).click()
  await expect(page.getByTestId('risk-engine-status')).toHaveText('On, dry run: it only records what it would do')
  await page.getByRole('button', { name: 'Run now' }).click()
  await expect(page.getByTestId('risk-engine-run-message')).toHaveText('no group qualifies as the loser now: see why next to each group')
  const engineRow = page.getByRole('table', { name: 'Risk engine groups' }).locator('tr[data-group-id]').filter({ hasText: 'ETH/USDT' })
  await expect(engineRow).toHaveAttribute('data-eligible', 'false')
  await expect(engineRow).toContainText('above the −5% threshold')

  await page.setViewportSize({ width: 390, height: 844 })
  await expectNoHorizontalOverflow(page)
  await shot(page, 'signals-08-pool-and-risk-engine-phone')
})
