import { QueryCache, QueryClient } from '@tanstack/react-query'
import { retryUnlessRefused } from './live/fetch-json'
import { isSessionEnded, toSignIn } from './live/session-ended'

/** A tab's React Query client: what every page's reads share. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    // A read refused because the session ended: to the sign-in page, and back here after it.
    queryCache: new QueryCache({ onError: (err) => isSessionEnded(err) && toSignIn() }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        retry: retryUnlessRefused,
        // What the server rendered counts as old, so a page's query reads it again once mounted:
        // an event streamed between the server's render and the query's creation invalidates
        // nothing (the AI's stop move that reached the stream while the position page was
        // still loading, in the e2e run after 25c3795, never showed on it).
        initialDataUpdatedAt: 0,
      },
    },
  })
}
