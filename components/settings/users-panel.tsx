'use client'

import { useRouter } from 'next/navigation'
import { useState, useTransition, type FormEvent } from 'react'
import { createInviteAction, createUserAction, removeUserAction, revokeInviteAction } from '@/app/(app)/settings/user-actions'
import { td, th } from '@/components/positions/positions-table'
import { FormError, SelectField, SubmitButton, TextField } from '@/components/ui/fields'
import { EmptyState } from '@/components/ui/panel'
import { WIDE_ONLY } from '@/components/ui/phone-row'
import type { InviteView } from '@/lib/server/invites/invite-view'
import type { UserView } from '@/lib/server/users/user-view'
import type { ActionResult } from '@/lib/server/ui/action-result'
import { formatTimestamp } from '@/lib/ui/time-format'

const ROLES = [
  { value: 'MEMBER', label: 'Member (own traders only)' },
  { value: 'ADMIN', label: 'Admin (manages users and global settings)' },
]

type Errors = { form?: string; fields: Record<string, string> }
const noErrors: Errors = { fields: {} }
function errorsOf(res: ActionResult<unknown>): Errors {
  return res.ok ? noErrors : { form: res.formError, fields: res.fieldErrors }
}

const role = (u: UserView) => (u.role === 'ADMIN' ? 'Admin' : 'Member')

/** Settings → Users (admins only; the page does not render it for members). */
export function UsersPanel({ users, invites, currentUserId }: { users: UserView[]; invites: InviteView[]; currentUserId: string }) {
  return (
    <div id="users" className="space-y-5">
      <UserList users={users} currentUserId={currentUserId} />
      <PendingInvites invites={invites} />
      <div className="grid gap-5 md:grid-cols-2">
        <AddUserForm />
        <InviteForm />
      </div>
    </div>
  )
}

