import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EVENTS_CHANNEL, type AppEvent } from '@/lib/server/events/notify'
import { buildOpenApiDocument } from '@/lib/server/openapi/openapi-document'
import { openSecret } from '@/lib/server/secrets/secret-box'
import { USER_RISK_LIMIT_DEFAULTS } from '@/lib/server/settings/user-risk-settings'
import { createTrader } from '@/lib/server/traders/create-trader'
import { readTraderSettings, ZAiSettings, ZApprovalSettings, ZManagementRules, ZRiskLimits } from '@/lib/server/traders/trader-settings'
import { loadRecentRiskEvents, TRADER_SETTING_DEFAULTS } from '@/lib/server/traders/trader-settings-view'
import { updateTraderSettings } from '@/lib/server/traders/update-trader-settings'
import { apiUser, call, fieldsOf, startApiDatabase } from '@/tests/integration/api/api-harness'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'
import { waitFor } from '@/tests/support/wait-for'

// Trader settings, the API key, pause/resume, "analyze now" and the user-wide risk settings,
// through the real route handlers on a real PostgreSQL.

type Handler = Parameters<typeof call>[0]
let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let bob: { id: string; token: string }
let routes: {
  settings: typeof import('@/app/api/v1/traders/[id]/settings/route')
  test: typeof import('@/app/api/v1/traders/[id]/test-connection/route')
  analyze: typeof import('@/app/api/v1/traders/[id]/analyze/route')
  pause: typeof import('@/app/api/v1/traders/[id]/pause/route')
  resume: typeof import('@/app/api/v1/traders/[id]/resume/route')
  risk: typeof import('@/app/api/v1/risk-settings/route')
}

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  bob = await apiUser(t, 'bob@example.com')
  routes = {
    settings: await import('@/app/api/v1/traders/[id]/settings/route'),
    test: await import('@/app/api/v1/traders/[id]/test-connection/route'),
    analyze: await import('@/app/api/v1/traders/[id]/analyze/route'),
    pause: await import('@/app/api/v1/traders/[id]/pause/route'),
    resume: await import('@/app/api/v1/traders/[id]/resume/route'),
    risk: await import('@/app/api/v1/risk-settings/route'),
  }
})
afterAll(() => t?.stop())

let fake: FakeLlmServer | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

let seq = 0
async function newTrader(userId = alice.id) {
  return createTrader({ db: t.db, userId, input: { name: `T${++seq}`, quoteCurrency: 'USDT', startingBalance: '1000', watchlist: 'BTC/USDT, ETH/USDT' } })
}

const getSettings = (id: string, token = alice.token) => call(routes.settings.GET as Handler, 'GET', `/api/v1/traders/${id}/settings`, { token, id })
const patch = (id: string, body: unknown, token = alice.token) => call(routes.settings.PATCH as Handler, 'PATCH', `/api/v1/traders/${id}/settings`, { token, id, body })
const post = (h: Handler, id: string, path: string, body?: unknown, token = alice.token) => call(h, 'POST', `/api/v1/traders/${id}/${path}`, { token, id, body })

/** Every column a settings PATCH may write, to prove a refused one wrote nothing. */
async function settingsRow(id: string) {
  const r = await t.db.trader.findUniqueOrThrow({ where: { id } })
  const { autoTrade, dryRun, provider, aiSettings, aiApiKeyEnc, management, sizing, riskLimits, approvals, nextCycleAt, status, statusReason } = r
  return { autoTrade, dryRun, provider, aiSettings, aiApiKeyEnc, management, sizing, riskLimits, approvals, nextCycleAt, status, statusReason }
}

/** LISTENs on the channel the worker and the web listen on. */
async function listen() {
  const client = new pg.Client({ connectionString: t.url })
  await client.connect()
  await client.query(`LISTEN ${EVENTS_CHANNEL}`)
  const events: AppEvent[] = []
  client.on('notification', (n) => events.push(JSON.parse(n.payload ?? '{}') as AppEvent))
  return {
    events,
    next: (pred: (e: AppEvent) => boolean, what: string) => waitFor(async () => events.find(pred), what, 5_000),
    close: () => client.end(),
  }
}

