import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { AuthCard } from '@/components/auth-card'
import { db } from '@/lib/db/client'
import { getPageUser } from '@/lib/server/auth/current-user'
import { countUsers } from '@/lib/server/auth/users'
import { SignInForm } from './signin-form'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: 'Sign in' }

/** Only same-site paths, so the form cannot be used to bounce someone to another site. */
function safeCallbackUrl(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value
  if (!v || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return '/'
  return v
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const database = db()
  if ((await countUsers(database)) === 0) redirect('/setup')
  const params = await searchParams
  const callbackUrl = safeCallbackUrl(params.callbackUrl)
  if (await getPageUser(database)) redirect(callbackUrl)
  const error = typeof params.error === 'string' ? params.error : undefined
  return (
    <AuthCard title="Sign in">
      <SignInForm callbackUrl={callbackUrl} initialError={error} />
    </AuthCard>
  )
}
