import { expect, test, type Page } from '@playwright/test'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { decisionFromPrompt, lastUserText, startFakeOpenAI, type FakeLlmServer } from '../support/fake-openai'
import { fakeMarketEnv } from './support/app-process'
import { ADMIN, signIn, useSpecApp } from './support/spec-app'
import { expectEveryTableFits } from './support/table-fits'
import { expectInWindow } from './support/in-window'

// Issues 3 and 4 through the real start command, pages and browser: a trader pointed at a local
// OpenAI-compatible server decides, opens and manages a position; entries wait for approval;
// panic flattens everything live. Prices come from a local Binance-compatible server via ccxt.
let fake: FakeBinance
let llm: FakeLlmServer

test.describe.configure({ mode: 'serial' })

const app = useSpecApp({
  name: 'ai',
  setUp: async () => {
    fake = await startFakeBinance()
    llm = await startFakeOpenAI({ apiKey: 'sk-e2e-0123456789' })
  },
  env: (dataDir) => fakeMarketEnv({ port: 3211, pgPortFrom: 21_100, dataDir, marketUrl: fake.url, admin: ADMIN }),
  tearDown: async () => {
    await llm?.close()
    await fake?.close()
  },
})

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true })
// Waits until the request is taken: leaving the page at once can cancel the action's request. A
// click before the page has hydrated sends nothing, so it is clicked again, but only then: a
// second request would run a second cycle.
async function analyzeNow(page: Page) {
  await expect(async () => {
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.headers()['next-action'] !== undefined, { timeout: 5000 })
    await page.getByRole('button', { name: 'Analyze now' }).click()
    await sent
  }).toPass({ timeout: 20_000 })
  await expect(page.getByRole('status').filter({ hasText: /Analysis of .* requested: the worker runs it now/ })).toBeVisible({ timeout: 15_000 })
}
const onlyBtc = (req: Parameters<typeof decisionFromPrompt>[0]) =>
  /BTC\/USDT/.test(lastUserText(req.messages).slice(0, 400)) ? decisionFromPrompt(req) : decisionFromPrompt({ messages: [{ role: 'user', content: '' }] })

