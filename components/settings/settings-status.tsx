'use client'

import { useLiveEvents } from '@/components/live/use-live-events'
import { MarketStatusBanner } from '@/components/market/market-status-banner'
import type { Health } from '@/lib/server/health/get-health'

/** Current market-data and worker status, kept live. */
export function SettingsStatus({ health }: { health: Health }) {
  useLiveEvents()
  return <MarketStatusBanner initialHealth={health} />
}
