import { z } from 'zod'
import type { Db, DbTx } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import { fromZodError } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { requireAdmin } from '@/lib/server/users/require-admin'

export const MARKET_DATA_SETTING_KEY = 'marketData'

export const ZMarketDataSetting = z.object({
  kind: z.enum(['exchange', 'simulated'], { message: 'choose exchange or simulated' }),
})
export type MarketDataSetting = z.infer<typeof ZMarketDataSetting>

/** The saved market-data source, else `fallback` (the MARKET_DATA_SOURCE default). */
export async function getMarketDataSetting(
  db: DbTx,
  fallback: MarketDataSetting['kind'] = env().MARKET_DATA_SOURCE,
): Promise<MarketDataSetting & { saved: boolean }> {
  const row = await db.setting.findUnique({ where: { key: MARKET_DATA_SETTING_KEY } })
  const parsed = ZMarketDataSetting.safeParse(row?.value)
  if (parsed.success) return { ...parsed.data, saved: true }
  return { kind: fallback, saved: false }
}

/**
 * Saves the source and tells the worker (NOTIFY settings, on commit) to switch feeds. The feed is
 * shared by every user, so only an admin may change it (403 otherwise).
 */
export async function setMarketDataSetting(opts: { db: Db; user: { role: 'ADMIN' | 'MEMBER' }; input: unknown }): Promise<MarketDataSetting> {
  requireAdmin(opts.user, 'change the market data source (it applies to every user)')
  const parsed = ZMarketDataSetting.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const value = parsed.data
  await opts.db.$transaction(async (tx) => {
    await tx.setting.upsert({
      where: { key: MARKET_DATA_SETTING_KEY },
      create: { key: MARKET_DATA_SETTING_KEY, value },
      update: { value },
    })
    await notify(tx, { kind: 'settings' })
  })
  return value
}
