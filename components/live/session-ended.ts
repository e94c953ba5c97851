import { FetchError } from './fetch-json'

/** Whether `err` is this app's answer to a browser whose session no longer holds (signed out elsewhere, password changed, user removed). */
export function isSessionEnded(err: unknown): boolean {
  return err instanceof FetchError && err.status === 401
}

/**
 * Sends the tab to the sign-in page, to come back here afterwards: a page whose session ended
 * would otherwise stay up with every panel failing one by one, and its actions refused.
 */
export function toSignIn(): void {
  const { pathname, search } = window.location
  if (pathname === '/signin') return
  window.location.assign(`/signin?callbackUrl=${encodeURIComponent(pathname + search)}`)
}

/**
 * Asks whether this browser's session still holds, with a light read that needs it: an
 * EventSource refused with a 401 shows no status, only that it closed.
 */
export async function sessionHolds(): Promise<boolean> {
  const res = await fetch('/api/ui/approvals/count', { cache: 'no-store', headers: { accept: 'application/json' } }).catch(() => null)
  // No answer at all (the app restarting, say) says nothing about the session.
  return res?.status !== 401
}
