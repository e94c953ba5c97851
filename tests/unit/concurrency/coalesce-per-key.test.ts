import { expect, test } from 'vitest'
import { coalescePerKey } from '@/lib/server/concurrency/coalesce-per-key'

function gate() {
  let open!: () => void
  const opened = new Promise<void>((r) => (open = r))
  return { open, opened }
}

test('per key: one run in flight, the calls meanwhile share one run after it; other keys run beside', async () => {
  const runs: string[] = []
  const gates: ReturnType<typeof gate>[] = []
  const reload = coalescePerKey(async (key) => {
    runs.push(key)
    const g = gate()
    gates.push(g)
    await g.opened
  })
  const first = reload('a')
  const second = reload('a')
  const third = reload('a')
  const other = reload('b')
  expect(runs).toEqual(['a', 'b'])
  gates[0]!.open()
  await first
  await new Promise((r) => setImmediate(r))
  expect(runs).toEqual(['a', 'b', 'a'])
  // A call while the follow-up runs waits for a run of its own after it.
  const fourth = reload('a')
  gates[2]!.open()
  // The second and third calls share that one run: both settle before the fourth's run can end.
  await Promise.all([second, third])
  await new Promise((r) => setImmediate(r))
  expect(runs).toEqual(['a', 'b', 'a', 'a'])
  gates[3]!.open()
  gates[1]!.open()
  await Promise.all([fourth, other])
  // Idle again: the next call runs at once.
  const fifth = reload('a')
  expect(runs).toEqual(['a', 'b', 'a', 'a', 'a'])
  gates[4]!.open()
  await fifth
})

test('a failed run rejects its callers, and the waiting run still follows it', async () => {
  let n = 0
  const g = gate()
  const reload = coalescePerKey(async () => {
    n++
    if (n === 1) {
      await g.opened
      throw new Error('boom')
    }
  })
  const first = reload('a')
  const second = reload('a')
  g.open()
  await expect(first).rejects.toThrow('boom')
  await expect(second).resolves.toBeUndefined()
  expect(n).toBe(2)
})
