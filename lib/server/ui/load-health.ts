import { db } from '@/lib/db/client'
import { getHealth, type Health } from '@/lib/server/health/get-health'
import { healthOptions } from '@/lib/server/health/health-options'

/** Health as /api/health reports it, for server-rendered pages (the browser refetches /api/health). */
export function loadHealth(): Promise<Health> {
  return getHealth(healthOptions(db()))
}
