import { expect, test } from 'vitest'
import { batchPerKey } from '@/lib/server/concurrency/batch-per-key'

function gate() {
  let open!: () => void
  const opened = new Promise<void>((r) => (open = r))
  return { open, opened }
}

const settle = () => new Promise((r) => setImmediate(r))

test('per key: a request when idle runs at once, alone; those made during a run share the next run, which starts after the last of them; other keys run beside', async () => {
  const runs: { key: string; requests: number[] }[] = []
  const gates: ReturnType<typeof gate>[] = []
  const read = batchPerKey(async (key: string, requests: number[]) => {
    runs.push({ key, requests })
    const g = gate()
    gates.push(g)
    await g.opened
    return `${key}:${requests.join('+')}`
  })
  const r1 = read('a', 1)
  expect(runs).toEqual([{ key: 'a', requests: [1] }])
  const r2 = read('a', 2)
  const r3 = read('a', 3)
  const b1 = read('b', 10)
  expect(runs).toEqual([{ key: 'a', requests: [1] }, { key: 'b', requests: [10] }])
  await settle()
  // Nothing more starts while a's run is in flight; a request made later still joins the next run.
  const r4 = read('a', 4)
  expect(runs).toHaveLength(2)
  gates[0]!.open()
  expect(await r1).toBe('a:1')
  await settle()
  expect(runs[2]).toEqual({ key: 'a', requests: [2, 3, 4] })
  gates[2]!.open()
  expect(await Promise.all([r2, r3, r4])).toEqual(['a:2+3+4', 'a:2+3+4', 'a:2+3+4'])
  gates[1]!.open()
  expect(await b1).toBe('b:10')
  // Idle again: the next request runs at once.
  const r5 = read('a', 5)
  expect(runs).toHaveLength(4)
  expect(runs[3]).toEqual({ key: 'a', requests: [5] })
  gates[3]!.open()
  expect(await r5).toBe('a:5')
})

test("a run's failure is each of its requests' failure, and the requests after it run", async () => {
  const gates: ReturnType<typeof gate>[] = []
  let calls = 0
  const read = batchPerKey(async (_key: string, requests: string[]) => {
    calls++
    const g = gate()
    gates.push(g)
    await g.opened
    if (requests.includes('bad')) throw new Error(`refused ${requests.join(',')}`)
    return requests.length
  })
  const first = read('k', 'first')
  const bad = read('k', 'bad')
  const other = read('k', 'other')
  gates[0]!.open()
  expect(await first).toBe(1)
  await settle()
  const later = read('k', 'later')
  gates[1]!.open()
  await expect(bad).rejects.toThrow('refused bad,other')
  await expect(other).rejects.toThrow('refused bad,other')
  await settle()
  gates[2]!.open()
  expect(await later).toBe(1)
  expect(calls).toBe(3)
})

test('a run that throws before its first await fails its requests instead of the caller', async () => {
  const read = batchPerKey((_key: string, _requests: number[]): Promise<number> => {
    throw new Error('synchronous')
  })
  await expect(read('k', 1)).rejects.toThrow('synchronous')
  await expect(read('k', 2)).rejects.toThrow('synchronous')
})