describe('GET /api/v1/traders/{id}/settings', () => {
  it('returns the defaults of a new trader, with no key and its state', async () => {
    const tr = await newTrader()
    const res = await getSettings(tr.id)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      traderId: tr.id,
      name: tr.name,
      quoteCurrency: 'USDT',
      autoTrade: true,
      dryRun: false,
      provider: 'RULES',
      apiKey: { set: false, masked: null },
      ...TRADER_SETTING_DEFAULTS,
      state: { traderId: tr.id, status: 'ACTIVE', statusReason: null, accountHalted: false, lastCycleAt: null, lastCycleError: null },
    })
    // The shown defaults are the schemas' own, e.g. a 10% position cap and 1% risk sizing.
    expect(res.body.risk).toMatchObject({ maxPositionPctEquity: '10', maxPositionQuote: null, maxConcurrentPositions: 3 })
    expect(res.body.sizing).toEqual({ mode: 'RISK_PCT', riskPct: '1' })
    expect(res.body.ai).toMatchObject({ intervalMinutes: 5, timeframes: ['1m', '15m'], minConfidence: '0.6', allowShort: true })
    // Every setting of every group is shown (the response schema drops nothing).
    expect(Object.keys(res.body.ai).sort()).toEqual(Object.keys(ZAiSettings.shape).filter((k) => k !== 'baseUrl' && k !== 'model').sort())
    expect(Object.keys(res.body.management).sort()).toEqual(Object.keys(ZManagementRules.shape).sort())
    expect(Object.keys(res.body.risk).sort()).toEqual(Object.keys((ZRiskLimits as unknown as { shape: object }).shape).sort())
    expect(Object.keys(res.body.approvals).sort()).toEqual(Object.keys(ZApprovalSettings.shape).sort())
  })

  it('shows why a trader is stopped and how its last cycle went', async () => {
    const tr = await newTrader()
    const at = new Date('2030-01-02T03:04:05Z')
    await t.db.trader.update({
      where: { id: tr.id },
      data: { status: 'PAUSED', statusReason: 'daily loss limit 3% reached', statusCause: 'BREAKER', statusChangedAt: at, lastCycleAt: at, nextCycleAt: new Date(at.getTime() + 300_000), lastCycleError: 'BTC/USDT: The server refused the API key (HTTP 401).' },
    })
    const res = await getSettings(tr.id)
    expect(res.body.state).toEqual({
      traderId: tr.id,
      status: 'PAUSED',
      statusReason: 'daily loss limit 3% reached',
      statusCause: 'BREAKER',
      statusChangedAt: '2030-01-02T03:04:05.000Z',
      accountHalted: false,
      accountHaltedReason: null,
      autoTrade: true,
      dryRun: false,
      lastCycleAt: '2030-01-02T03:04:05.000Z',
      nextCycleAt: '2030-01-02T03:09:05.000Z',
      lastCycleError: 'BTC/USDT: The server refused the API key (HTTP 401).',
    })
  })

  it('answers 401 without credentials and 404 for another user’s trader', async () => {
    const tr = await newTrader()
    expect((await getSettings(tr.id, '')).status).toBe(401)
    expect((await getSettings(tr.id, bob.token)).status).toBe(404)
    expect((await patch(tr.id, { dryRun: true }, bob.token)).status).toBe(404)
    expect((await settingsRow(tr.id)).dryRun).toBe(false)
  })
})

