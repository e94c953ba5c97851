import type { Metadata } from 'next'
import Link from 'next/link'
import { AuthCard } from '@/components/auth-card'
import { db } from '@/lib/db/client'
import { INVITE_UNUSABLE_MESSAGES, lookupInvite } from '@/lib/server/invites/accept-invite'
import { InviteForm } from './invite-form'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: 'Accept invite', referrer: 'no-referrer' }

/** Public, like /setup: the invitee chooses a name and password; the link works once and expires. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params
  const invite = await lookupInvite(db(), token)
  if (invite.status !== 'valid') {
    return (
      <AuthCard title="Invite link unusable">
        <p role="alert" className="rounded-md border border-red-900 bg-red-950/50 px-3 py-2 text-sm text-red-300" data-testid="invite-unusable">
          {INVITE_UNUSABLE_MESSAGES[invite.status]}
        </p>
        <p className="mt-4 text-sm">
          <Link href="/signin" className="text-emerald-400 underline">
            Go to sign in
          </Link>
        </p>
      </AuthCard>
    )
  }
  return (
    <AuthCard
      title="Create your account"
      subtitle={
        <>
          You were invited as <span className="font-mono text-neutral-200">{invite.email}</span> ({invite.role === 'ADMIN' ? 'admin' : 'member'}). This link expires{' '}
          {invite.expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC.
        </>
      }
    >
      <InviteForm token={token} email={invite.email} />
    </AuthCard>
  )
}
