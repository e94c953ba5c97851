import type { ReactNode } from 'react'
import { SubmitButton } from '@/components/ui/fields'

/** The "Load older …" button under a keyset-paged list (a TanStack infinite query); nothing on the last page. */
export function LoadOlderButton({ query, children }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }; children: ReactNode }) {
  if (!query.hasNextPage) return null
  return (
    <div className="mt-3 text-center">
      <SubmitButton type="button" tone="secondary" pending={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
        {children}
      </SubmitButton>
    </div>
  )
}
