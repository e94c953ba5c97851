import { expect, test } from '@playwright/test'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '../support/fake-binance-spot'
import { fakeMarketEnv } from './support/app-process'
import { ADMIN, signIn, useSpecApp } from './support/spec-app'
import { expectTableFits } from './support/table-fits'
import { expectInWindow } from './support/in-window'

// Issue 9 (live trading), in the browser: an exchange account is added under Settings, a trader
// trades on it, its stop rests on the exchange and a close sells exactly once. The exchange is a
// local server speaking Binance's signed spot REST to the product's real ccxt client; market data
// comes from the public fake, as in the other specs. Both start BTC/USDT at 60000.00 / 60000.01.
// LIVE_TRADING_ENABLED stays unset: TESTNET trades regardless, and the dashboard says it is off.
let market: FakeBinance
let exchange: FakeBinanceSpot
const ACCOUNT = 'Binance testnet'
const TRADER = 'Testnet Trader'

const app = useSpecApp({
  name: 'live',
  setUp: async () => {
    // npm start rebuilds the web app when HEAD moved after the global setup's build (others commit meanwhile).
    test.setTimeout(600_000)
    market = await startFakeBinance()
    exchange = await startFakeBinanceSpot({ balances: { USDT: '10000' } })
    // Unset, not "false": the default is what a fresh install runs with (startApp passes this process's env on).
    delete process.env.LIVE_TRADING_ENABLED
  },
  env: (dataDir) => fakeMarketEnv({ port: 3230, pgPortFrom: 22_300, dataDir, marketUrl: market.url, admin: ADMIN }),
  tearDown: async () => {
    await exchange?.close()
    await market?.close()
  },
})

const open = (status: string) => status === 'NEW' || status === 'PARTIALLY_FILLED'
const restingStops = () => exchange.orders.filter((o) => o.type === 'STOP_LOSS_LIMIT' && open(o.status))
const marketSells = () => exchange.orders.filter((o) => o.side === 'SELL' && o.type === 'MARKET')
const btcHeld = () => {
  const b = exchange.balance('BTC')
  return b.free.plus(b.locked).toFixed()
}