test('a trader pointed at an OpenAI-compatible endpoint decides, opens and manages a position; the journal explains it', async ({ page }) => {
  llm.setResponder((req) => {
    const r = onlyBtc(req)
    // Anything that is not a BTC entry is "no trade", so only BTC opens here.
    return 'json' in r ? r : { json: { symbol: 'ETH/USDT', reasoning: 'nothing to do', action: 'NO_TRADE', confidence: 0.5 } }
  })
  await signIn(page, app)

  await page.goto(`${app.url}/traders`)
  await page.getByLabel('Name').fill('AI Trader')
  await page.getByLabel('Quote currency').fill('USDT')
  await page.getByLabel('Starting balance').fill('10000')
  await page.getByLabel('Watchlist').fill('BTC/USDT')
  // Off until it is pointed at the model, so the built-in rules do not trade first.
  await page.getByLabel('Trade automatically (built-in rules)').uncheck()
  await page.getByRole('button', { name: 'Create trader' }).click()
  await page.getByRole('link', { name: 'AI Trader' }).first().click()

  // Point it at the local endpoint, prove the connection, then ask for a decision now.
  await page.getByLabel('Provider').selectOption('OPENAI_COMPATIBLE')
  await page.getByLabel('Base URL').fill(llm.url)
  await page.getByLabel('Model').fill('fake-model')
  await page.getByLabel('API key').fill('sk-e2e-0123456789')
  await page.getByRole('button', { name: 'Save AI connection' }).click()
  // The save says so, and the form then shows only the masked key as stored.
  const aiForm = page.getByRole('form', { name: 'AI connection settings' })
  await expect(aiForm.getByText('Saved. API key ••••6789.')).toBeVisible()
  await expect(aiForm.locator('#trader-apiKey-hint')).toContainText('Stored encrypted: ••••6789.')
  await page.getByRole('button', { name: 'Test connection' }).click()
  await expect(page.getByTestId('connection-test-result')).toContainText('Connection OK')
  await page.getByLabel('Trade automatically', { exact: true }).check()
  await page.getByRole('button', { name: 'Save automation settings' }).click()
  await analyzeNow(page)

  // The decision shows up in the journal with its validation and what was executed.
  await page.getByRole('link', { name: 'Decisions' }).first().click()
  const journal = page.getByRole('table', { name: 'Decision journal' })
  // The executed entry's row: "LONG" alone would also match a later "no trade" row (its checks
  // list the valid actions), and the scheduled cycle and "Analyze now" may both have run.
  const longRow = journal.locator('tr[data-outcome="EXECUTED"]').filter({ hasText: 'BTC/USDT' })
  await expect(longRow.first()).toBeVisible()
  await expect(longRow.first()).toContainText('EXECUTED')
  await shot(page, 'ai-1-journal')
  // On a phone the gist (action, confidence, outcome, a way to the detail) is under the symbol, in
  // the window; the columns it comes from are off to the right.
  const desktop = page.viewportSize()!
  await expect(longRow.first().getByTestId('decision-compact')).toBeHidden()
  await page.setViewportSize({ width: 390, height: 844 })
  const gist = longRow.first().getByTestId('decision-compact')
  await expect(gist).toBeInViewport({ ratio: 1 })
  await expect(gist).toContainText('LONG')
  await expect(gist).toContainText('EXECUTED')
  await expect(gist.getByRole('link', { name: 'details' })).toHaveAttribute('href', /^\/decisions\/.+/)
  // The model's reasoning, in the Decision column on a wide screen, is in a row under the entry.
  const reasoning = journal.locator(`tr[data-explanation-of="${await longRow.first().getAttribute('data-decision-id')}"]`).getByRole('cell')
  await expect(reasoning).toContainText('Fake model: entry at ask')
  await expect(reasoning).toContainText('Valid · ')
  // The sizing's unrounded result, to 8 places (exact in its title).
  await expect(reasoning).toContainText(/Sized 0\.\d{1,8} \(≈/)
  await expect(reasoning.getByRole('list', { name: 'Executed steps' })).toContainText(/EXECUTED\s*LONG .* BTC\/USDT at market/)
  await expect(reasoning.getByRole('list', { name: 'Validation constraints' })).toHaveCount(0)
  await expectInWindow(reasoning, 'the reasoning row')
  await expect(journal.getByRole('columnheader', { name: 'Decision' })).toBeHidden()
  await shot(page, 'ai-1-journal-phone')
  await page.setViewportSize(desktop)
  await expect(reasoning).toBeHidden()
  await expect(longRow.first().getByRole('cell').filter({ hasText: 'Fake model: entry at ask' })).toBeVisible()
  await longRow.first().getByRole('link', { name: 'Raw prompt and response' }).click()
  await expect(page.getByText('trade-decision.v1').first()).toBeVisible()
  await expect(page.getByText('Fake model: entry at ask').first()).toBeVisible()

  // The position is open with the model's stop; the model then tightens it.
  await page.goto(`${app.url}/`)
  const positions = page.getByRole('region', { name: 'Open positions' })
  await expect(positions.getByRole('row').filter({ hasText: 'BTC/USDT' })).toBeVisible()
  llm.setResponder(() => ({ json: { symbol: 'BTC/USDT', reasoning: 'Tighten the stop to 59700 under the recent low.', action: 'NO_TRADE', confidence: 0.75, modifications: [{ type: 'MOVE_SL', price: 59700 }] } }))
  await page.goto(`${app.url}/traders`)
  await page.getByRole('link', { name: 'AI Trader' }).first().click()
  await analyzeNow(page)
  await page.goto(`${app.url}/`)
  await positions.getByRole('row').filter({ hasText: 'BTC/USDT' }).getByRole('link', { name: 'BTC/USDT' }).click()
  await expect(page.getByText(/Stop loss moved from .* to 59700/).first()).toBeVisible()
  await expect(page.getByText('AI_ANALYSIS').first()).toBeVisible()
  // On a phone the position's decisions have their reasoning in a row under each, in the window.
  await page.setViewportSize({ width: 390, height: 844 })
  // The one that moved the stop: a second cycle may run with this answer (the click is retried
  // until its status shows) and, the stop being there already, execute nothing.
  const tighten = page
    .getByRole('table', { name: 'Position decisions' })
    .locator('tr[data-explanation-of]')
    .filter({ hasText: 'Tighten the stop to 59700' })
    .filter({ has: page.locator('li[data-step-status="EXECUTED"]') })
    .getByRole('cell')
  await expectInWindow(tighten, 'the stop move reasoning row')
  await shot(page, 'ai-2-position-decisions-phone')
  // Performance, on a phone: the decision tables fit the window, each row's figures under it.
  const positionUrl = page.url()
  await page.goto(`${app.url}/performance`)
  const entryFigures = page.getByRole('table', { name: 'Performance by decision type' }).locator('tr[data-figures-of^="OPENAI_COMPATIBLE-LONG-"]').getByRole('cell')
  await expect(entryFigures).toContainText(/^decisions 1 · closed 0 · wins 0 \(—\) · total .+ · open 1$/)
  await expect(page.getByRole('table', { name: 'Decision outcomes by provider' }).locator('tr[data-outcomes-of="OPENAI_COMPATIBLE"]').getByRole('cell')).toContainText(/Executed \d+/)
  await expectEveryTableFits(page, 'performance with decisions at 390')
  await page.setViewportSize(desktop)
  await expect(entryFigures).toBeHidden()
  await page.goto(positionUrl)
  await expect(tighten).toBeHidden()

  // The rule engine manages it too: +1.5% moves the stop to breakeven on its own.
  fake.setPrice('BTC/USDT', '60950.00', '60950.01')
  await expect(page.getByText(/breakeven/i).first()).toBeVisible()
  await expect(page.getByText('RULE_ENGINE').first()).toBeVisible()
  await shot(page, 'ai-2-managed-position')
})

test('entries wait for approval: approve from the badge, reject with a note; panic closes everything live', async ({ page }) => {
  llm.setResponder(decisionFromPrompt)
  await signIn(page, app)
  await page.goto(`${app.url}/traders`)
  await page.getByRole('link', { name: 'AI Trader' }).first().click()
  await page.getByLabel('Approve entries').check()
  await page.getByRole('button', { name: 'Save approval settings' }).click()
  await expect(page.getByLabel('Approve entries')).toBeChecked()
  // Two more symbols to trade: each proposal waits for a person.
  await page.getByLabel('Watchlist').fill('BTC/USDT, ETH/USDT, SOL/USDT')
  await page.getByRole('button', { name: 'Save trader' }).click()
  await analyzeNow(page)

  const badge = page.getByLabel('2 approvals waiting')
  await expect(badge).toBeVisible()
  await badge.click()
  await expect(page).toHaveURL(/\/approvals/)
  await shot(page, 'ai-3-approvals')

  const eth = page.getByRole('article', { name: 'Approval ETH/USDT ENTRY' })
  await eth.getByRole('button', { name: 'Approve', exact: true }).click()
  const sol = page.getByRole('article', { name: 'Approval SOL/USDT ENTRY' })
  await sol.getByLabel('Rejection note').fill('Not in this market')
  await sol.getByRole('button', { name: 'Reject', exact: true }).click()
  await expect(page.getByLabel('0 approvals waiting').or(page.getByText('No approvals waiting'))).toBeVisible()
  await expect(page.getByText('Not in this market').first()).toBeVisible()
  // On a phone a decided request's status is under its symbol, in the window.
  const viewport = page.viewportSize()!
  await page.setViewportSize({ width: 390, height: 844 })
  const rejected = page.getByRole('row', { name: 'Decided SOL/USDT ENTRY' }).getByTestId('approval-status-compact')
  await expect(rejected).toHaveText('REJECTED')
  await rejected.scrollIntoViewIfNeeded()
  await expect(rejected).toBeInViewport({ ratio: 1 })
  // So are its note and result, which a wide screen shows in their columns.
  const solId = await page.getByRole('row', { name: 'Decided SOL/USDT ENTRY' }).getAttribute('data-approval-id')
  const outcome = page.locator(`tr[data-result-of="${solId}"]`).getByRole('cell')
  await expect(outcome).toContainText('LONG 6.675 SOL/USDT at market')
  await expect(outcome).toContainText('Note: Not in this market')
  await expect(outcome).toContainText('nothing executed')
  await expect(outcome).toBeInViewport({ ratio: 1 })
  await shot(page, 'ai-3-approvals-phone')
  await page.setViewportSize(viewport)
  await expect(rejected).toBeHidden()
  await expect(outcome).toBeHidden()

  await page.goto(`${app.url}/`)
  const positions = page.getByRole('region', { name: 'Open positions' })
  await expect(positions.getByRole('row').filter({ hasText: 'ETH/USDT' })).toBeVisible()
  await expect(positions.getByRole('row').filter({ hasText: 'BTC/USDT' })).toBeVisible()
  await expect(positions.getByRole('row').filter({ hasText: 'SOL/USDT' })).toHaveCount(0)

  // Panic: one confirmation, then the positions close live and trading stays halted.
  await page.getByRole('button', { name: 'Panic: close everything' }).click()
  await page.getByRole('alertdialog', { name: 'Confirm panic' }).getByRole('button', { name: 'Yes, close everything' }).click()
  await expect(page.getByRole('table', { name: 'Panic report' })).toContainText('CLOSED')
  await expect(positions.getByText('No open positions')).toBeVisible()
  await expect(page.getByRole('alert', { name: 'Trading halted' })).toBeVisible()
  await shot(page, 'ai-4-panic')

  // Re-enabling with a session that has ended is refused, and the banner says so (trading stays halted).
  await page.context().clearCookies()
  const halt = page.getByRole('alert', { name: 'Trading halted' })
  await expect(halt).toContainText('the halted accounts, and traders a panic halted; paused traders and risk-breaker stops stay as they are')
  await halt.getByRole('button', { name: 'Re-enable trading' }).click()
  await expect(halt).toContainText('Your session has ended. Sign in again.')
  await expect(halt.getByRole('button', { name: 'Re-enable trading' })).toBeEnabled()
})
