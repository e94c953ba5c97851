import { expect, test, type Locator, type Page } from '@playwright/test'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { fakeMarketEnv } from './support/app-process'
import { ADMIN, signIn, useSpecApp } from './support/spec-app'

// Issue 12 (price charts): a paper position's page charts the exchange's candles (from the fake
// Binance, through the product's candles route) with the entry, stop and take-profit lines, a
// marker per fill and the stop/take-profit history; the last bar follows the live price. The
// dashboard charts a held symbol with the position's entry and stop. Desktop and 390 px.
let fake: FakeBinance
const app = useSpecApp({
  name: 'chart',
  setUp: async () => void (fake = await startFakeBinance()),
  env: (dataDir) => fakeMarketEnv({ port: 3241, pgPortFrom: 22_600, dataDir, marketUrl: fake.url, admin: ADMIN }),
  tearDown: () => fake?.close(),
})

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1400, height: 900 }
const shot = (page: Page, name: string, width: number) => page.screenshot({ path: `test-results/e2e/screenshots/${name}-${width}.png`, fullPage: true })

/** Pixels of the chart's canvases in the candle colours (up #10b981, down #ef4444): candles were drawn. */
async function candlePixels(chart: Locator): Promise<number> {
  return chart.evaluate((el) => {
    let n = 0
    for (const canvas of el.querySelectorAll('canvas')) {
      const ctx = canvas.getContext('2d')
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b, a] = [d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!]
        if (a > 200 && ((Math.abs(r - 16) < 12 && Math.abs(g - 185) < 12 && Math.abs(b - 129) < 12) || (Math.abs(r - 239) < 12 && Math.abs(g - 68) < 12 && Math.abs(b - 68) < 12))) n++
      }
    }
    return n
  })
}

async function expectNoHorizontalOverflow(page: Page, name: string) {
  const m = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))
  expect(m.scrollWidth, `${name}: the page scrolls sideways`).toBeLessThanOrEqual(m.innerWidth)
}

