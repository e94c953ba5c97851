import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { poolOf } from '@/lib/db/client'
import { withSqlTransaction } from '@/lib/db/sql-tx'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { EVENTS_CHANNEL, notifyAll, type AppEvent } from '@/lib/server/events/notify'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { waitFor } from '@/tests/support/wait-for'

// PostgreSQL fails the whole transaction when a NOTIFY payload is over 8,000 bytes. A message
// quoting an exchange's error page is longer than that; the change it announces must still commit.
let t: TestDatabase
let listener: pg.Client
const heard: AppEvent[] = []
let userId: string
// About 30 KB in UTF-8, with characters JSON escapes or spells in several bytes.
const LONG = 'é“\u0007'.repeat(4000)

beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 'long@example.com', passwordHash: 'x' } })).id
  listener = new pg.Client({ connectionString: t.url })
  await listener.connect()
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
  listener.on('notification', (n) => heard.push(JSON.parse(n.payload!) as AppEvent))
})

afterAll(async () => {
  await listener.end()
  await t.drop()
})

test('a 12,000-character message commits whole, and its notification carries the first 1,000 characters', async () => {
  await withSqlTransaction(poolOf(t.db), (tx) => recordActivity(tx, { userId, type: 'EXCHANGE_ERROR', message: LONG, severity: 'error' }))
  const row = await t.db.activityEvent.findFirstOrThrow({ where: { userId, type: 'EXCHANGE_ERROR' } })
  expect(row.message).toBe(LONG)
  const [event] = await waitFor(async () => (heard.length ? heard.splice(0) : null), 'the notification')
  expect(event).toEqual({ kind: 'activity', userId, type: 'EXCHANGE_ERROR', severity: 'error', message: `${LONG.slice(0, 999)}…` })
})

test('several long notifications in one statement all go out, in order', async () => {
  const events: AppEvent[] = ['first', 'second'].map((type) => ({ kind: 'activity', userId, type, severity: 'info', message: `${type} ${LONG}` }))
  await withSqlTransaction(poolOf(t.db), (tx) => notifyAll(tx, events))
  const got = await waitFor(async () => (heard.length >= 2 ? heard.splice(0) : null), 'both notifications')
  expect(got.map((e) => e.kind === 'activity' && [e.type, e.message.length, e.message.startsWith(`${e.type} é“`)])).toEqual([
    ['first', 1000, true],
    ['second', 1000, true],
  ])
})