describe('PATCH /api/v1/traders/{id}/settings', () => {
  it('changes every group, merging each over what is stored, and records what changed', async () => {
    const tr = await newTrader()
    const lastCycleAt = new Date(Date.now() - 60_000)
    await t.db.trader.update({ where: { id: tr.id }, data: { lastCycleAt, nextCycleAt: new Date(Date.now() + 3_600_000) } })
    const res = await patch(tr.id, {
      autoTrade: false,
      dryRun: true,
      ai: { intervalMinutes: 15, timeframes: ['5m', '1h'], minConfidence: '0.75', maxStopDistancePct: 4, allowShort: false, dailyCostBudgetUsd: '2.5', dailyTokenBudget: 200000 },
      management: { breakevenAtPct: '', trailingAtrMult: '2.5', tightenAfterMinutes: 240, tightenToPct: '0.8' },
      sizing: { mode: 'FIXED_QUOTE', amount: '250' },
      risk: { maxPositionPctEquity: '', maxTradesPerDay: '5', dailyLossLimitQuote: '150.50' },
      approvals: { entries: true, expiryMinutes: 30 },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      autoTrade: false,
      dryRun: true,
      ai: { intervalMinutes: 15, timeframes: ['5m', '1h'], minConfidence: '0.75', maxStopDistancePct: '4', allowShort: false, dailyCostBudgetUsd: '2.5', dailyTokenBudget: 200000, timeoutMs: 30000 },
      management: { breakevenAtPct: null, breakevenOffsetPct: '0.2', trailingPct: '2', trailingAtrMult: '2.5', tightenAfterMinutes: 240, tightenToPct: '0.8' },
      sizing: { mode: 'FIXED_QUOTE', amount: '250' },
      // Blank turned the cap off; the limits not given kept their values.
      risk: { maxPositionPctEquity: null, maxTradesPerDay: 5, dailyLossLimitQuote: '150.5', maxConcurrentPositions: 3, dailyLossLimitPct: '3' },
      approvals: { entries: true, exits: false, modifications: false, expiryMinutes: 30 },
      state: { autoTrade: false, dryRun: true },
    })
    expect((await getSettings(tr.id)).body).toEqual(res.body)

    // Stored as JSON with exact decimal strings; the trading code reads exact Decimals back.
    const row = await t.db.trader.findUniqueOrThrow({ where: { id: tr.id } })
    expect(row.sizing).toEqual({ mode: 'FIXED_QUOTE', amount: '250' })
    const read = readTraderSettings(row)
    expect(read.risk.dailyLossLimitQuote?.toFixed()).toBe('150.5')
    expect(read.ai.minConfidence.toFixed()).toBe('0.75')
    // The new interval counts from the last cycle, not from the one already scheduled.
    expect(row.nextCycleAt?.getTime()).toBe(lastCycleAt.getTime() + 15 * 60_000)

    const activity = await t.db.activityEvent.findMany({ where: { traderId: tr.id, type: 'TRADER_SETTINGS_CHANGED' } })
    expect(activity).toHaveLength(1)
    expect(activity[0].message).toBe(`${tr.name} settings changed: automatic trading off, dry run on, AI settings, stop management, sizing, risk limits, approvals`)
  })

  it('accepts what a form sends: strings, and an empty body group changes nothing', async () => {
    const tr = await newTrader()
    const before = await settingsRow(tr.id)
    const res = await updateTraderSettings({ db: t.db, userId: alice.id, traderId: tr.id, input: { ai: { intervalMinutes: '60', maxRetries: '0', baseUrl: '' }, risk: {} } })
    expect(res.ai).toMatchObject({ intervalMinutes: 60, maxRetries: 0 })
    expect(res.ai.baseUrl).toBeUndefined()
    expect((await settingsRow(tr.id)).riskLimits).toEqual(TRADER_SETTING_DEFAULTS.risk)
    expect(before.riskLimits).toEqual({})
    // A base URL set and cleared again reads back as unset (and the rest of the group survives).
    await updateTraderSettings({ db: t.db, userId: alice.id, traderId: tr.id, input: { ai: { baseUrl: 'http://127.0.0.1:11434/v1' } } })
    const cleared = await updateTraderSettings({ db: t.db, userId: alice.id, traderId: tr.id, input: { ai: { baseUrl: '' } } })
    expect(cleared.ai.baseUrl).toBeUndefined()
    expect(cleared.ai.intervalMinutes).toBe(60)
  })

  it.each([
    ['a sizing risk % of 0', { sizing: { mode: 'RISK_PCT', riskPct: '0' } }, ['sizing.riskPct']],
    ['a position cap over 100% of equity', { risk: { maxPositionPctEquity: '500' } }, ['risk.maxPositionPctEquity']],
    ['a trade count that is not a number', { risk: { maxTradesPerDay: 'many' } }, ['risk.maxTradesPerDay']],
    ['an interval under 1 minute', { ai: { intervalMinutes: 0 } }, ['ai.intervalMinutes']],
    ['an interval over 24 hours', { ai: { intervalMinutes: 1441 } }, ['ai.intervalMinutes']],
    ['no timeframe', { ai: { timeframes: [] } }, ['ai.timeframes']],
    ['an unknown timeframe', { ai: { timeframes: ['2m'] } }, ['ai.timeframes.0']],
    ['a base URL that is not a URL', { ai: { baseUrl: 'localhost 11434' } }, ['ai.baseUrl']],
    ['a blank minimum confidence', { ai: { minConfidence: '' } }, ['ai.minConfidence']],
    ['a confidence above 1', { ai: { minConfidence: '1.5' } }, ['ai.minConfidence']],
    ['a trailing stop of 99%', { management: { trailingPct: '99' } }, ['management.trailingPct']],
    ['an approval expiry of 0', { approvals: { expiryMinutes: 0 } }, ['approvals.expiryMinutes']],
    ['a sizing mode without its amount', { sizing: { mode: 'FIXED_QUOTE' } }, ['sizing.amount']],
    ['an unknown limit (a typo)', { risk: { maxPositionPct: '5' } }, ['risk.maxPositionPct']],
    ['an unknown group', { riskLimits: { maxPositionPctEquity: '5' } }, ['riskLimits']],
    ['a group that is not an object', { risk: '5' }, ['risk']],
    ['an unknown provider', { provider: 'GPT' }, ['provider']],
    ['autoTrade as a string', { autoTrade: 'yes' }, ['autoTrade']],
    ['a good group next to two bad ones', { ai: { intervalMinutes: 30 }, sizing: { mode: 'EQUITY_PCT', pct: '0' }, risk: { maxDrawdownPct: '-1' } }, ['risk.maxDrawdownPct', 'sizing.pct']],
  ])('answers 400 naming the field for %s, and writes nothing', async (_label, body, fields) => {
    const tr = await newTrader()
    const before = await settingsRow(tr.id)
    const res = await patch(tr.id, body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body).sort()).toEqual(fields)
    expect(await settingsRow(tr.id)).toEqual(before)
    expect(await t.db.activityEvent.count({ where: { traderId: tr.id, type: 'TRADER_SETTINGS_CHANGED' } })).toBe(0)
  })

  it('answers 400 for malformed JSON', async () => {
    const tr = await newTrader()
    const res = await call(routes.settings.PATCH as Handler, 'PATCH', '/', { token: alice.token, id: tr.id, rawBody: '{"ai": ' })
    expect(res.status).toBe(400)
  })
})

