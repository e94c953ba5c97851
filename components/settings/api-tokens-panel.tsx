'use client'

import { useState, useTransition, type FormEvent } from 'react'
import { createApiTokenAction, revokeApiTokenAction, type ApiTokenRow } from '@/app/(app)/settings/actions'
import { FormError, SelectField, SubmitButton, TextField } from '@/components/ui/fields'
import { WIDE_ONLY } from '@/components/ui/phone-row'
import { formatTimestamp } from '@/lib/ui/time-format'

const LIFETIMES = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'date', label: 'Until a date…' },
  { value: 'never', label: 'Never expires' },
]

// In UTC, as every time on these pages.
const when = (iso: string | null) => formatTimestamp(iso)
const lastUsed = (r: ApiTokenRow) => (r.lastUsedAt ? when(r.lastUsedAt) : 'never')
const expires = (r: ApiTokenRow) => (r.expiresAt ? when(r.expiresAt) : 'never')
const STATUS_TONE = { active: 'text-emerald-400', expired: 'text-amber-400', revoked: 'text-neutral-500' } as const

/**
 * The user's API tokens: create one (shown once, then only its prefix), see when each was last
 * used and when it expires, and revoke it.
 */
export function ApiTokensPanel({ initial }: { initial: ApiTokenRow[] }) {
  const [rows, setRows] = useState(initial)
  // The page sent newer rows (it was refreshed: a password change revokes every token): they are the truth.
  const [shown, setShown] = useState(initial)
  if (shown !== initial) {
    setShown(initial)
    setRows(initial)
  }
  const [lifetime, setLifetime] = useState('90')
  const [created, setCreated] = useState<{ token: string; name: string }>()
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [pending, startTransition] = useTransition()

  function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = e.currentTarget
    const data = new FormData(form)
    const input: Record<string, unknown> = { name: String(data.get('name') ?? '') }
    if (lifetime === 'date') input.expiresAt = String(data.get('expiresAt') ?? '')
    else if (lifetime !== 'never') input.expiresInDays = Number(lifetime)
    setCreated(undefined)
    startTransition(async () => {
      const res = await createApiTokenAction(input)
      if (!res.ok) {
        setFieldErrors(res.fieldErrors)
        setFormError(res.formError)
        return
      }
      setFieldErrors({})
      setFormError(undefined)
      setCreated({ token: res.data.token, name: res.data.row.name })
      setRows((r) => [res.data.row, ...r])
      form.reset()
    })
  }

  function onRevoke(row: ApiTokenRow) {
    if (!window.confirm(`Revoke "${row.name}" (${row.prefix}…)? Anything using it stops working at once.`)) return
    startTransition(async () => {
      const res = await revokeApiTokenAction(row.id)
      if (!res.ok) {
        setFormError(res.formError ?? 'Could not revoke the token.')
        return
      }
      const now = new Date().toISOString()
      setRows((r) => r.map((x) => (x.id === row.id ? { ...x, status: 'revoked', revokedAt: x.revokedAt ?? now } : x)))
    })
  }

  return (
    <div className="space-y-4">
      <p className="text-xs text-neutral-500">
        Send a token as <span className="font-mono">Authorization: Bearer &lt;token&gt;</span> to the JSON API. It is shown once, when created; only its first
        characters are kept in clear. Changing your password revokes every token.
      </p>
      <form onSubmit={onCreate} aria-label="Create API token" noValidate className="grid gap-3 sm:grid-cols-3">
        <TextField id="apiTokenName" name="name" label="Name" placeholder="e.g. trading bot" maxLength={100} error={fieldErrors.name} />
        <SelectField id="apiTokenLifetime" label="Expires" value={lifetime} onChange={(e) => setLifetime(e.target.value)} options={LIFETIMES} error={fieldErrors.expiresInDays} />
        {lifetime === 'date' ? <TextField id="apiTokenExpiresAt" name="expiresAt" type="date" label="Expiry date (end of day, UTC)" error={fieldErrors.expiresAt} /> : <div />}
        <div className="sm:col-span-3 space-y-2">
          <FormError messages={[formError]} />
          <SubmitButton pending={pending}>Create token</SubmitButton>
        </div>
      </form>
      {created ? (
        <div role="status" className="space-y-1 rounded border border-emerald-800 bg-emerald-950/40 p-3 text-sm">
          <p className="text-emerald-300">Token “{created.name}” created. Copy it now: it will not be shown again.</p>
          <input readOnly aria-label="New API token" value={created.token} onFocus={(e) => e.currentTarget.select()} className="w-full rounded border border-neutral-700 bg-neutral-950 px-2 py-1 font-mono text-xs text-neutral-100" />
        </div>
      ) : null}
      {rows.length === 0 ? (
        <p className="text-sm text-neutral-500">No API tokens yet.</p>
      ) : (
        <div className="relative overflow-x-auto">
          <table className="w-full text-left text-xs" aria-label="API tokens">
            <thead className="text-neutral-500">
              <tr>
                <th className="py-1 pr-2 font-medium">Name</th>
                <th className={`py-1 pr-2 font-medium ${WIDE_ONLY}`}>Token</th>
                <th className={`py-1 pr-2 font-medium ${WIDE_ONLY}`}>Created (UTC)</th>
                <th className={`py-1 pr-2 font-medium ${WIDE_ONLY}`}>Last used</th>
                <th className={`py-1 pr-2 font-medium ${WIDE_ONLY}`}>Expires</th>
                <th className="py-1 pr-2 font-medium">Status</th>
                <th className="py-1" />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className="border-t border-neutral-800 text-neutral-300">
                  <td className="py-1.5 pr-2">
                    {r.name}
                    {/* On a phone the date columns are hidden, so that Revoke stays in the window: what they hold is here. */}
                    <div className="text-neutral-400 sm:hidden" data-testid="token-details-compact">
                      <span className="font-mono">{r.prefix}…</span> · created {when(r.createdAt)}
                      <br />
                      last used {lastUsed(r)} · expires {expires(r)}
                    </div>
                  </td>
                  <td className={`py-1.5 pr-2 font-mono ${WIDE_ONLY}`}>{r.prefix}…</td>
                  <td className={`py-1.5 pr-2 ${WIDE_ONLY}`}>{when(r.createdAt)}</td>
                  <td className={`py-1.5 pr-2 ${WIDE_ONLY}`}>{lastUsed(r)}</td>
                  <td className={`py-1.5 pr-2 ${WIDE_ONLY}`}>{expires(r)}</td>
                  <td className={`py-1.5 pr-2 ${STATUS_TONE[r.status]}`}>{r.status === 'revoked' ? `revoked ${when(r.revokedAt)}` : r.status}</td>
                  <td className="py-1.5 text-right">
                    {r.status === 'revoked' ? null : (
                      <SubmitButton type="button" tone="danger" pending={pending} onClick={() => onRevoke(r)} aria-label={`Revoke ${r.name}`}>
                        Revoke
                      </SubmitButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
