import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { runPanic } from '@/lib/server/panic/run-panic'
import { requestExit } from '@/lib/server/positions/request-exit'
import { loadRiskState } from '@/lib/server/risk/load-risk-state'
import { createPanicWorld, type PanicWorld } from '../panic/panic-world'
import { seedMarket } from '../../support/seed-market'

// The risk read takes each trader's realized PnL of all its closes from TraderTotals, a running
// total kept by the statement that closes a position, instead of summing the history on every
// entry. It must always equal that sum: checked here against the positions themselves after
// closes by hand, partial exits and a panic closing a trader's positions several at a time.
let w: PanicWorld
beforeAll(async () => {
  w = await createPanicWorld()
})
afterAll(async () => {
  await w.drop()
})

const totalOf = async (traderId: string) => (await w.db.traderTotals.findUniqueOrThrow({ where: { traderId } })).closedRealizedPnl.toString()
const lastCloseOf = async (traderId: string) => (await w.db.traderTotals.findUniqueOrThrow({ where: { traderId } })).lastClosedAt
const closedSumOf = async (traderId: string) =>
  ((await w.db.position.aggregate({ where: { traderId, status: 'CLOSED' }, _sum: { realizedPnl: true } }))._sum.realizedPnl ?? dec(0)).toString()
const latestCloseOf = async (traderId: string) => (await w.db.position.aggregate({ where: { traderId, status: 'CLOSED' }, _max: { closedAt: true } }))._max.closedAt

test("each trader's running total is the realized PnL of its closed positions, whatever closed them", async () => {
  const { db, alpha, beta, userId } = w
  expect([await totalOf(alpha.id), await totalOf(beta.id)]).toEqual(['0', '0'])
  expect([await lastCloseOf(alpha.id), await lastCloseOf(beta.id)]).toEqual([null, null])
  const actor = { kind: 'USER' as const, id: userId }
  const exchange = exchangeForAccount(db, { id: alpha.accountId, kind: 'PAPER' })

  const btc = await w.open(alpha, 'BTC/USDT', 'LONG', '0.01')
  const eth = await w.open(alpha, 'ETH/USDT', 'SHORT', '0.5')
  const sol = await w.open(alpha, 'SOL/USDT', 'LONG', '5')
  await w.open(alpha, 'XRP/USDT', 'LONG', '1000')
  await w.open(beta, 'BTC/USDT', 'LONG', '0.02')
  // BTC up 1,000, ETH up 100 (the short loses), SOL down 10.
  await seedMarket(db, { symbol: 'BTC/USDT', bid: '61000', ask: '61010' })
  await seedMarket(db, { symbol: 'ETH/USDT', bid: '3100', ask: '3101' })
  await seedMarket(db, { symbol: 'SOL/USDT', bid: '140', ask: '140.05' })

  // A partial exit realizes PnL on a position still open: not part of the closed total.
  await requestExit({ db, positionId: sol, size: { kind: 'QTY', qty: dec('2') }, purpose: 'MANUAL_EXIT', actor, reason: 'Partial close', exchange })
  expect((await db.position.findUniqueOrThrow({ where: { id: sol } })).realizedPnl.toString()).not.toBe('0')
  expect(await totalOf(alpha.id)).toBe('0')

  // Closed by hand: the total is that position's realized PnL, exactly.
  await requestExit({ db, positionId: btc, size: { kind: 'ALL' }, purpose: 'MANUAL_EXIT', actor, reason: 'Close', exchange })
  const btcPnl = (await db.position.findUniqueOrThrow({ where: { id: btc } })).realizedPnl.toString()
  expect(dec(btcPnl).gt(0)).toBe(true)
  expect(await totalOf(alpha.id)).toBe(btcPnl)
  expect(await lastCloseOf(alpha.id)).toEqual((await db.position.findUniqueOrThrow({ where: { id: btc } })).closedAt)
  expect(await totalOf(beta.id)).toBe('0')

  // The rest closed by a panic on each account, up to four positions at a time.
  const panic = (accountId: string) => runPanic({ db, userId, actor, scope: { accountId }, backoffMs: () => 20, concurrency: 4 })
  const reports = await Promise.all([panic(alpha.accountId), panic(beta.accountId)])
  expect(reports.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED'])
  expect(await db.position.count({ where: { status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(0)
  for (const id of [eth, sol]) expect(dec((await db.position.findUniqueOrThrow({ where: { id } })).realizedPnl.toString()).lt(0), id).toBe(true)
  for (const t of [alpha, beta]) {
    expect(await totalOf(t.id), t.id).toBe(await closedSumOf(t.id))
    expect(await lastCloseOf(t.id), t.id).toEqual(await latestCloseOf(t.id))
  }

  // And the risk read's figure is that total (nothing is open to add to it).
  const risk = await loadRiskState(db, { userId, timeZone: 'UTC', now: Date.now(), pnlPeak: dec(0) })
  expect(risk.pnlNow.toString()).toBe(dec(await closedSumOf(alpha.id)).plus(await closedSumOf(beta.id)).toString())
})

test('a trader with history from before the totals existed starts from that history (the migration fills its row)', async () => {
  const migration = readFileSync(join(process.cwd(), 'prisma/migrations/20261207020010_trader_totals/migration.sql'), 'utf8')
  const fill = migration.split(';').find((s) => s.includes('INSERT INTO "TraderTotals"'))!
  await w.db.traderTotals.deleteMany({})
  await w.db.$executeRawUnsafe(fill)
  for (const t of [w.alpha, w.beta]) {
    expect(await totalOf(t.id)).toBe(await closedSumOf(t.id))
    expect(await totalOf(t.id)).not.toBe('0')
    expect(await lastCloseOf(t.id)).toEqual(await latestCloseOf(t.id))
    expect(await lastCloseOf(t.id)).not.toBeNull()
  }
})
