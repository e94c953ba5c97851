import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

// The embedded server runs under SCHED_BATCH (see batchScheduled in lib/db/embedded-postgres.ts):
// the server process, the processes it forked at start and every backend it forks later.
const SCHED_BATCH = 3
const hasChrt = existsSync('/usr/bin/chrt') || existsSync('/bin/chrt')

/** Field `n` (numbered from 1, as in proc(5)) of /proc/<pid>/stat. */
function statField(pid: number, n: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: split what follows it.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3])
}
const parentOf = (pid: number) => statField(pid, 4)
const policyOf = (pid: number) => statField(pid, 41)

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t.drop()
})

test.runIf(process.platform === 'linux' && hasChrt)('the embedded PostgreSQL, its background processes and its backends are batch-scheduled', async () => {
  const [{ pid }] = await t.db.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`
  const background = await t.db.$queryRaw<{ pid: number; type: string }[]>`
    SELECT pid, backend_type AS type FROM pg_stat_activity WHERE backend_type IN ('checkpointer', 'walwriter') ORDER BY backend_type`
  expect(background.map((b) => b.type)).toEqual(['checkpointer', 'walwriter'])
  expect(background.every((b) => parentOf(b.pid) === parentOf(pid))).toBe(true)
  expect([parentOf(pid), pid, ...background.map((b) => b.pid)].map(policyOf)).toEqual([SCHED_BATCH, SCHED_BATCH, SCHED_BATCH, SCHED_BATCH])
})
