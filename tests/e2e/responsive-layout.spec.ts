import { expect, test, type Page } from '@playwright/test'
import pg from 'pg'
import { embeddedDatabaseUrl, embeddedPassword } from '@/lib/db/embedded-postgres'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { fakeMarketEnv } from './support/app-process'
import { ADMIN, signIn, useSpecApp } from './support/spec-app'
import { expectEveryTableFits, expectTableFits } from './support/table-fits'
import { expectInWindow } from './support/in-window'

// Issue 12 (mobile): every page is usable at a phone's 390 px, on tablets (768 and 1,024 px) and
// still laid out as before on a 1,280 px laptop; at none of them does a table scroll sideways.
// Pages get real content (a trader, an open position, a closed trade) so the tables and feeds are
// measured with rows in them. Each page is kept as a full-page screenshot per phone and laptop size.
let fake: FakeBinance
const app = useSpecApp({
  name: 'responsive',
  setUp: async () => void (fake = await startFakeBinance()),
  env: (dataDir) => fakeMarketEnv({ port: 3214, pgPortFrom: 22_000, dataDir, marketUrl: fake.url, admin: ADMIN }),
  tearDown: () => fake?.close(),
})

const PHONE = { width: 390, height: 844 }
// A common laptop: the desktop layout at about its narrowest.
const DESKTOP = { width: 1280, height: 800 }
const NAV_LINKS = ['Dashboard', 'Traders', 'Decisions', 'Approvals', 'Performance', 'Closed trades', 'Notifications', 'Logs', 'Settings'] as const

const shot = (page: Page, name: string, width: number) => page.screenshot({ path: `test-results/e2e/screenshots/${name}-${width}.png`, fullPage: true })

/** The page must not scroll sideways; on failure, name the outermost elements that stick out. */
async function expectNoHorizontalOverflow(page: Page, name: string) {
  const m = await page.evaluate(() => {
    const vw = window.innerWidth
    const out = (el: Element | null) => !!el && el !== document.body && el.getBoundingClientRect().right > vw + 0.5
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((el) => out(el) && !out(el.parentElement))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.getAttribute('class') ?? '').slice(0, 80)} right=${Math.round(el.getBoundingClientRect().right)}`)
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, culprits }
  })
  expect(m.scrollWidth, `${name}: page is ${m.scrollWidth}px wide in a ${m.innerWidth}px window; sticking out: ${m.culprits.join(' | ')}`).toBeLessThanOrEqual(m.innerWidth)
}

async function recordLongDecision(traderId: string, positionId: string): Promise<string> {
  const sql = new pg.Client({ connectionString: embeddedDatabaseUrl(Number(app.env.EMBEDDED_PG_PORT), embeddedPassword(app.env.DATA_DIR)) })
  await sql.connect()
  try {
    const qty = '0.0166633335555544442222111100009999888877'
    const validation = {
      isValid: true,
      errors: [],
      warnings: [],
      constraints: [
        { name: 'entry size', satisfied: true, currentValue: qty, requiredValue: '> 0' },
        { name: 'order size', satisfied: true, currentValue: '0.01666 BTC (1000.2 USDT)', requiredValue: '>= 0.00001 BTC and >= 5 USDT' },
      ],
    }
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Decision" (id, "traderId", "positionId", "cycleId", symbol, provider, model, "promptVersion", trigger, action, confidence, reasoning, validation, outcome, "latencyMs")
       VALUES ('e2e-long-decision', $1, $3, 'e2e-cycle', 'BTC/USDT', 'RULES', 'built-in rules', 'rules.ema-atr.v1', 'SCHEDULE', 'LONG', 0.7, 'EMA9 above EMA21', $2, 'NO_ACTION', 3)
       RETURNING id`,
      [traderId, JSON.stringify(validation), positionId],
    )
    return rows[0]!.id
  } finally {
    await sql.end()
  }
}