describe('the provider and its API key', () => {
  const KEY = 'sk-live-abcdefghijklmnop-9f3a'

  it('seals the key in the database, shows it masked and never returns it', async () => {
    const tr = await newTrader()
    const set = await call(routes.settings.PATCH as Handler, 'PATCH', '/', {
      token: alice.token,
      id: tr.id,
      body: { provider: 'OPENAI_COMPATIBLE', apiKey: KEY, ai: { model: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:11434/v1' } },
    })
    expect(set.status).toBe(200)
    expect(set.body.provider).toBe('OPENAI_COMPATIBLE')
    expect(set.body.apiKey).toEqual({ set: true, masked: '••••9f3a' })
    expect(JSON.stringify(set.body)).not.toContain(KEY)

    const row = await t.db.trader.findUniqueOrThrow({ where: { id: tr.id } })
    expect(row.aiApiKeyEnc).toMatch(/^v1\./)
    expect(row.aiApiKeyEnc).not.toContain(KEY)
    expect(row.aiApiKeyEnc).not.toContain('abcdefghijklmnop')
    expect(openSecret(row.aiApiKeyEnc!)).toBe(KEY)
    expect(JSON.stringify(row.aiSettings)).not.toContain(KEY)

    const got = await getSettings(tr.id)
    expect(JSON.stringify(got.body)).not.toContain(KEY)
    expect(got.body.apiKey).toEqual({ set: true, masked: '••••9f3a' })
    const activity = await t.db.activityEvent.findMany({ where: { userId: alice.id } })
    expect(activity.map((a) => a.message).join('\n')).not.toContain(KEY)
    expect(activity.find((a) => a.traderId === tr.id)?.message).toContain('API key replaced')

    // An empty key keeps the stored one (the form sends '' when the field is left blank).
    const kept = await patch(tr.id, { apiKey: '', ai: { model: 'gpt-4o' } })
    expect(kept.status).toBe(200)
    expect(kept.body.apiKey).toEqual({ set: true, masked: '••••9f3a' })
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: tr.id } })).aiApiKeyEnc).toBe(row.aiApiKeyEnc)

    // Setting and clearing at once is refused; clearApiKey alone removes it.
    const both = await patch(tr.id, { apiKey: 'sk-other-000000000', clearApiKey: true })
    expect(both.status).toBe(400)
    expect(fieldsOf(both.body)).toEqual(['clearApiKey'])
    expect(JSON.stringify(both.body)).not.toContain('sk-other')
    const cleared = await patch(tr.id, { clearApiKey: true })
    expect(cleared.status).toBe(200)
    expect(cleared.body.apiKey).toEqual({ set: false, masked: null })
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: tr.id } })).aiApiKeyEnc).toBeNull()
  })

  it('a short key is masked entirely', async () => {
    const tr = await newTrader()
    const res = await patch(tr.id, { provider: 'ANTHROPIC', apiKey: 'k-1234', ai: { model: 'claude-x' } })
    expect(res.body.apiKey).toEqual({ set: true, masked: '••••' })
    expect(JSON.stringify(res.body)).not.toContain('k-1234')
  })

  it.each([
    ['OPENAI_COMPATIBLE', { provider: 'OPENAI_COMPATIBLE' }],
    ['ANTHROPIC with a blank model', { provider: 'ANTHROPIC', ai: { model: '' } }],
  ])('refuses an LLM provider without a model (%s): 400 ai.model, nothing written', async (_label, body) => {
    const tr = await newTrader()
    const before = await settingsRow(tr.id)
    const res = await patch(tr.id, { ...body, apiKey: KEY })
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['ai.model'])
    expect(JSON.stringify(res.body)).not.toContain(KEY)
    expect(await settingsRow(tr.id)).toEqual(before)
  })

  it('going back to the built-in rules needs no model', async () => {
    const tr = await newTrader()
    await patch(tr.id, { provider: 'OPENAI_COMPATIBLE', ai: { model: 'm' } })
    const res = await patch(tr.id, { provider: 'RULES', ai: { model: '' } })
    expect(res.status).toBe(200)
    expect(res.body.provider).toBe('RULES')
  })
})