test('a position\'s chart: candles, entry/stop/target lines, a marker per fill, stop and target history, live last bar; the dashboard\'s chart; desktop and 390 px', async ({ page }) => {
  await page.setViewportSize(DESKTOP)
  await signIn(page, app)

  await page.goto(`${app.url}/traders`)
  await page.getByLabel('Name').fill('Chart Trader')
  await page.getByLabel('Quote currency').fill('USDT')
  await page.getByLabel('Starting balance').fill('10000')
  await page.getByLabel('Watchlist').fill('BTC/USDT, ETH/USDT')
  await page.getByLabel('Trade automatically (built-in rules)').uncheck()
  await page.getByRole('button', { name: 'Create trader' }).click()
  await expect(page.getByRole('link', { name: 'Chart Trader' }).first()).toBeVisible()

  // A LONG with a stop and two take-profits; it fills at the fake exchange's ask.
  await page.goto(`${app.url}/`)
  const form = page.getByRole('form', { name: 'Open position' })
  await form.getByLabel('Symbol').selectOption('BTC/USDT')
  await expect(form.getByTestId('form-quote'), 'the form shows the live price before an order is sent').toContainText('bid ', { timeout: 30_000 })
  await form.getByLabel('Side').selectOption('LONG')
  await form.getByLabel('Size in').selectOption('BASE')
  await form.getByLabel('Size', { exact: true }).fill('0.01')
  await form.getByLabel('Stop loss').fill('59000')
  await form.getByLabel('Take-profit 1 price').fill('61000')
  await form.getByLabel('Take-profit 1 share %').fill('50')
  await form.getByRole('button', { name: 'Add take-profit' }).click()
  await form.getByLabel('Take-profit 2 price').fill('62000')
  await form.getByLabel('Take-profit 2 share %').fill('50')
  await form.getByRole('button', { name: 'Open position' }).click()
  const row = page.getByRole('region', { name: 'Open positions' }).getByRole('row').filter({ hasText: 'BTC/USDT' })
  await expect(row).toContainText('MONITORING')

  // The dashboard charts the held symbol: the entry marked, the stop drawn.
  const dashChart = page.getByRole('region', { name: 'Price chart' }).getByTestId('price-chart')
  await expect(page.getByLabel('Chart symbol')).toHaveValue('BTC/USDT')
  await expect(dashChart).toHaveAttribute('data-state', 'ready')
  await expect(dashChart).toHaveAttribute('data-markers', '1')
  await expect(dashChart).toHaveAttribute('data-price-lines', '1')
  await expect(dashChart).toHaveAttribute('data-candles', /^(2\d\d)$/)
  await expect.poll(() => candlePixels(dashChart)).toBeGreaterThan(50)
  // Another symbol of the watchlist: its own bars, no position of it to mark.
  await page.getByLabel('Chart symbol').selectOption('ETH/USDT')
  await expect(dashChart).toHaveAttribute('data-markers', '0')
  await expect(dashChart).toHaveAttribute('data-price-lines', '0')
  await expect(dashChart).toHaveAttribute('data-last-close', /^3\d{3}(\.\d+)?$/)
  await page.getByLabel('Chart symbol').selectOption('BTC/USDT')
  await expect(dashChart).toHaveAttribute('data-markers', '1')
  await shot(page, 'price-chart-dashboard', DESKTOP.width)

  // The position page: move the stop and the second target, then let the worker take the first target.
  await row.getByRole('link', { name: 'BTC/USDT' }).click()
  await expect(page).toHaveURL(/\/positions\//)
  const protection = page.getByRole('form', { name: 'Modify protection' })
  await protection.getByLabel('Stop loss').fill('59500')
  await protection.getByLabel('Take-profit 2 price').fill('62500')
  await protection.getByRole('button', { name: 'Save protection' }).click()
  await expect(protection.getByText('Protection saved.')).toBeVisible()
  const trail = page.locator('[aria-label="Audit trail"]')
  await expect(trail).toContainText('SL_CHANGED')
  await expect(trail).toContainText('TP_CHANGED')
  fake.setPrice('BTC/USDT', '61000.00', '61000.01')
  const fillRows = page.locator('[aria-label="Fills"]').getByRole('row')
  await expect(fillRows).toHaveCount(3) // header, the entry buy, the first target's sell

  const chart = page.getByRole('region', { name: 'Price chart' }).getByTestId('price-chart')
  await expect(chart).toHaveAttribute('data-state', 'ready')
  // A marker per fill, every fill on the bars shown.
  await expect(chart).toHaveAttribute('data-markers', String((await fillRows.count()) - 1))
  await expect(chart).toHaveAttribute('data-markers-outside', '0')
  // Lines: the average entry, the current stop and the one take-profit still active.
  await expect(chart).toHaveAttribute('data-price-lines', '3')
  // History: the stop (59000 → 59500) and two target slots (61000 until its fill; 62000 → 62500).
  await expect(chart).toHaveAttribute('data-step-lines', '3')
  await expect(page.getByRole('button', { name: '1m', exact: true, pressed: true })).toBeVisible()
  await expect.poll(() => candlePixels(chart)).toBeGreaterThan(50)
  await expect(chart).toHaveAttribute('data-last-close', '61000')

  // Live: the last bar follows the stream, no reload.
  fake.setPrice('BTC/USDT', '61234.56', '61234.57')
  await expect(chart).toHaveAttribute('data-last-close', '61234.56')
  await shot(page, 'price-chart-position', DESKTOP.width)
  await chart.screenshot({ path: `test-results/e2e/screenshots/price-chart-canvas-${DESKTOP.width}.png` })

  // Another timeframe: the same fills and levels on 5-minute bars.
  await page.getByRole('button', { name: '5m', exact: true }).click()
  await expect(page.getByRole('button', { name: '5m', exact: true, pressed: true })).toBeVisible()
  await expect(chart).toHaveAttribute('data-state', 'ready')
  await expect(chart).toHaveAttribute('data-markers', '2')
  await expect(chart).toHaveAttribute('data-price-lines', '3')

  // A phone: the chart fits its panel and draws the same.
  await page.setViewportSize(PHONE)
  await page.reload()
  await expect(chart).toHaveAttribute('data-state', 'ready')
  await expect(chart).toHaveAttribute('data-markers', '2')
  await expect(chart).toHaveAttribute('data-price-lines', '3')
  await expect(chart).toHaveAttribute('data-step-lines', '3')
  const box = (await chart.boundingBox())!
  expect(box.width).toBeGreaterThan(300)
  expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width)
  await expect.poll(() => candlePixels(chart)).toBeGreaterThan(20)
  await expectNoHorizontalOverflow(page, 'position page at 390')
  await chart.scrollIntoViewIfNeeded()
  await shot(page, 'price-chart-position', PHONE.width)
  await chart.screenshot({ path: `test-results/e2e/screenshots/price-chart-canvas-${PHONE.width}.png` })

  await page.goto(`${app.url}/`)
  await expect(dashChart).toHaveAttribute('data-state', 'ready')
  await expect(dashChart).toHaveAttribute('data-markers', '1')
  expect((await dashChart.boundingBox())!.width).toBeLessThanOrEqual(PHONE.width)
  await expectNoHorizontalOverflow(page, 'dashboard at 390')
  await shot(page, 'price-chart-dashboard', PHONE.width)
})
