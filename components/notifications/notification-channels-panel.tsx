'use client'

import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Fragment, useState, useTransition, type FormEvent } from 'react'
import { createChannelAction, deleteChannelAction, testChannelAction, updateChannelAction } from '@/app/(app)/notifications/actions'
import { fetchJson } from '@/components/live/fetch-json'
import { td, th } from '@/components/positions/positions-table'
import { FormError, SelectField, SubmitButton, TextField } from '@/components/ui/fields'
import { useActionForm } from '@/components/ui/use-action-form'
import { EmptyState, Panel } from '@/components/ui/panel'
import { PhoneRow, WIDE_FROM, WIDE_ONLY } from '@/components/ui/phone-row'
import { SoftBreaks } from '@/components/ui/soft-breaks'
import type { ChannelView, DeliveryView, TestNotificationOutcome } from '@/lib/server/notifications/channels'
import { formatTimestamp } from '@/lib/ui/time-format'
import { accountQueryKeys, useLiveEvents } from '@/components/live/use-live-events'

type Data = { channels: ChannelView[]; deliveries: DeliveryView[] }

const FORMATS = [
  { value: 'auto', label: 'Auto-detect from the URL' },
  { value: 'generic', label: 'Generic JSON' },
  { value: 'telegram', label: 'Telegram' },
  { value: 'discord', label: 'Discord' },
]

const DELIVERY_TONES: Record<string, string> = {
  DELIVERED: 'text-emerald-400',
  PENDING: 'text-sky-300',
  SENDING: 'text-sky-300',
  RETRYING: 'text-amber-300',
  FAILED: 'text-red-400',
  SKIPPED: 'text-neutral-500',
}

/**
 * Settings → Notifications: webhook channels (add, enable/disable, delete, send a test) and the
 * delivery log. The URL of a channel never comes back from the server, only its masked hint.
 * `privateHostsAllowed`: the server's NOTIFY_ALLOW_PRIVATE_HOSTS, so the form says which URLs work.
 */
export function NotificationChannelsPanel({ privateHostsAllowed }: { privateHostsAllowed: boolean }) {
  useLiveEvents()
  const { data, error, isPending } = useQuery({
    queryKey: accountQueryKeys.channels,
    queryFn: () => fetchJson<Data>('/api/ui/notifications/channels'),
  })
  return (
    <Panel title="Notifications">
      <div id="notifications" className="space-y-5">
        <p className="text-xs text-neutral-400">
          Position opened/closed, stop moved, take-profit hit, stopped out, approvals, limit breaches, panic and errors are sent to every enabled channel (retried
          with backoff). Telegram and Discord URLs are recognised; anything else receives generic JSON.
        </p>
        {error ? (
          <p role="alert" className="text-sm text-red-400">
            Could not load channels: {error.message}
          </p>
        ) : null}
        {isPending ? <p className="text-sm text-neutral-500">Loading…</p> : data ? <ChannelList channels={data.channels} /> : null}
        <AddChannelForm privateHostsAllowed={privateHostsAllowed} />
        <section aria-labelledby="delivery-log-heading" className="space-y-2">
          <h3 id="delivery-log-heading" className="text-xs font-semibold uppercase tracking-wider text-neutral-400">
            Delivery log
          </h3>
          {data ? <DeliveryLog deliveries={data.deliveries} /> : null}
        </section>
      </div>
    </Panel>
  )
}

