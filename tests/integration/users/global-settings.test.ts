import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getMarketDataSetting, setMarketDataSetting } from '@/lib/server/settings/market-data-setting'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t?.drop())

describe('market data source (a setting every user shares)', () => {
  it('refuses a member with 403 and leaves the saved source as it was', async () => {
    await expect(setMarketDataSetting({ db: t.db, user: { role: 'MEMBER' }, input: { kind: 'exchange' } })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 })
    expect((await getMarketDataSetting(t.db, 'simulated')).saved).toBe(false)
  })

  it('lets an admin change it', async () => {
    await setMarketDataSetting({ db: t.db, user: { role: 'ADMIN' }, input: { kind: 'exchange' } })
    expect(await getMarketDataSetting(t.db, 'simulated')).toEqual({ kind: 'exchange', saved: true })
  })
})
