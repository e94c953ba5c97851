import type { AuthUser } from '@/lib/server/auth/users'
import { getPageUser } from '@/lib/server/auth/current-user'
import { knownError } from '@/lib/server/errors/known-error'
import '@/lib/server/validation/zod-messages'

/**
 * What a form's server action returns: data, or errors a form can place — `fieldErrors` keyed by
 * the service's dotted field path (`takeProfits.0.price`), `formError` for the rest (e.g. a 503
 * for a stale market). Server actions cannot throw typed errors to the browser, hence the union.
 */
export type ActionResult<T = null> =
  | { ok: true; data: T }
  | { ok: false; status: number; formError?: string; fieldErrors: Record<string, string> }

/** Runs one service call for the signed-in user and maps AppErrors onto the form. */
export async function runAction<T>(where: string, fn: (user: AuthUser) => Promise<T>): Promise<ActionResult<T>> {
  try {
    // Inside the try: finding the user reads the database, which may be busy (a 503 to show, not a crash of the page).
    const user = await getPageUser()
    if (!user) return { ok: false, status: 401, formError: 'Your session has ended. Sign in again.', fieldErrors: {} }
    return { ok: true, data: await fn(user) }
  } catch (caught) {
    const err = knownError(caught)
    if (err) {
      const fieldErrors: Record<string, string> = {}
      for (const f of err.fieldErrors ?? []) fieldErrors[f.field] ??= f.message
      const hasFields = Object.keys(fieldErrors).length > 0
      return { ok: false, status: err.status, formError: hasFields ? undefined : err.message, fieldErrors }
    }
    console.error(`[ui] ${where} failed:`, caught)
    return { ok: false, status: 500, formError: 'Something went wrong on the server. Check the server log.', fieldErrors: {} }
  }
}