describe('POST /api/v1/traders/{id}/test-connection', () => {
  const KEY = 'sk-test-conn-0011223344556677'

  it('makes a real call with the saved settings and reports success', async () => {
    fake = await startFakeOpenAI({ apiKey: KEY, models: ['llama3.1:8b'] })
    fake.script([{ content: 'OK' }])
    const tr = await newTrader()
    await patch(tr.id, { provider: 'OPENAI_COMPATIBLE', apiKey: KEY, ai: { model: 'llama3.1:8b', baseUrl: fake.url } })
    const res = await post(routes.test.POST as Handler, tr.id, 'test-connection')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ ok: true, model: 'llama3.1:8b' })
    expect(res.body.message).toContain('answered "OK"')
    expect(fake.requests).toHaveLength(1)
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`)
    expect(JSON.stringify(res.body)).not.toContain(KEY)
  })

  it('reports a refused key (401) plainly as a failed result, without the key', async () => {
    fake = await startFakeOpenAI({ apiKey: 'sk-the-right-one-000000000' })
    const tr = await newTrader()
    await patch(tr.id, { provider: 'OPENAI_COMPATIBLE', apiKey: KEY, ai: { model: 'fake-model', baseUrl: fake.url } })
    const res = await post(routes.test.POST as Handler, tr.id, 'test-connection')
    expect(res.status).toBe(200)
    expect(res.body.ok).toBe(false)
    expect(res.body.message).toContain('refused the API key (HTTP 401)')
    expect(JSON.stringify(res.body)).not.toContain(KEY)
  })

  it('tests unsaved form values (a typed key, another model) without saving them', async () => {
    fake = await startFakeOpenAI({ apiKey: KEY, models: ['qwen2.5'] })
    fake.script([{ content: 'OK' }])
    const tr = await newTrader()
    const before = await settingsRow(tr.id)
    const res = await post(routes.test.POST as Handler, tr.id, 'test-connection', { provider: 'OPENAI_COMPATIBLE', apiKey: KEY, ai: { model: 'qwen2.5', baseUrl: fake.url, timeoutMs: '5000' } })
    expect(res.body).toMatchObject({ ok: true, model: 'qwen2.5' })
    expect(await settingsRow(tr.id)).toEqual(before)
  })

  it.each([
    ['the built-in rules', {}, ['provider']],
    ['an LLM provider without a model', { provider: 'ANTHROPIC' }, ['ai.model']],
    ['a bad timeout', { provider: 'OPENAI_COMPATIBLE', ai: { model: 'm', timeoutMs: 5 } }, ['ai.timeoutMs']],
  ])('answers 400 for %s', async (_label, body, fields) => {
    const tr = await newTrader()
    const res = await post(routes.test.POST as Handler, tr.id, 'test-connection', body)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(fields)
  })
})

describe('pause and resume', () => {
  it('pause stops the trader with a reason and notifies; resume is a person’s act that notifies too', async () => {
    const tr = await newTrader()
    const bus = await listen()
    try {
      const paused = await post(routes.pause.POST as Handler, tr.id, 'pause', { reason: 'checking the model' })
      expect(paused.status).toBe(200)
      expect(paused.body).toMatchObject({ traderId: tr.id, status: 'PAUSED', statusReason: 'checking the model', statusCause: 'PERSON', statusChangedAt: expect.any(String) })
      expect(await bus.next((e) => e.kind === 'trader' && e.traderId === tr.id, 'trader event on pause')).toEqual({ kind: 'trader', userId: alice.id, traderId: tr.id })
      const row = await t.db.trader.findUniqueOrThrow({ where: { id: tr.id } })
      expect([row.status, row.statusReason]).toEqual(['PAUSED', 'checking the model'])
      expect((await getSettings(tr.id)).body.state).toMatchObject({ status: 'PAUSED', statusReason: 'checking the model' })

      bus.events.length = 0
      const resumed = await post(routes.resume.POST as Handler, tr.id, 'resume')
      expect(resumed.status).toBe(200)
      expect(resumed.body).toMatchObject({ status: 'ACTIVE', statusReason: null, statusCause: null })
      await bus.next((e) => e.kind === 'trader' && e.traderId === tr.id, 'trader event on resume')
      const types = (await t.db.activityEvent.findMany({ where: { traderId: tr.id }, orderBy: { id: 'asc' } })).map((a) => a.type)
      expect(types).toEqual(['TRADER_PAUSED', 'TRADER_RESUMED'])
    } finally {
      await bus.close()
    }
  })

  it('names who paused when no reason is given, and keeps a panic’s HALTED on pause', async () => {
    const tr = await newTrader()
    expect((await post(routes.pause.POST as Handler, tr.id, 'pause')).body.statusReason).toBe('paused by alice@example.com')
    const halted = await newTrader()
    await t.db.trader.update({ where: { id: halted.id }, data: { status: 'HALTED', statusReason: 'panic', statusCause: 'PANIC', statusChangedAt: new Date() } })
    const res = await post(routes.pause.POST as Handler, halted.id, 'pause', { reason: 'x' })
    expect(res.body).toMatchObject({ status: 'HALTED', statusReason: 'panic', statusCause: 'PANIC' })
    expect((await post(routes.resume.POST as Handler, halted.id, 'resume')).body.status).toBe('ACTIVE')
  })

  it('answers 404 for another user’s trader and 400 for a bad body', async () => {
    const tr = await newTrader()
    expect((await post(routes.pause.POST as Handler, tr.id, 'pause', {}, bob.token)).status).toBe(404)
    expect((await post(routes.resume.POST as Handler, tr.id, 'resume', undefined, bob.token)).status).toBe(404)
    const bad = await post(routes.pause.POST as Handler, tr.id, 'pause', { reason: 'x'.repeat(201) })
    expect(bad.status).toBe(400)
    expect(fieldsOf(bad.body)).toEqual(['reason'])
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: tr.id } })).status).toBe('ACTIVE')
  })
})

describe('POST /api/v1/traders/{id}/analyze', () => {
  it('sends the analyze NOTIFY the worker listens for', async () => {
    const tr = await newTrader()
    const bus = await listen()
    try {
      const res = await post(routes.analyze.POST as Handler, tr.id, 'analyze')
      expect(res.status).toBe(202)
      expect(res.body).toMatchObject({ requested: true, traderId: tr.id, symbol: null, workerRunning: false })
      expect(res.body.message).toContain('no worker is running')
      expect(await bus.next((e) => e.kind === 'analyze', 'analyze event')).toEqual({ kind: 'analyze', traderId: tr.id })

      // One symbol of the watchlist, case-insensitively; a live worker is reported.
      const now = new Date()
      await t.db.workerHeartbeat.create({ data: { id: 'w1', pid: 1, host: 'h', startedAt: now, lastSeenAt: now, feedKind: 'sim', feedLabel: 'sim' } })
      bus.events.length = 0
      const one = await post(routes.analyze.POST as Handler, tr.id, 'analyze', { symbol: 'eth/usdt' })
      expect(one.body).toMatchObject({ symbol: 'ETH/USDT', workerRunning: true })
      expect(await bus.next((e) => e.kind === 'analyze', 'analyze event for one symbol')).toEqual({ kind: 'analyze', traderId: tr.id, symbol: 'ETH/USDT' })
      await t.db.workerHeartbeat.delete({ where: { id: 'w1' } })
    } finally {
      await bus.close()
    }
  })

  it('refuses a symbol off the watchlist (400) and another user’s trader (404), sending nothing', async () => {
    const tr = await newTrader()
    const bus = await listen()
    try {
      const bad = await post(routes.analyze.POST as Handler, tr.id, 'analyze', { symbol: 'DOGE/USDT' })
      expect(bad.status).toBe(400)
      expect(fieldsOf(bad.body)).toEqual(['symbol'])
      expect((await post(routes.analyze.POST as Handler, tr.id, 'analyze', undefined, bob.token)).status).toBe(404)
      // A marker NOTIFY after the refusals: when it arrives, anything they had sent would have too.
      await t.db.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify({ kind: 'worker' })})`
      await bus.next((e) => e.kind === 'worker', 'marker')
      expect(bus.events.filter((e) => e.kind === 'analyze')).toEqual([])
    } finally {
      await bus.close()
    }
  })
})