function ChannelList({ channels }: { channels: ChannelView[] }) {
  if (channels.length === 0) return <EmptyState>No webhook channels yet. Add one below to be notified outside the app.</EmptyState>
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label="Webhook channels">
        <thead>
          <tr>
            <th className={th}>Name</th>
            <th className={`${th} ${WIDE_ONLY}`}>Format</th>
            <th className={`${th} ${WIDE_ONLY}`}>URL</th>
            <th className={th}>Enabled</th>
            <th className={th}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <ChannelRow key={c.id} c={c} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

function ChannelRow({ c }: { c: ChannelView }) {
  const qc = useQueryClient()
  const [pending, startTransition] = useTransition()
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null)
  const refresh = () => void qc.invalidateQueries({ queryKey: accountQueryKeys.channels })

  const toggle = () =>
    startTransition(async () => {
      const res = await updateChannelAction(c.id, { enabled: !c.enabled })
      setMessage(res.ok ? null : { kind: 'error', text: res.formError ?? Object.values(res.fieldErrors)[0] ?? 'Could not change it.' })
      refresh()
    })
  const remove = () => {
    if (!window.confirm(`Delete the channel "${c.name}" and its delivery log?`)) return
    startTransition(async () => {
      const res = await deleteChannelAction(c.id)
      if (!res.ok) setMessage({ kind: 'error', text: res.formError ?? 'Could not delete it.' })
      refresh()
    })
  }
  const test = () =>
    startTransition(async () => {
      setMessage(null)
      const res = await testChannelAction(c.id)
      if (!res.ok) return setMessage({ kind: 'error', text: res.formError ?? 'Could not send the test.' })
      setMessage(testText(res.data))
    })

  return (
    <tr className="border-t border-neutral-800" data-channel-id={c.id} aria-label={`Channel ${c.name}`}>
      <td className="min-w-[8rem] px-2 py-1.5 align-top font-medium">
        {c.name}
        {/* A phone has no format and URL columns. */}
        <div className="text-[11px] font-normal text-neutral-500 sm:hidden">
          {c.format} · <span className="break-all font-mono">{c.urlHint}</span>
        </div>
      </td>
      <td className={`${td} ${WIDE_ONLY} text-xs`}>{c.format}</td>
      <td className={`${WIDE_ONLY} min-w-[8rem] px-2 py-1.5 align-top font-mono text-xs text-neutral-400 wrap-anywhere`}>{c.urlHint}</td>
      <td className={td}>
        <label className="inline-flex items-center gap-1.5 text-xs">
          <input type="checkbox" checked={c.enabled} onChange={toggle} disabled={pending} className="accent-emerald-500" aria-label={`Enabled ${c.name}`} />
          {c.enabled ? 'on' : 'off'}
        </label>
      </td>
      <td className="px-2 py-1.5 align-top">
        <div className="flex flex-wrap items-center gap-2">
          <SubmitButton type="button" tone="secondary" pending={pending} onClick={test} aria-label={`Send test to ${c.name}`}>
            Send test
          </SubmitButton>
          <SubmitButton type="button" tone="danger" disabled={pending} onClick={remove} aria-label={`Delete ${c.name}`}>
            Delete
          </SubmitButton>
        </div>
        {message ? (
          <p role={message.kind === 'error' ? 'alert' : 'status'} className={`mt-1 text-xs ${message.kind === 'error' ? 'text-red-400' : 'text-emerald-400'}`}>
            {message.text}
          </p>
        ) : null}
      </td>
    </tr>
  )
}

function testText(r: TestNotificationOutcome): { kind: 'ok' | 'error'; text: string } {
  if (r.delivered) return { kind: 'ok', text: `Test delivered${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ''}.` }
  return { kind: 'error', text: `Test not delivered: ${r.error ?? (r.httpStatus ? `HTTP ${r.httpStatus}` : 'no answer')}` }
}