test('a TESTNET Binance account added in the browser: a trader opens a long on it, the stop rests on the exchange, a close sells once', async ({ page }) => {
  page.on('dialog', (d) => d.accept())
  await signIn(page, app)

  // The server's second key for real money is off, and the dashboard says so.
  const liveTrading = page.getByTestId('live-trading')
  await expect(liveTrading).toHaveAttribute('data-enabled', 'false')
  await expect(liveTrading).toContainText('Live trading: off')

  // Settings → Exchange accounts: add the account; its keys are tested against the exchange first.
  await page.goto(`${app.url}/settings`)
  const add = page.getByRole('form', { name: 'Add exchange account' })
  await add.getByLabel('Exchange').selectOption('binance')
  await add.getByLabel('Name').fill(ACCOUNT)
  await add.getByLabel('Mode').selectOption('TESTNET')
  await add.getByLabel('API key').fill(exchange.apiKey)
  await add.getByLabel('Secret').fill(exchange.secret)
  await add.getByLabel('Base URL (optional)').fill(exchange.url)
  await add.getByRole('button', { name: 'Test keys and add account' }).click()
  await expect(add.getByRole('status')).toHaveText(`Added “${ACCOUNT}”: the keys work and can trade.`)
  // The key test reached the fake, signed with these keys.
  expect(exchange.requests.some((r) => r.path === '/api/v3/account' && r.apiKey === exchange.apiKey)).toBe(true)

  const keyHint = `••••${exchange.apiKey.slice(-4)}`
  const checkAccountRow = async () => {
    const row = page.getByRole('row', { name: `Exchange account ${ACCOUNT}` })
    await expect(row.getByTestId('verification')).toContainText('Verified')
    await expect(row.locator('[data-mode]')).toHaveAttribute('data-mode', 'TESTNET')
    await expect(row.locator('[data-mode]')).toHaveText('TESTNET')
    await expect(row).toContainText(keyHint)
    await expect(row).toContainText('Binance spot')
    // Neither the key nor the secret ever comes back to the browser.
    const html = await page.content()
    expect(html).not.toContain(exchange.secret)
    expect(html).not.toContain(exchange.apiKey)
  }
  await checkAccountRow()
  // On a phone its exchange, mode, key and buttons are in a row under it, in the window: the table fits.
  const desktop = page.viewportSize()!
  await page.setViewportSize({ width: 390, height: 844 })
  const phoneRow = page.locator('tr[data-account-details]').first()
  await expect(phoneRow).toContainText('Binance spot')
  await expect(phoneRow).toContainText(`key ${keyHint}`)
  const deleteButton = page.getByRole('button', { name: `Delete ${ACCOUNT}` })
  await expectInWindow(deleteButton, 'Delete')
  await expect(page.getByRole('button', { name: `Test connection of ${ACCOUNT}` })).toBeInViewport({ ratio: 1 })
  await expectTableFits(page.getByRole('table', { name: 'Exchange accounts' }), 'exchange accounts at 390')
  await page.setViewportSize(desktop)
  await expect(phoneRow).toBeHidden()

  // A trader on that account (instead of a paper balance), trading only by hand. Created at once,
  // as a person would: before the worker's first read of the new account's balances.
  await page.goto(`${app.url}/traders`)
  const create = page.getByRole('form', { name: 'Create trader' })
  await create.getByLabel('Name').fill(TRADER)
  await create.getByLabel('Account').selectOption({ label: `${ACCOUNT}: Binance spot TESTNET` })
  // Funded by the exchange account: no starting balance to give.
  await expect(create.getByLabel('Starting balance')).toHaveCount(0)
  await create.getByLabel('Watchlist').fill('BTC/USDT')
  await create.getByLabel('Trade automatically (built-in rules)').uncheck()
  await create.getByRole('button', { name: 'Create trader' }).click()
  await expect(create.getByRole('status')).toHaveText(`Trader “${TRADER}” created on ${ACCOUNT}.`)
  const traderRow = page.getByRole('table', { name: 'Traders' }).getByRole('row').filter({ hasText: TRADER })
  await expect(traderRow.locator('[data-mode]')).toHaveAttribute('data-mode', 'TESTNET')
  await expect(traderRow.locator('[data-mode]')).toHaveText('TESTNET')
  await expect(traderRow).toContainText('BTC/USDT')

  // The account again, from the server's own listing, now with its trader.
  await page.goto(`${app.url}/settings`)
  await checkAccountRow()
  await expect(page.getByRole('row', { name: `Exchange account ${ACCOUNT}` })).toContainText(`Traders: ${TRADER}`)

  // The dashboard: the worker reads the account's balances from the exchange (every 15 s). The
  // card is not refreshed when that read lands (no event is sent for it), so reload until it shows.
  await page.goto(`${app.url}/`)
  await expect(page.getByTestId('live-trading')).toContainText('Live trading: off')
  const card = page.getByRole('article', { name: `Account ${TRADER}` })
  await expect(card.locator('[data-mode]')).toHaveText('TESTNET')
  await expect(async () => {
    await page.reload()
    await expect(card.getByTestId('equity')).toHaveText('10,000.00 USDT', { timeout: 1000 })
  }).toPass({ timeout: 40_000, intervals: [2000] })
  // Nothing was lost today: no loss breaker may have paused the new trader meanwhile (its page
  // is rendered by the server, so it shows the status as stored).
  await card.getByRole('link', { name: TRADER }).click()
  await expect(page).toHaveURL(/\/traders\/[^/]+$/)
  await expect(page.getByTestId('trader-status'), 'a trader that has lost nothing today must not be paused by a loss breaker').toContainText('ACTIVE', { timeout: 1000 })
  await page.goto(`${app.url}/`)

  // The dashboard's manual order form: LONG 0.01 BTC at market, stop 59000.
  const form = page.getByRole('form', { name: 'Open position' })
  await form.getByLabel('Trader').selectOption({ label: `${TRADER} (USDT)` })
  await form.getByLabel('Symbol').selectOption('BTC/USDT')
  await expect(form.getByTestId('form-quote')).toContainText('bid 60,000')
  await form.getByLabel('Side').selectOption('LONG')
  await form.getByLabel('Entry type').selectOption('MARKET')
  await form.getByLabel('Size in').selectOption('BASE')
  await form.getByLabel('Size', { exact: true }).fill('0.01')
  await form.getByLabel('Stop loss').fill('59000')
  await form.getByRole('button', { name: 'Open position' }).click()
  await expect(form.getByRole('status')).toContainText('Position opened: LONG BTC/USDT.')
  await form.getByRole('link', { name: 'View position' }).click()
  await expect(page).toHaveURL(/\/positions\/[^/]+$/)

  // The entry bought on the exchange: 0.01 BTC, Binance's 0.1 % commission taken in the coin.
  const buys = exchange.orders.filter((o) => o.side === 'BUY')
  expect(buys.map((o) => `${o.type} ${o.status} ${o.origQty.toFixed()}`)).toEqual(['MARKET FILLED 0.01'])
  expect(btcHeld()).toBe('0.00999')

  // The position page: TESTNET, MONITORING, and the worker's protection keeper rests the stop on the exchange.
  await expect(page.getByRole('heading', { level: 1, name: /BTC\/USDT/ })).toBeVisible()
  await expect(page.locator('[data-mode]').first()).toHaveAttribute('data-mode', 'TESTNET')
  await expect(page.getByTestId('position-status')).toHaveText('MONITORING')
  const protection = page.getByTestId('protection')
  await expect(protection).toContainText('Protected on exchange: stop 59,000', { timeout: 10_000 })
  const [stop] = restingStops()
  expect(restingStops()).toHaveLength(1)
  expect(stop!.side).toBe('SELL')
  expect(stop!.stopPrice.toFixed()).toBe('59000')
  expect(stop!.origQty.toFixed()).toBe('0.00999')
  await expect(protection).toContainText(`exchange id ${stop!.orderId}`)
  // The exchange's order is ours: its client order id is in the Orders table, with its exchange id.
  const stopRow = page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ hasText: stop!.clientOrderId })
  await expect(stopRow).toHaveCount(1)
  await expect(stopRow).toContainText('STOP LOSS')
  await expect(stopRow).toContainText('SELL')
  await expect(stopRow).toContainText(`exchange ${stop!.orderId}`)
  await expect(stopRow).toContainText('trigger 59,000')
  await page.screenshot({ path: 'test-results/e2e/screenshots/live-position.png', fullPage: true })

  // Close from the UI: the resting stop comes off first, then everything is sold once.
  await page.getByRole('form', { name: 'Close position' }).getByRole('button', { name: 'Close position' }).click()
  await expect(page.getByTestId('position-status')).toHaveText('CLOSED')
  await expect(page.locator('[data-mode]').first()).toHaveAttribute('data-mode', 'TESTNET')
  await expect(protection).toContainText('No stop resting')
  expect(exchange.orders.find((o) => o.orderId === stop!.orderId)!.status).toBe('CANCELED')
  expect(restingStops()).toHaveLength(0)
  const sells = marketSells()
  expect(sells.map((o) => `${o.status} ${o.origQty.toFixed()}`)).toEqual(['FILLED 0.00999'])
  expect(btcHeld()).toBe('0')
  await expect(stopRow).toContainText('CANCELED')
  // Our books equal the exchange's: the realized PnL (fees included) is the USDT the account lost.
  await expect(page.getByTestId('realized-pnl')).toHaveText(exchange.balance('USDT').free.minus(10000).toFixed())

  // Still once a few seconds later: no worker pass sells again or puts a stop back.
  await page.waitForTimeout(3000)
  expect(marketSells()).toHaveLength(1)
  expect(restingStops()).toHaveLength(0)
  expect(exchange.orders.filter((o) => o.side === 'SELL')).toHaveLength(2) // the canceled stop and the exit
  await page.screenshot({ path: 'test-results/e2e/screenshots/live-position-closed.png', fullPage: true })
})