describe('recent risk events', () => {
  it('lists the trader’s own events, newest first', async () => {
    const tr = await newTrader()
    const other = await newTrader(bob.id)
    const base = { accountId: tr.accountId, traderId: tr.id, source: 'ENTRY' }
    await t.db.riskEvent.create({ data: { ...base, limit: 'maxPositionPctEquity', currentValue: '12%', allowedValue: '10%', message: 'position 12% of equity > 10%', createdAt: new Date('2030-01-01T00:00:00Z') } })
    await t.db.riskEvent.create({ data: { ...base, limit: 'dailyLossLimitPct', currentValue: '3.2%', allowedValue: '3%', message: 'daily loss', tripped: true, source: 'BREAKER', createdAt: new Date('2030-01-01T01:00:00Z') } })
    await t.db.riskEvent.create({ data: { accountId: other.accountId, traderId: other.id, source: 'ENTRY', limit: 'x', currentValue: '1', allowedValue: '0', message: 'not alice’s' } })
    const events = await loadRecentRiskEvents(t.db, { userId: alice.id, traderId: tr.id })
    expect(events.map((e) => [e.limit, e.currentValue, e.allowedValue, e.tripped, e.createdAt])).toEqual([
      ['dailyLossLimitPct', '3.2%', '3%', true, '2030-01-01T01:00:00.000Z'],
      ['maxPositionPctEquity', '12%', '10%', false, '2030-01-01T00:00:00.000Z'],
    ])
    expect(await loadRecentRiskEvents(t.db, { userId: alice.id, traderId: other.id })).toEqual([])
  })
})

