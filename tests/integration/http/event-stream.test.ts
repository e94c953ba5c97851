import { afterAll, beforeAll, expect, test } from 'vitest'
import { revokeApiToken } from '@/lib/server/auth/api-tokens'
import { eventStreamResponse } from '@/lib/server/events/event-stream'
import { apiUser, startApiDatabase } from '../api/api-harness'

let t: Awaited<ReturnType<typeof startApiDatabase>>
beforeAll(async () => {
  t = await startApiDatabase()
})
afterAll(() => t.stop())

/** Everything the stream sends until it ends (or `ms` pass: then what came so far, with `ended: false`). */
async function readAll(res: Response, ms: number): Promise<{ text: string; ended: boolean }> {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const deadline = Date.now() + ms
  for (;;) {
    const left = deadline - Date.now()
    if (left <= 0) break
    const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))])
    if (chunk === null) break
    if (chunk.done) return { text, ended: true }
    text += decoder.decode(chunk.value)
  }
  await reader.cancel()
  return { text, ended: false }
}

test('a stream whose token is revoked is told signed-out and closed at its next heartbeat; one still signed in keeps beating', async () => {
  const alice = await apiUser(t, 'stream-alice@example.com')
  const bob = await apiUser(t, 'stream-bob@example.com')
  const open = (token: string, userId: string) =>
    eventStreamResponse({ req: new Request('http://localhost/api/stream', { headers: { authorization: `Bearer ${token}` } }), db: t.db, userId, heartbeatMs: 100 })
  const aliceStream = await open(alice.token, alice.id)
  const bobStream = await open(bob.token, bob.id)

  const tokenId = (await t.db.apiToken.findFirstOrThrow({ where: { userId: alice.id } })).id
  await revokeApiToken(t.db, alice.id, tokenId)

  const [a, b] = await Promise.all([readAll(aliceStream, 3000), readAll(bobStream, 350)])
  expect(a.ended).toBe(true)
  expect(a.text).toContain('event: stored-quotes')
  expect(a.text).toMatch(/event: signed-out\ndata: \{\}\n\n$/)
  expect(a.text).not.toContain(': heartbeat')
  expect(b.ended).toBe(false)
  expect(b.text).toContain(': heartbeat')
  expect(b.text).not.toContain('signed-out')
})