function UserList({ users, currentUserId }: { users: UserView[]; currentUserId: string }) {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [error, setError] = useState<string>()
  function remove(u: UserView) {
    if (!window.confirm(`Remove ${u.email}? Their traders, closed positions, decisions, tokens and channels are deleted. This cannot be undone.`)) return
    startTransition(async () => {
      const res = await removeUserAction(u.id)
      setError(res.ok ? undefined : (res.formError ?? 'Could not remove the user.'))
      if (res.ok) router.refresh()
    })
  }
  return (
    <section aria-labelledby="users-heading" className="space-y-2">
      <h3 id="users-heading" className="text-xs font-semibold uppercase tracking-wider text-neutral-400">
        Accounts
      </h3>
      <FormError messages={[error]} />
      <div className="relative overflow-x-auto">
        <table className="w-full text-sm" aria-label="User accounts">
          <thead>
            <tr>
              <th className={th}>Email</th>
              <th className={`${th} ${WIDE_ONLY}`}>Name</th>
              <th className={`${th} ${WIDE_ONLY}`}>Role</th>
              <th className={`${th} ${WIDE_ONLY}`}>Traders</th>
              <th className={`${th} ${WIDE_ONLY}`}>Since (UTC)</th>
              <th className={th} />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-t border-neutral-800" data-testid="user-row">
                <td className={td}>
                  <span className="font-mono">{u.email}</span>
                  {/* On a phone the other columns are hidden, so that Remove stays in the window: what they hold is here. */}
                  <div className="whitespace-normal text-xs text-neutral-400 sm:hidden" data-testid="user-details-compact">
                    {u.name ?? '—'} · {role(u)} · {u.traderCount} {u.traderCount === 1 ? 'trader' : 'traders'} · since {formatTimestamp(u.createdAt)}
                  </div>
                </td>
                <td className={`${td} ${WIDE_ONLY}`}>{u.name ?? '—'}</td>
                <td className={`${td} ${WIDE_ONLY}`}>{role(u)}</td>
                <td className={`${td} ${WIDE_ONLY}`}>{u.traderCount}</td>
                <td className={`${td} ${WIDE_ONLY}`}>{formatTimestamp(u.createdAt)}</td>
                <td className={`${td} text-right`}>
                  {u.id === currentUserId ? (
                    <span className="text-xs text-neutral-500">you</span>
                  ) : (
                    <SubmitButton type="button" tone="danger" pending={pending} onClick={() => remove(u)} aria-label={`Remove ${u.email}`}>
                      Remove
                    </SubmitButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-neutral-500">A user with open positions or resting orders cannot be removed until those are closed (their panic button flattens everything).</p>
    </section>
  )
}

function PendingInvites({ invites }: { invites: InviteView[] }) {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [error, setError] = useState<string>()
  function revoke(i: InviteView) {
    startTransition(async () => {
      const res = await revokeInviteAction(i.id)
      setError(res.ok ? undefined : (res.formError ?? 'Could not revoke the invite.'))
      if (res.ok) router.refresh()
    })
  }
  return (
    <section aria-labelledby="invites-heading" className="space-y-2">
      <h3 id="invites-heading" className="text-xs font-semibold uppercase tracking-wider text-neutral-400">
        Pending invites
      </h3>
      <FormError messages={[error]} />
      {invites.length === 0 ? (
        <EmptyState>No pending invites.</EmptyState>
      ) : (
        <ul className="divide-y divide-neutral-800 text-sm">
          {invites.map((i) => (
            <li key={i.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5" data-testid="invite-row">
              <span className="min-w-0 break-all font-mono">{i.email}</span>
              <span className="text-xs text-neutral-400">{i.role === 'ADMIN' ? 'admin' : 'member'}</span>
              <span className="text-xs text-neutral-500">expires {formatTimestamp(i.expiresAt)}</span>
              <SubmitButton type="button" tone="secondary" className="ml-auto" pending={pending} onClick={() => revoke(i)} aria-label={`Revoke the invite for ${i.email}`}>
                Revoke
              </SubmitButton>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function AddUserForm() {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [errors, setErrors] = useState<Errors>(noErrors)
  const [done, setDone] = useState<string>()
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    setDone(undefined)
    startTransition(async () => {
      const res = await createUserAction({ email: f.get('email'), name: f.get('name'), password: f.get('password'), role: f.get('role') })
      setErrors(errorsOf(res))
      if (!res.ok) return
      form.reset()
      setDone(`Added ${res.data.email}. Give them the initial password; they sign in at /signin.`)
      router.refresh()
    })
  }
  return (
    <form onSubmit={onSubmit} aria-label="Add user" className="space-y-2" noValidate>
      <h3 className="text-xs font-semibold uppercase tracking-wider text-neutral-400">Add a user</h3>
      <TextField id="new-user-email" name="email" label="Email" type="email" autoComplete="off" error={errors.fields.email} />
      <TextField id="new-user-name" name="name" label="Name (optional)" autoComplete="off" error={errors.fields.name} />
      <TextField id="new-user-password" name="password" label="Initial password" type="password" autoComplete="new-password" hint="At least 10 characters." error={errors.fields.password} />
      <SelectField id="new-user-role" name="role" label="Role" options={ROLES} defaultValue="MEMBER" error={errors.fields.role} />
      <FormError messages={[errors.form]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Add user</SubmitButton>
    </form>
  )
}

function InviteForm() {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [errors, setErrors] = useState<Errors>(noErrors)
  const [link, setLink] = useState<string>()
  const [copied, setCopied] = useState(false)
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    const hours = String(f.get('expiresInHours') ?? '').trim()
    setLink(undefined)
    setCopied(false)
    startTransition(async () => {
      const res = await createInviteAction({ email: f.get('email'), role: f.get('role'), expiresInHours: hours === '' ? undefined : Number(hours) })
      setErrors(errorsOf(res))
      if (!res.ok) return
      form.reset()
      setLink(`${window.location.origin}${res.data.url}`)
      router.refresh()
    })
  }
  async function copy() {
    if (!link) return
    await navigator.clipboard.writeText(link)
    setCopied(true)
  }
  return (
    <form onSubmit={onSubmit} aria-label="Invite user" className="space-y-2" noValidate>
      <h3 className="text-xs font-semibold uppercase tracking-wider text-neutral-400">Invite by link</h3>
      <TextField id="invite-email" name="email" label="Email" type="email" autoComplete="off" error={errors.fields.email} />
      <SelectField id="invite-role" name="role" label="Role" options={ROLES} defaultValue="MEMBER" error={errors.fields.role} />
      <TextField id="invite-hours" name="expiresInHours" label="Expires after (hours)" inputMode="numeric" placeholder="72" hint="Default 72, at most 720." error={errors.fields.expiresInHours} />
      <FormError messages={[errors.form]} />
      {link ? (
        <div role="status" className="space-y-1 rounded border border-emerald-800 bg-emerald-950/30 p-2">
          <p className="text-xs text-emerald-300">Send this link to the person. It is shown only now and works once.</p>
          <div className="flex items-center gap-2">
            <input readOnly value={link} aria-label="Invite link" data-testid="invite-link" className="min-w-0 flex-1 rounded border border-neutral-700 bg-neutral-950 px-2 py-1 font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
            <SubmitButton type="button" tone="secondary" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy link'}
            </SubmitButton>
          </div>
        </div>
      ) : null}
      <SubmitButton pending={pending}>Create invite link</SubmitButton>
    </form>
  )
}
