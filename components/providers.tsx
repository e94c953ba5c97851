'use client'

import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { retryUnlessRefused } from './live/fetch-json'
import { isSessionEnded, toSignIn } from './live/session-ended'

/** Client-side context shared by every page: one React Query cache per browser tab. */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
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
      }),
  )
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
}