describe('/api/v1/risk-settings', () => {
  const get = (token = alice.token) => call(routes.risk.GET as unknown as Handler, 'GET', '/api/v1/risk-settings', { token })
  const patchRisk = (body: unknown, token = alice.token) => call(routes.risk.PATCH as unknown as Handler, 'PATCH', '/api/v1/risk-settings', { token, body })

  it('returns UTC and the user-wide defaults, then saves a zone and limits (merged, blank = off)', async () => {
    const res = await get()
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ timeZone: 'UTC', limits: USER_RISK_LIMIT_DEFAULTS })
    expect(res.body.limits).toMatchObject({ maxConcurrentPositions: 10, dailyLossLimitPct: '5', maxDrawdownPct: '20', maxPositionQuote: null })

    const saved = await patchRisk({ timeZone: ' Europe/Berlin ', limits: { dailyLossLimitPct: '2', maxConcurrentPositions: '', maxExposureQuote: 25000 } })
    expect(saved.status).toBe(200)
    expect(saved.body).toEqual({
      timeZone: 'Europe/Berlin',
      limits: { ...USER_RISK_LIMIT_DEFAULTS, dailyLossLimitPct: '2', maxConcurrentPositions: null, maxExposureQuote: '25000' },
    })
    expect(await get()).toMatchObject({ body: saved.body })
    const user = await t.db.user.findUniqueOrThrow({ where: { id: alice.id } })
    expect(user.timeZone).toBe('Europe/Berlin')
    expect(user.riskLimits).toMatchObject({ dailyLossLimitPct: '2', maxConcurrentPositions: null })
    // Another user's settings are their own.
    expect((await get(bob.token)).body.timeZone).toBe('UTC')
  })

  it.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, ['timeZone']],
    ['a blank time zone', { timeZone: '' }, ['timeZone']],
    ['a drawdown over 100%', { timeZone: 'Asia/Tokyo', limits: { maxDrawdownPct: '150' } }, ['limits.maxDrawdownPct']],
    ['an unknown limit', { limits: { maxLeverage: 3 } }, ['limits.maxLeverage']],
    ['an unknown field', { tz: 'UTC' }, ['tz']],
  ])('answers 400 naming the field for %s, and writes nothing', async (_label, body, fields) => {
    const before = await t.db.user.findUniqueOrThrow({ where: { id: bob.id }, select: { timeZone: true, riskLimits: true } })
    const res = await patchRisk(body, bob.token)
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(fields)
    expect(await t.db.user.findUniqueOrThrow({ where: { id: bob.id }, select: { timeZone: true, riskLimits: true } })).toEqual(before)
  })

  it('answers 401 without credentials', async () => {
    expect((await get('')).status).toBe(401)
  })
})