function AddChannelForm({ privateHostsAllowed }: { privateHostsAllowed: boolean }) {
  const qc = useQueryClient()
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [format, setFormat] = useState('auto')
  const { pending, fieldErrors: errors, formError, done, submit } = useActionForm()

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    submit(() => createChannelAction({ name, url, format }), {
      onSuccess: (channel) => {
        setName('')
        setUrl('')
        setFormat('auto')
        void qc.invalidateQueries({ queryKey: accountQueryKeys.channels })
        return `Added "${channel.name}" (${channel.format}).`
      },
    })
  }

  const other = Object.entries(errors).filter(([f]) => !['name', 'url', 'format'].includes(f)).map(([f, m]) => `${f}: ${m}`)
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add webhook channel" className="space-y-3 rounded border border-neutral-800 p-3">
      <h3 className="text-xs font-semibold uppercase tracking-wider text-neutral-400">Add a channel</h3>
      <div className="grid gap-3 sm:grid-cols-[1fr_2fr_1fr]">
        <TextField id="channel-name" label="Channel name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} maxLength={60} autoComplete="off" />
        <TextField
          id="channel-url"
          label="Webhook URL"
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={errors.url}
          autoComplete="off"
          spellCheck={false}
          hint={`Stored encrypted; only a masked hint is shown afterwards.${privateHostsAllowed ? '' : ' Only public addresses: this server refuses local and private ones (localhost, LAN, link-local).'}`}
          placeholder="https://…"
        />
        <SelectField id="channel-format" label="Format" value={format} onChange={(e) => setFormat(e.target.value)} error={errors.format} options={FORMATS} />
      </div>
      <FormError messages={[formError, ...other]} />
      {done ? (
        <p role="status" className="text-xs text-emerald-400">
          {done}
        </p>
      ) : null}
      <SubmitButton pending={pending}>Add channel</SubmitButton>
    </form>
  )
}

function DeliveryLog({ deliveries }: { deliveries: DeliveryView[] }) {
  if (deliveries.length === 0) return <EmptyState>Nothing sent yet.</EmptyState>
  return (
    <div className="relative max-h-96 overflow-auto">
      <table className="w-full text-sm" aria-label="Delivery log">
        <thead>
          <tr>
            <th className={th}>Created</th>
            <th className={`${th} ${WIDE_FROM.md}`}>Channel</th>
            <th className={th}>Event</th>
            <th className={th}>Status</th>
            <th className={`${th} ${WIDE_FROM.md} text-right`}>Attempts</th>
            <th className={`${th} ${WIDE_FROM.md}`}>Last error</th>
            <th className={`${th} ${WIDE_FROM.md}`}>Delivered at</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <Fragment key={d.id}>
              <tr className="border-t border-neutral-800" data-status={d.status}>
                <td className="px-2 py-1.5 align-top font-mono text-xs text-neutral-400 md:whitespace-nowrap">
                  {formatTimestamp(d.createdAt)}
                  {/* Below md there is no channel column: the channel is under the time. */}
                  <div className="font-sans text-neutral-300 md:hidden">{d.channelName}</div>
                </td>
                <td className={`${WIDE_FROM.md} min-w-[6rem] px-2 py-1.5 align-top text-xs`}>{d.channelName}</td>
                <td className="max-w-[18rem] px-2 py-1.5 align-top text-xs text-neutral-300">
                  <span className="font-mono text-neutral-500">
                    <SoftBreaks text={d.eventType ?? '—'} />
                  </span>{' '}
                  {d.message}
                </td>
                <td className={`px-2 py-1.5 align-top text-xs font-semibold ${DELIVERY_TONES[d.status] ?? ''}`}>
                  {d.status}
                  {d.nextAttemptAt ? <div className="font-normal text-neutral-500">next {formatTimestamp(d.nextAttemptAt)}</div> : null}
                </td>
                <td className={`${td} ${WIDE_FROM.md} text-right font-mono text-xs`}>{d.attempts}</td>
                <td className={`${WIDE_FROM.md} max-w-[16rem] px-2 py-1.5 align-top text-xs text-red-300`}>{d.lastError ?? <span className="text-neutral-600">—</span>}</td>
                <td className={`${td} ${WIDE_FROM.md} font-mono text-xs text-neutral-400`}>{formatTimestamp(d.deliveredAt)}</td>
              </tr>
              <PhoneRow until="md" className="space-y-0.5 text-xs" data-delivery-details={d.id}>
                <div className="text-neutral-400">
                  {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                  {d.deliveredAt ? ` · delivered ${formatTimestamp(d.deliveredAt)}` : ''}
                </div>
                {d.lastError ? <div className="text-red-300 wrap-anywhere">{d.lastError}</div> : null}
              </PhoneRow>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}
