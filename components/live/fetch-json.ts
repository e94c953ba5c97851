/** A JSON route's failure: its HTTP status, and its error body's message (or the status line). */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'FetchError'
  }
}

/** GET a JSON route of this app; an error body's message becomes the thrown FetchError's message. */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } })
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
  if (!res.ok) throw new FetchError(body?.error?.message ?? `${res.status} ${res.statusText}`, res.status)
  return body as T
}

/**
 * React Query's retry rule for these routes: one more try for what may pass (a 5xx, no answer at
 * all), none for a 4xx, which would only say the same again a second later (a chart of a
 * simulated market, say) while the panel shows "Loading…".
 */
export function retryUnlessRefused(failures: number, err: unknown): boolean {
  return failures < 1 && !(err instanceof FetchError && err.status >= 400 && err.status < 500)
}
