import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueApiToken } from '@/lib/server/auth/api-tokens'
import { ZPanicResult } from '@/lib/server/openapi/response-schemas'
import { createPanicWorld, type PanicWorld } from '../panic/panic-world'
import { apiUser, call, fieldsOf, startApiDatabase } from './api-harness'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let w: PanicWorld
let token: string
let stranger: { id: string; token: string }
let panic: typeof import('@/app/api/v1/panic/route')
let resume: typeof import('@/app/api/v1/trading/resume/route')

beforeAll(async () => {
  t = await startApiDatabase()
  w = await createPanicWorld(t)
  token = (await issueApiToken(t.db, w.userId, 'test')).token
  stranger = await apiUser(t, 'stranger@example.com')
  panic = await import('@/app/api/v1/panic/route')
  resume = await import('@/app/api/v1/trading/resume/route')
})
afterAll(() => t?.stop())

const press = (body: unknown, tok: string | null = token) => call(panic.POST, 'POST', '/api/v1/panic', { token: tok, body })
const halted = async () => (await t.db.exchangeAccount.findMany({ where: { userId: w.userId } })).map((a) => a.halted)

describe('POST /api/v1/panic', () => {
  it('answers 401 without credentials, and halts nothing', async () => {
    const res = await press({ confirm: true }, null)
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
    expect(await halted()).toEqual([false, false])
  })

  it.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['confirm: false', { confirm: false }],
    ['confirm: "yes"', { confirm: 'yes' }],
  ])('answers 400 naming confirm for %s, and halts nothing', async (_label, body) => {
    const res = await press(body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(fieldsOf(res.body)).toEqual(['confirm'])
    expect(await halted()).toEqual([false, false])
    expect(await t.db.panicRun.count()).toBe(0)
  })

  it("answers 404 for someone else's trader", async () => {
    const res = await press({ confirm: true, traderId: w.alpha.id }, stranger.token)
    expect(res.status).toBe(404)
    expect(await halted()).toEqual([false, false])
  })

  it('flattens one trader and answers 200 with the per-position report', async () => {
    const a = await w.open(w.alpha, 'BTC/USDT', 'LONG', '0.01')
    const b = await w.open(w.alpha, 'ETH/USDT', 'SHORT', '0.5')
    const keep = await w.open(w.beta, 'SOL/USDT', 'LONG', '5')
    const res = await press({ confirm: true, traderId: w.alpha.id })
    expect(res.status).toBe(200)
    const body = ZPanicResult.parse(res.body)
    expect(body.failed).toBe(0)
    expect(body.runs).toHaveLength(1)
    expect(body.runs[0]).toMatchObject({ traderId: w.alpha.id, halted: true, status: 'COMPLETED' })
    expect(body.runs[0]!.positions.map((p) => [p.positionId, p.outcome, p.attempts]).sort()).toEqual(
      [
        [a, 'CLOSED', 1],
        [b, 'CLOSED', 1],
      ].sort(),
    )
    expect(body.runs[0]!.positions.find((p) => p.positionId === a)!.exitPrice).toBe('60000')
    expect((await t.db.position.findUniqueOrThrow({ where: { id: keep } })).status).toBe('MONITORING')
    expect((await t.db.trader.findUniqueOrThrow({ where: { id: w.alpha.id } })).status).toBe('HALTED')
    expect((await t.db.panicRun.findFirstOrThrow()).requestedBy).toBe('pat@example.com via the API')
    // Audited as the API acting for the user.
    const audit = await t.db.positionEvent.findFirstOrThrow({ where: { positionId: a, type: 'PANIC_OUTCOME' } })
    expect([audit.actor, audit.actorId]).toEqual(['API', w.userId])
  })

  it('without traderId halts every account and closes everything; pressing again is harmless', async () => {
    const res = await press({ confirm: true })
    expect(res.status).toBe(200)
    expect(res.body.failed).toBe(0)
    expect(res.body.runs.map((r: { accountId: string }) => r.accountId)).toEqual([w.alpha.accountId, w.beta.accountId])
    expect(res.body.runs[1].positions.map((p: { symbol: string; outcome: string }) => [p.symbol, p.outcome])).toEqual([['SOL/USDT', 'CLOSED']])
    expect(await halted()).toEqual([true, true])
    expect(await t.db.position.count({ where: { status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(0)

    const again = await press({ confirm: true })
    expect(again.status).toBe(200)
    expect(again.body.runs.map((r: { positions: unknown[]; orders: unknown[] }) => r.positions.length + r.orders.length)).toEqual([0, 0])
  })
})

describe('POST /api/v1/trading/resume', () => {
  const resumeCall = (body: unknown, tok: string | null = token) => call(resume.POST, 'POST', '/api/v1/trading/resume', { token: tok, body })

  it('needs credentials and confirm', async () => {
    expect((await resumeCall({ confirm: true }, null)).status).toBe(401)
    const res = await resumeCall({})
    expect(res.status).toBe(400)
    expect(fieldsOf(res.body)).toEqual(['confirm'])
    expect(await halted()).toEqual([true, true])
  })

  it('re-enables one account, then everything a panic halted', async () => {
    const one = await resumeCall({ confirm: true, accountId: w.beta.accountId })
    expect(one.status).toBe(200)
    expect(one.body.accounts.map((a: { halted: boolean }) => a.halted)).toEqual([true, false])
    const all = await resumeCall({ confirm: true })
    expect(all.status).toBe(200)
    expect(all.body.accounts.map((a: { halted: boolean }) => a.halted)).toEqual([false, false])
    expect(all.body.traders.map((x: { name: string; status: string }) => [x.name, x.status])).toEqual([
      ['Alpha', 'ACTIVE'],
      ['Beta', 'ACTIVE'],
    ])
    // Trading works again.
    await w.open(w.alpha, 'BTC/USDT', 'LONG', '0.01')
  })
})

describe('OpenAPI document', () => {
  it('documents both endpoints with their request and response schemas', async () => {
    const { GET } = await import('@/app/api/v1/openapi.json/route')
    const doc = JSON.parse(await (await GET(new Request('http://localhost/api/v1/openapi.json'))).text())
    const s = doc.components.schemas
    expect(s.PanicRequest.required).toEqual(['confirm'])
    expect(s.PanicRequest.properties.confirm).toMatchObject({ const: true })
    expect(Object.keys(s.PanicRequest.properties)).toEqual(['confirm', 'traderId', 'accountId'])
    expect(Object.keys(s.ResumeTradingRequest.properties)).toEqual(['confirm', 'accountId', 'traderId'])
    expect(s.PanicPositionResult.properties.outcome.enum).toEqual(['CLOSED', 'ALREADY_CLOSED', 'FAILED'])
    expect(s.PanicOrderResult.properties.outcome.enum).toEqual(['CANCELED', 'ALREADY_DONE', 'FAILED'])
    const op = doc.paths['/api/v1/panic'].post
    expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PanicRequest' })
    expect(op.responses[200].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PanicResult' })
    expect(doc.paths['/api/v1/trading/resume'].post.responses[200].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TradingState' })
  })
})