async function openPosition(page: Page, symbol: string, stop: string) {
  await page.goto(`${app.url}/`)
  const form = page.getByRole('form', { name: 'Open position' })
  await form.getByLabel('Symbol').selectOption(symbol)
  await expect(form.getByTestId('form-quote'), 'the form shows the live price before an order is sent').toContainText('bid ', { timeout: 30_000 })
  await form.getByLabel('Side').selectOption('LONG')
  await form.getByLabel('Size in').selectOption('BASE')
  await form.getByLabel('Size', { exact: true }).fill('0.01')
  await form.getByLabel('Stop loss').fill(stop)
  await form.getByRole('button', { name: 'Open position' }).click()
}

test('every page fits a 390 px phone (menu, tables, forms, panic in reach) and a tablet, and keeps its desktop layout on a 1280 px laptop', async ({ page }) => {
  page.on('dialog', (d) => d.accept())
  await page.setViewportSize(DESKTOP)
  await signIn(page, app)

  // Content: a paper trader, one closed trade and one open position.
  await page.goto(`${app.url}/traders`)
  await page.getByLabel('Name').fill('Responsive Trader')
  await page.getByLabel('Quote currency').fill('USDT')
  await page.getByLabel('Starting balance').fill('10000')
  await page.getByLabel('Watchlist').fill('BTC/USDT, ETH/USDT')
  await page.getByLabel('Trade automatically (built-in rules)').uncheck()
  await page.getByRole('button', { name: 'Create trader' }).click()
  const traderLink = page.getByRole('link', { name: 'Responsive Trader' }).first()
  await expect(traderLink).toBeVisible()
  const traderPath = await traderLink.getAttribute('href')
  expect(traderPath).toMatch(/^\/traders\/.+/)

  // Two symbols, because a second entry on one symbol within minutes is refused by the cooldown rule.
  const openRows = page.getByRole('region', { name: 'Open positions' }).getByRole('row')
  await openPosition(page, 'ETH/USDT', '2900')
  const ethRow = openRows.filter({ hasText: 'ETH/USDT' })
  await expect(ethRow).toContainText('MONITORING')
  await ethRow.getByRole('link', { name: 'ETH/USDT' }).click()
  await expect(page).toHaveURL(/\/positions\//)
  await page.getByRole('button', { name: 'Close position' }).click()
  // The position's own status (the page also has a "Closed trades" link that would match 'CLOSED').
  await expect(page.getByTestId('position-status')).toHaveText('CLOSED')

  await openPosition(page, 'BTC/USDT', '59000')
  const row = openRows.filter({ hasText: 'BTC/USDT' })
  await expect(row).toContainText('MONITORING')
  await expect(openRows.filter({ hasText: 'ETH/USDT' })).toHaveCount(0)
  // A second ETH/USDT entry within the cooldown is refused: the trader's page then lists risk events.
  await openPosition(page, 'ETH/USDT', '2900')
  await expect(page.getByRole('form', { name: 'Open position' }).getByRole('alert')).toContainText('cooldown per symbol')
  const positionPath = await row.getByRole('link', { name: 'BTC/USDT' }).getAttribute('href')
  expect(positionPath).toMatch(/^\/positions\/.+/)

  // A journal entry about the open position as the rules write one, whose validation shows the entry's
  // raw quantity (40 digits, nowhere to break a line): written straight to the database, as this
  // trader trades by hand. It shows in the journal, on its own page and on the position's.
  const decisionId = await recordLongDecision(traderPath!.split('/').pop()!, positionPath!.split('/').pop()!)
  // ...and a signal on the trader's Signals page: one sent before the trader has a webhook secret is refused and recorded.
  const refused = await page.request.post(`${app.url}/api/webhooks/tradingview/${traderPath!.split('/').pop()}`, { data: 'symbol=BTCUSDT\naction=buy' })
  expect(refused.status()).toBe(401)
  // Settings with long content: a webhook channel and an invite, whose name and email have no short form.
  const longSettings = [
    ['/api/v1/notification-channels', { name: 'Telegram alerts for the trading desk', url: 'https://discord.com/api/webhooks/1234567890/abcdefghijklmnopqrstuvwxyz' }],
    ['/api/v1/invites', { email: 'a.long.address.for.the.risk.team@example-trading-company.com' }],
  ] as const
  for (const [path, data] of longSettings) {
    const res = await page.request.post(`${app.url}${path}`, { headers: { origin: app.url }, data })
    expect(res.status(), `${path}: ${await res.text()}`).toBe(201)
  }

  const pages: { name: string; path: string; heading: string | RegExp; nav?: (typeof NAV_LINKS)[number] }[] = [
    { name: 'dashboard', path: '/', heading: 'Dashboard', nav: 'Dashboard' },
    { name: 'traders', path: '/traders', heading: 'Traders', nav: 'Traders' },
    { name: 'trader-detail', path: traderPath!, heading: /Responsive Trader/ },
    { name: 'trader-signals', path: `${traderPath}/signals`, heading: 'Signals' },
    { name: 'position-detail', path: positionPath!, heading: /BTC\/USDT/ },
    { name: 'trades', path: '/trades', heading: 'Closed trades', nav: 'Closed trades' },
    { name: 'decisions', path: '/decisions', heading: /Decision/, nav: 'Decisions' },
    { name: 'decision-detail', path: `/decisions/${decisionId}`, heading: /BTC\/USDT/ },
    { name: 'approvals', path: '/approvals', heading: 'Approvals', nav: 'Approvals' },
    { name: 'performance', path: '/performance', heading: 'Performance', nav: 'Performance' },
    { name: 'notifications', path: '/notifications', heading: /Notifications/, nav: 'Notifications' },
    { name: 'logs', path: '/logs', heading: 'Logs', nav: 'Logs' },
    { name: 'settings', path: '/settings', heading: 'Settings', nav: 'Settings' },
  ]

  const banner = page.getByRole('banner')
  const menuButton = banner.getByRole('button', { name: 'Menu' })
  const nav = page.getByRole('navigation', { name: 'Main' })

  // Phone: the nav collapses behind an accessible Menu button; the top-level pages are reached through it.
  await page.setViewportSize(PHONE)
  await page.goto(`${app.url}/`)
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible()
  for (const p of pages) {
    if (p.nav) {
      await expect(menuButton).toHaveAttribute('aria-expanded', 'false')
      await expect(nav).toBeHidden()
      await menuButton.click()
      await expect(menuButton).toHaveAttribute('aria-expanded', 'true')
      await expect(menuButton).toHaveAttribute('aria-controls', (await nav.getAttribute('id'))!)
      for (const label of NAV_LINKS) await expect(nav.getByRole('link', { name: label, exact: true })).toBeVisible()
      if (p.name === 'traders') await shot(page, 'menu-open', PHONE.width)
      await nav.getByRole('link', { name: p.nav, exact: true }).click()
      await expect(page).toHaveURL(`${app.url}${p.path}`)
      // Navigating closes the menu.
      await expect(menuButton).toHaveAttribute('aria-expanded', 'false')
      await expect(nav).toBeHidden()
    } else {
      await page.goto(`${app.url}${p.path}`)
    }
    await expect(page.getByRole('heading', { level: 1, name: p.heading }).first()).toBeVisible()
    // The panic button is in the header on every page, inside the window.
    const panic = banner.getByRole('button', { name: 'Panic: close everything' })
    await expect(panic).toBeVisible()
    await expect(panic).toBeInViewport({ ratio: 1 })
    await expectNoHorizontalOverflow(page, `${p.name} at ${PHONE.width}`)
    if (p.name === 'traders') {
      // The trader's equity is in the window under its name, the same figure as the column off to the right.
      const trader = page.getByRole('table', { name: 'Traders' }).getByRole('row').filter({ hasText: 'Responsive Trader' })
      await expect(trader.getByTestId('trader-equity-compact')).toBeInViewport({ ratio: 1 })
      await expect(trader.getByTestId('trader-equity')).not.toBeInViewport({ ratio: 1 })
      const both = await Promise.all(['trader-equity-compact', 'trader-equity'].map((id) => trader.getByTestId(id).elementHandle()))
      const [short, full] = await page.evaluate((els) => els.map((e) => e!.textContent), both)
      expect(short).toBe(full)
      expect(full).toMatch(/^\d[\d,]*\.\d+ USDT$/)
      // ...and its balances in the row under it: the table fits the window.
      const balances = page.locator('tr[data-balances-of]').first().getByRole('cell')
      await expect(balances).toContainText(/^[\d,.]+ USDT[\d.]+ BTC$/)
      await expect(balances).toBeInViewport({ ratio: 1 })
      await expectTableFits(page.getByRole('table', { name: 'Traders' }), 'traders at 390')
    }
    if (p.name === 'performance') {
      // Each breakdown row's PnL is in the window under its label, the same figure as its column.
      const byTrader = page.getByRole('table', { name: 'Performance by trader' }).getByRole('row').filter({ hasText: 'Responsive Trader' })
      const pnl = byTrader.getByTestId('breakdown-pnl-compact')
      await pnl.scrollIntoViewIfNeeded()
      await expect(pnl).toBeInViewport({ ratio: 1 })
      await expect(byTrader.getByTestId('breakdown-pnl')).not.toBeInViewport({ ratio: 1 })
      const [short, full] = await Promise.all(['breakdown-pnl-compact', 'breakdown-pnl'].map((id) => byTrader.getByTestId(id).textContent()))
      expect(short).toBe(full)
      expect(full).toMatch(/^-\d/)
      // Its fees and profit factor are in the row under it: the table fits the window.
      const figures = page.getByRole('table', { name: 'Performance by trader' }).locator('tr[data-figures-of]').first().getByRole('cell')
      await expect(figures).toContainText(/^fees 0\.\d+ · profit factor (?:[\d.]+|—)$/)
      await expectInWindow(figures, 'the breakdown figures row')
      await expectTableFits(page.getByRole('table', { name: 'Performance by trader' }), 'performance by trader at 390')
      await page.evaluate(() => window.scrollTo(0, 0))
    }
    if (p.name === 'trades') {
      // The closed trade's side, status and PnL are in the window without scrolling its table
      // sideways, and its symbol leads to its detail.
      const closed = page.getByRole('table', { name: 'Closed trades' }).getByRole('row').filter({ hasText: 'ETH/USDT' })
      const compact = closed.getByTestId('closed-trade-compact')
      await expect(compact).toBeInViewport({ ratio: 1 })
      await expect(compact).toContainText('LONG')
      await expect(compact).toContainText('CLOSED')
      await expect(closed.getByTestId('realized-pnl')).not.toBeInViewport()
      const [short, full] = await Promise.all(['realized-pnl-compact', 'realized-pnl'].map((id) => closed.getByTestId(id).textContent()))
      expect(short).toBe(full)
      expect(full).toMatch(/^-\d/)
      await expect(closed.getByRole('link', { name: 'ETH/USDT', exact: true })).toHaveAttribute('href', /^\/positions\/.+/)
      // Its size, entry and exit prices, fees and reason are in a row under it: the table fits the window.
      const trade = page.locator('tr[data-trade-of]').first().getByRole('cell')
      await expect(trade).toContainText(/^0\.01 @ [\d,.]+ → [\d,.]+ · fees 0\.\d+Manual exit$/)
      await expect(trade).toBeInViewport({ ratio: 1 })
      await expectTableFits(page.getByRole('table', { name: 'Closed trades' }), 'closed trades at 390')
    }
    if (p.name === 'settings') {
      // A token's Revoke button is in the window, its prefix and dates under its name: the table fits.
      const create = page.getByRole('form', { name: 'Create API token' })
      await create.getByLabel('Name').fill('Phone token')
      await create.getByRole('button', { name: 'Create token' }).click()
      const tokens = page.getByRole('table', { name: 'API tokens' })
      const revoke = tokens.getByRole('button', { name: 'Revoke Phone token' })
      await expectInWindow(revoke, 'Revoke')
      await expect(tokens.getByTestId('token-details-compact').first()).toContainText(/^tl_[\w-]+… · created \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}last used never · expires \d{4}-\d{2}-\d{2} /)
      await expectTableFits(tokens, 'API tokens at 390')
      // A user's name, role, traders and age are under the email, beside Remove (or "you").
      const users = page.getByRole('table', { name: 'User accounts' })
      await expect(users.getByTestId('user-details-compact').first()).toContainText(/ · Admin · \d+ traders? · since \d{4}-/)
      await expectTableFits(users, 'user accounts at 390')
      await page.evaluate(() => window.scrollTo(0, 0))
    }
    if (p.name === 'logs') {
      // A line's message is read without scrolling the table sideways: in a row under the line.
      const message = page.getByTestId('log-message-row').filter({ hasText: 'Entry filled' }).first().getByRole('cell')
      await expect(message).toBeVisible()
      await message.scrollIntoViewIfNeeded()
      await expect(message).toBeInViewport({ ratio: 1 })
      // The level sits under the time, and the table fits the window.
      await expect(page.getByTestId('log-level-compact').first()).toBeVisible()
      await expect(page.getByRole('table', { name: 'Log lines' }).getByRole('columnheader', { name: 'Level' })).toBeHidden()
      await expectTableFits(page.getByRole('table', { name: 'Log lines' }), 'log lines at 390')
      await page.evaluate(() => window.scrollTo(0, 0))
    }
    if (p.name === 'trader-detail') {
      // A risk event's figures and message are read without scrolling its table sideways: in a row under it.
      const event = page.locator('tr[data-risk-event-of]').first().getByRole('cell')
      await expect(event).toContainText(/^current [\d.]+ · allowed \d+[A-Z]{3}\/USDT: /)
      await expectInWindow(event, 'the risk event row')
      await expect(page.getByRole('table', { name: 'Recent risk events' }).getByRole('columnheader', { name: 'Message' })).toBeHidden()
      await expectTableFits(page.getByRole('table', { name: 'Recent risk events' }), 'risk events at 390')
      await page.evaluate(() => window.scrollTo(0, 0))
    }
    if (p.name === 'position-detail') {
      // The audit trail's messages are read without scrolling its table sideways: each under its event.
      const message = page.getByTestId('event-message-row').filter({ hasText: 'Entry filled' }).getByRole('cell')
      await message.scrollIntoViewIfNeeded()
      await expect(message).toBeInViewport({ ratio: 1 })
      // ...with the status it moved the position to, which a wide screen has in its own column.
      await expect(message.getByTestId('event-transition')).toContainText(/→\s*OPEN/)
      await expect(page.getByRole('table', { name: 'Audit trail' }).getByRole('columnheader', { name: 'From → to' })).toBeHidden()
      // ...with the state it recorded: the entry's stop, set when the position was created.
      const created = page.getByTestId('event-message-row').filter({ hasText: 'by market; stop 59000' }).getByRole('cell')
      await expect(created).toContainText('AfterstopLoss: 59000')
      await expect(created).toBeInViewport({ ratio: 1 })
      // An order's status, size and fill, and a fill's fee, are in a row under each, not off to the right.
      const order = page.locator('tr[data-order-of]').first().getByRole('cell')
      await expect(order).toContainText('FILLED')
      await expect(order.getByText('market order', { exact: true })).toBeVisible()
      await expect(order).toContainText('filled 0.01 @ 60,000.01')
      await expectInWindow(order, 'the order row')
      const fill = page.locator('tr[data-fill-of]').first().getByRole('cell')
      await expect(fill).toContainText(/^fee 0\.6\d* USDT · TAKER$/)
      await expect(fill).toBeInViewport({ ratio: 1 })
      // ...with its type, who placed it and its ids: the orders and fills tables fit the window.
      await expect(order).toContainText(/USER ?tl-e-[\w-]+/)
      await expectTableFits(page.getByRole('table', { name: 'Orders' }), 'orders at 390')
      await expectTableFits(page.getByRole('table', { name: 'Fills' }), 'fills at 390')
      await expectTableFits(page.getByRole('table', { name: 'Audit trail' }), 'audit trail at 390')
      await page.evaluate(() => window.scrollTo(0, 0))
    }
    // No table on the page is reached only by scrolling it sideways.
    await expectEveryTableFits(page, `${p.name} at ${PHONE.width}`)
    await shot(page, p.name, PHONE.width)
  }

  // Escape closes the menu too.
  await menuButton.click()
  await expect(nav).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false')
  await expect(nav).toBeHidden()

  // The header's panic button asks first, under the header, and can be called off.
  await page.goto(`${app.url}/trades`)
  await banner.getByRole('button', { name: 'Panic: close everything' }).click()
  const confirm = page.getByRole('alertdialog', { name: 'Confirm panic' })
  await expect(confirm).toBeVisible()
  await expect(confirm.getByRole('button', { name: 'Yes, close everything' })).toBeInViewport({ ratio: 1 })
  await expectNoHorizontalOverflow(page, 'panic confirmation at 390')
  await shot(page, 'panic-confirm', PHONE.width)
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  await expect(confirm).toBeHidden()

  // The dashboard's forms are one column on a phone: Trader above Symbol, not beside it.
  await page.goto(`${app.url}/`)
  // The open position's PnL is in the window without scrolling its table sideways: under the
  // symbol, the same figures as the PnL columns off to the right.
  const compactPnl = row.getByTestId('unrealized-pnl-compact')
  await expect(compactPnl).toBeInViewport({ ratio: 1 })
  await expect(row.getByTestId('unrealized-pnl')).not.toBeInViewport()
  const [compact, pnl, pct] = await Promise.all(['unrealized-pnl-compact', 'unrealized-pnl', 'unrealized-pnl-pct'].map((id) => row.getByTestId(id).elementHandle()))
  const texts = await page.evaluate((els) => els.map((e) => e!.textContent), [compact, pnl, pct])
  expect(texts[0]).toBe(`${texts[1]} (${texts[2]})`)
  expect(texts[1]).toMatch(/\d/)
  // ...and its size, entry, mark, stop and take-profits in the row under it: the table fits the window.
  const levels = page.locator('tr[data-levels-of]').first().getByRole('cell')
  await expect(levels).toContainText(/^0\.01 @ 60,000\.01 · mark [\d,.]+SL 59,000 · TP —$/)
  await expect(levels).toBeInViewport({ ratio: 1 })
  await expectTableFits(page.getByRole('table', { name: 'Open positions' }), 'open positions at 390')
  const form = page.getByRole('form', { name: 'Open position' })
  // Both boxes from one layout: measured one after the other, the page can shift in between
  // while its panels load.
  const fields = [await form.getByLabel('Trader').elementHandle(), await form.getByLabel('Symbol').elementHandle()]
  const [traderBox, symbolBox] = await page.evaluate((els) => els.map((e) => e!.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })), fields)
  expect(symbolBox!.top).toBeGreaterThan(traderBox!.bottom - 1)

  // Desktop: links inline, no Menu button, the dashboard's panic button in place; nothing scrolls
  // sideways, neither the page nor any table in its panel.
  await page.setViewportSize(DESKTOP)
  for (const p of pages) {
    await page.goto(`${app.url}${p.path}`)
    await expect(page.getByRole('heading', { level: 1, name: p.heading }).first()).toBeVisible()
    await expect(menuButton).toBeHidden()
    for (const label of NAV_LINKS) await expect(nav.getByRole('link', { name: label, exact: true })).toBeVisible()
    await expect(page.getByTestId('current-user-email')).toBeVisible()
    if (p.name === 'dashboard') {
      await expect(page.getByRole('button', { name: 'Panic: close everything' })).toBeVisible()
      await expect(row.getByTestId('unrealized-pnl-compact')).toBeHidden()
      await expect(page.getByRole('table', { name: 'Open positions' }).getByRole('columnheader', { name: 'Mark' })).toBeVisible()
      await expect(page.locator('tr[data-levels-of]').first()).toBeHidden()
      // The open-position form keeps its two columns.
      const t = (await form.getByLabel('Trader').boundingBox())!
      const s = (await form.getByLabel('Symbol').boundingBox())!
      expect(Math.abs(s.y - t.y)).toBeLessThan(2)
    }
    if (p.name === 'traders') {
      await expect(page.getByTestId('trader-equity-compact').first()).toBeHidden()
      await expect(page.getByRole('table', { name: 'Traders' }).getByRole('columnheader', { name: 'Balances' })).toBeVisible()
      await expect(page.locator('tr[data-balances-of]').first()).toBeHidden()
    }
    if (p.name === 'trader-detail') {
      await expect(page.getByRole('table', { name: 'Recent risk events' }).getByRole('columnheader', { name: 'Message' })).toBeVisible()
      await expect(page.locator('tr[data-risk-event-of]').first()).toBeHidden()
    }
    if (p.name === 'performance') {
      await expect(page.getByTestId('breakdown-pnl-compact').first()).toBeHidden()
      await expect(page.locator('tr[data-figures-of]').first()).toBeHidden()
    }
    if (p.name === 'trades') {
      await expect(page.getByTestId('closed-trade-compact').first()).toBeHidden()
      await expect(page.getByRole('table', { name: 'Closed trades' }).getByRole('columnheader', { name: 'Exit' })).toBeVisible()
      await expect(page.locator('tr[data-trade-of]').first()).toBeHidden()
    }
    if (p.name === 'settings') {
      await expect(page.getByRole('table', { name: 'API tokens' }).getByRole('columnheader', { name: 'Created (UTC)' })).toBeVisible()
      await expect(page.getByTestId('token-details-compact').first()).toBeHidden()
      await expect(page.getByTestId('user-details-compact').first()).toBeHidden()
    }
    if (p.name === 'logs') {
      await expect(page.getByRole('table', { name: 'Log lines' }).getByRole('cell', { name: /^Entry filled/ }).first()).toBeVisible()
      await expect(page.getByTestId('log-message-row').first()).toBeHidden()
      await expect(page.getByTestId('log-level-compact').first()).toBeHidden()
      await expect(page.getByRole('table', { name: 'Log lines' }).getByRole('columnheader', { name: 'Level' })).toBeVisible()
    }
    if (p.name === 'position-detail') {
      // The audit trail has its message column again, and no rows of messages under the events.
      await expect(page.getByRole('table', { name: 'Audit trail' }).getByRole('cell', { name: /^Entry filled/ })).toBeVisible()
      await expect(page.getByTestId('event-message-row').first()).toBeHidden()
      await expect(page.getByRole('table', { name: 'Audit trail' }).getByRole('columnheader', { name: 'From → to' })).toBeVisible()
      await expect(page.getByRole('table', { name: 'Orders' }).getByRole('columnheader', { name: 'Status' })).toBeVisible()
      await expect(page.locator('tr[data-order-of]').first()).toBeHidden()
      await expect(page.locator('tr[data-fill-of]').first()).toBeHidden()
    }
    await expectNoHorizontalOverflow(page, `${p.name} at ${DESKTOP.width}`)
    await expectEveryTableFits(page, `${p.name} at ${DESKTOP.width}`)
    await shot(page, p.name, DESKTOP.width)
  }

  // Tablets: the nav is behind the Menu button until every link fits (1,280 px), and the widest
  // tables keep their compact rows until their columns fit; nothing scrolls sideways.
  for (const width of [768, 1024]) {
    await page.setViewportSize({ width, height: 900 })
    for (const p of pages) {
      await page.goto(`${app.url}${p.path}`)
      await expect(page.getByRole('heading', { level: 1, name: p.heading }).first()).toBeVisible()
      await expect(menuButton).toBeVisible()
      if (p.name === 'decisions') await expect(page.getByRole('table', { name: 'Decision journal' }).locator('tr[data-explanation-of]').first()).toBeVisible()
      if (p.name === 'position-detail') await expect(page.getByTestId('event-message-row').first()).toBeVisible()
      await expectNoHorizontalOverflow(page, `${p.name} at ${width}`)
      await expectEveryTableFits(page, `${p.name} at ${width}`)
    }
  }
})
