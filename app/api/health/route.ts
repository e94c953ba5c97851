import { db, type Db } from '@/lib/db/client'
import { authenticateRequest, sessionFromRequest } from '@/lib/server/auth/current-user'
import { getHealth } from '@/lib/server/health/get-health'
import { healthOptions } from '@/lib/server/health/health-options'
import { publicHealth } from '@/lib/server/health/public-health'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/**
 * Public liveness: 200 when ok or degraded, 503 when the database is down. Anyone gets the verdict
 * and each part's ok (PublicHealth); a signed-in user or an API token gets the details too.
 */
export const GET = handleRoute(async (req: Request) => {
  let database: Db | null = null
  try {
    database = db()
  } catch {
    database = null // DATABASE_URL missing: reported as database down
  }
  const health = await getHealth(healthOptions(database))
  // A bad or expired token or session is not an error here: the caller gets the public view. With
  // the database down, a browser's session is recognised by its signed cookie alone (its version
  // cannot be checked meanwhile), so the dashboard still says what is down; a token cannot be.
  const signedIn =
    database === null || health.status === 'down'
      ? (await sessionFromRequest(req).catch(() => null)) !== null
      : await authenticateRequest(req, database).then(() => true, () => false)
  return jsonResponse(signedIn ? health : publicHealth(health), health.status === 'down' ? 503 : 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
