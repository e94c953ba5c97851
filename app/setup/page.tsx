import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { AuthCard } from '@/components/auth-card'
import { db } from '@/lib/db/client'
import { countUsers } from '@/lib/server/auth/users'
import { SetupForm } from './setup-form'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: 'Set up' }

/** First run only: once an account exists this page sends everyone to sign in. */
export default async function SetupPage() {
  if ((await countUsers(db())) > 0) redirect('/signin')
  return (
    <AuthCard title="Create the admin account" subtitle="This is a new installation. The first account you create owns it.">
      <SetupForm />
    </AuthCard>
  )
}
