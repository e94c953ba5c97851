import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { AccountLease } from '@/workers/lease/account-lease'
import { shardOf } from '@/workers/lease/account-shard'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

let t: TestDatabase
const clients: pg.Client[] = []
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => {})
  await t?.drop()
})

async function lease(name: string, log: string[]) {
  const client = new pg.Client({ connectionString: t.url })
  await client.connect()
  clients.push(client)
  // Checks are driven by hand (tick) here: the interval is far beyond the test.
  return { client, lease: new AccountLease(client, { log: (m) => log.push(`${name}: ${m}`), intervalMs: 3_600_000, drainMs: 0 }) }
}

test('a shard given up is released only after the work on its accounts has ended; a dead worker frees everything at once', async () => {
  const user = await t.db.user.create({ data: { email: 'lease@example.com', passwordHash: 'x' } })
  const accounts = await Promise.all(
    Array.from({ length: 40 }, (_, i) => t.db.exchangeAccount.create({ data: { userId: user.id, name: `A${i}`, kind: 'PAPER', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001' } })),
  )
  const log: string[] = []
  const a = await lease('a', log)
  await a.lease.start()
  expect(a.lease.state()).toEqual({ primary: true, shards: 64, accounts: 40, workers: 1 })
  expect(a.lease.accountIds()).toBeNull() // every shard: no filter needed

  // A's work on the accounts it gives up ends only when we say so.
  let finish!: () => void
  const work = new Promise<void>((r) => (finish = r))
  const changes: { gained: boolean; lost: boolean }[] = []
  a.lease.onChange((c) => (changes.push(c), c.lost ? work : undefined))

  const b = await lease('b', log)
  await b.lease.start() // two members now, but every shard is A's
  expect(b.lease.state()).toMatchObject({ primary: false, shards: 0, workers: 2 })

  await a.lease.tick() // A gives up half: no longer its own at once...
  expect(changes).toEqual([{ gained: false, lost: true }])
  expect(a.lease.state().shards).toBe(32)
  const given = accounts.filter((x) => !a.lease.owns(x.id))
  expect(given.length).toBeGreaterThan(0)
  expect(a.lease.accountIds()).toEqual(expect.arrayContaining(accounts.filter((x) => a.lease.owns(x.id)).map((x) => x.id)))
  expect(a.lease.accountIds()).toHaveLength(40 - given.length)

  await a.lease.tick() // ...but its locks stay while the work goes on
  await b.lease.tick()
  expect(b.lease.state().shards).toBe(0)

  finish()
  await new Promise((r) => setTimeout(r, 10))
  await a.lease.tick() // released
  await b.lease.tick() // taken
  expect(b.lease.state()).toMatchObject({ primary: false, shards: 32, accounts: given.length })
  for (const x of accounts) expect([x.id, a.lease.owns(x.id) !== b.lease.owns(x.id)]).toEqual([x.id, true])
  expect(new Set(given.map((x) => shardOf(x.id))).size).toBeGreaterThan(1)

  // A's connection ends as a killed process's would: B's next check takes every shard and the primary role.
  await a.client.end()
  await b.lease.tick()
  expect(b.lease.state()).toEqual({ primary: true, shards: 64, accounts: 40, workers: 1 })
  expect(log).toContain('b: lease: this worker is now the primary one (market data and the passes over every user)')
})

test('a check that fails after giving shards up still tells the listeners on the next check, so the shards are released and taken', async () => {
  // The workers of the test before are gone.
  for (const c of clients.splice(0)) await c.end().catch(() => {})
  const user = await t.db.user.create({ data: { email: 'lease-fail@example.com', passwordHash: 'x' } })
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => t.db.exchangeAccount.create({ data: { userId: user.id, name: `F${i}`, kind: 'PAPER', quoteCurrency: 'USDT', makerFeeRate: '0.001', takerFeeRate: '0.001' } })),
  )
  const log: string[] = []
  const a = await lease('fa', log)
  await a.lease.start()
  const changes: { gained: boolean; lost: boolean }[] = []
  a.lease.onChange((c) => void changes.push(c))
  // A's next read of the accounts it owns fails once (a statement timeout, say).
  let failNext = false
  const query = a.client.query.bind(a.client) as (...args: unknown[]) => Promise<unknown>
  a.client.query = ((...args: unknown[]) => {
    if (failNext && String(args[0]).includes('"ExchangeAccount"')) {
      failNext = false
      return Promise.reject(new Error('canceling statement due to statement timeout'))
    }
    return query(...args)
  }) as typeof a.client.query

  const b = await lease('fb', log)
  await b.lease.start()
  failNext = true
  await a.lease.tick()
  expect(log).toContain('fa: lease: check failed: canceling statement due to statement timeout')
  expect(a.lease.state().shards).toBe(32)
  expect(changes).toEqual([])

  await a.lease.tick() // told now
  expect(changes).toEqual([{ gained: false, lost: true }])
  await new Promise((r) => setTimeout(r, 10))
  await a.lease.tick() // released
  await b.lease.tick() // taken
  expect(b.lease.state().shards).toBe(32)
})
