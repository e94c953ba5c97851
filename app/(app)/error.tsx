'use client'

import { PageError } from '@/components/page-error'

/**
 * A page of the signed-in app that failed to load: said under the header, so the navigation and
 * the panic button stay within reach.
 */
export default function AppPageError(props: { error: Error & { digest?: string }; retry: () => void }) {
  return <PageError {...props} />
}
