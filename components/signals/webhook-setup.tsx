'use client'

import { useState, useTransition } from 'react'
import { rotateWebhookSecretAction } from '@/app/(app)/traders/[id]/signals/actions'
import { FormError, SubmitButton } from '@/components/ui/fields'
import { formatTimestamp } from '@/lib/ui/time-format'
import { alertLines, alertMessage } from './alert-message'

const box = 'block w-full rounded border border-neutral-700 bg-neutral-950 px-2 py-1.5 font-mono text-xs text-neutral-200'

function CopyBlock({ label, text, id }: { label: string; text: string; id: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="min-w-0 space-y-1">
      <div className="flex items-center gap-2">
        <label htmlFor={id} className="text-xs font-medium text-neutral-400">
          {label}
        </label>
        <button
          type="button"
          className="ml-auto text-xs text-neutral-400 underline hover:text-neutral-200"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {text.includes('\n') ? (
        <textarea id={id} readOnly value={text} rows={Math.min(16, text.split('\n').length + 1)} onFocus={(e) => e.currentTarget.select()} className={`resize-none ${box}`} />
      ) : (
        <input id={id} readOnly value={text} onFocus={(e) => e.currentTarget.select()} className={box} />
      )}
    </div>
  )
}

/**
 * The trader's webhook: its URL, the secret (generated or rotated here and shown this once; only
 * its last four characters are kept readable), and the alert message to paste into TradingView.
 */
export function WebhookSetup({ traderId, url, initial }: { traderId: string; url: string; initial: { set: boolean; hint: string | null; createdAt: string | null } }) {
  const [state, setState] = useState(initial)
  const [shown, setShown] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string>()
  const [pending, startTransition] = useTransition()

  const generate = () => {
    setError(undefined)
    startTransition(async () => {
      const res = await rotateWebhookSecretAction(traderId)
      setConfirming(false)
      if (!res.ok) {
        setError(res.formError ?? 'Could not generate a secret')
        return
      }
      setShown(res.data.secret)
      setState({ set: true, hint: res.data.hint, createdAt: res.data.createdAt })
    })
  }

  const secretForMessage = shown ?? (state.set ? `<your secret, ending …${state.hint}>` : '<generate a secret first>')
  return (
    <div className="space-y-4">
      <CopyBlock id="webhook-url" label="Webhook URL (TradingView: alert → Notifications → Webhook URL)" text={url} />
      <p className="text-xs text-neutral-500">TradingView posts only to ports 80 and 443 over IPv4: give this app a public address (a reverse proxy) for real alerts.</p>

      <div className="space-y-2">
        <p className="text-sm text-neutral-300">
          Secret:{' '}
          {state.set ? (
            <span>
              set, ending <span className="font-mono">…{state.hint}</span> (since {formatTimestamp(state.createdAt)} UTC)
            </span>
          ) : (
            <span className="text-amber-300">none yet: every alert is refused until you generate one</span>
          )}
        </p>
        {shown ? (
          <div role="status" className="space-y-1 rounded border border-emerald-800 bg-emerald-950/40 p-2">
            <p className="text-xs text-emerald-300">Your new secret. It is shown this once: copy it now (it is in the alert message below too).</p>
            <CopyBlock id="webhook-secret" label="Secret" text={shown} />
          </div>
        ) : null}
        <div className="flex flex-wrap items-center gap-2">
          {!state.set ? (
            <SubmitButton type="button" pending={pending} onClick={generate}>
              Generate secret
            </SubmitButton>
          ) : confirming ? (
            <>
              <SubmitButton type="button" tone="danger" pending={pending} onClick={generate}>
                Rotate: the old secret stops working
              </SubmitButton>
              <SubmitButton type="button" tone="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </SubmitButton>
            </>
          ) : (
            <SubmitButton type="button" tone="secondary" onClick={() => setConfirming(true)}>
              Rotate secret
            </SubmitButton>
          )}
        </div>
        <FormError messages={[error]} />
      </div>

      <CopyBlock id="alert-message" label="Alert message (JSON)" text={alertMessage(secretForMessage)} />
      <details className="text-sm">
        <summary className="cursor-pointer text-xs text-neutral-400">The same as key=value lines</summary>
        <div className="mt-2">
          <CopyBlock id="alert-lines" label="Alert message (key=value)" text={alertLines(secretForMessage)} />
        </div>
      </details>
    </div>
  )
}
