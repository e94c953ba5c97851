import { db, type Db } from '@/lib/db/client'
import { getHealth } from '@/lib/server/health/get-health'
import { healthOptions } from '@/lib/server/health/health-options'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** Public liveness: 200 when ok or degraded, 503 when the database is down. */
export const GET = handleRoute(async () => {
  let database: Db | null = null
  try {
    database = db()
  } catch {
    database = null // DATABASE_URL missing: reported as database down
  }
  const health = await getHealth(healthOptions(database))
  return jsonResponse(health, health.status === 'down' ? 503 : 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