describe('OpenAPI', () => {
  it('documents the settings, test-connection, analyze, pause/resume and risk-settings endpoints', () => {
    const doc = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }
    expect(Object.keys(doc.paths['/api/v1/traders/{id}/settings']).sort()).toEqual(['get', 'parameters', 'patch'])
    for (const p of ['test-connection', 'analyze', 'pause', 'resume']) expect(doc.paths[`/api/v1/traders/{id}/${p}`]).toHaveProperty('post')
    expect(Object.keys(doc.paths['/api/v1/risk-settings']).sort()).toEqual(['get', 'patch'])
    const s = doc.components.schemas
    expect(Object.keys(s.UpdateTraderSettingsRequest.properties!)).toEqual(['autoTrade', 'dryRun', 'provider', 'apiKey', 'clearApiKey', 'ai', 'management', 'sizing', 'risk', 'approvals'])
    // The response has the key's mask only.
    expect(s.TraderSettings.properties!.apiKey).toMatchObject({ properties: { set: { type: 'boolean' }, masked: { type: ['string', 'null'] } } })
    for (const id of ['TraderState', 'ConnectionTestResult', 'AnalysisRequested', 'RiskSettings', 'UpdateRiskSettingsRequest', 'TestTraderConnectionRequest', 'PauseTraderRequest']) expect(s).toHaveProperty(id)
  })
})
