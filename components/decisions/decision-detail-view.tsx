import Link from 'next/link'
import type { ReactNode } from 'react'
import { EmptyState, Panel } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import type { DecisionDetail } from '@/lib/server/decisions/get-decision'
import { formatTimestamp } from '@/lib/ui/time-format'
import { ActionBadge, ExecutedList, formatMs, OutcomeBadge, usageText } from './decision-parts'
import { ValidationList } from './validation-list'

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] uppercase tracking-wider text-neutral-500">{label}</dt>
      <dd className="break-words font-mono text-sm text-neutral-100">{children}</dd>
    </div>
  )
}

/** The prompt's text parts (system and user messages), shown as a person reads them. */
function promptTexts(prompt: unknown): { label: string; text: string }[] {
  if (!prompt || typeof prompt !== 'object' || Array.isArray(prompt)) return []
  const p = prompt as Record<string, unknown>
  return (['system', 'user'] as const).filter((k) => typeof p[k] === 'string' && (p[k] as string).length > 0).map((k) => ({ label: k === 'system' ? 'System prompt' : 'User prompt', text: p[k] as string }))
}

const pre = 'max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded border border-neutral-800 bg-neutral-950 p-3 font-mono text-xs text-neutral-200'

/** One decision in full: the journal entry, the exact prompt (pretty-printed) and the raw response (verbatim). */
export function DecisionDetailView({ d }: { d: DecisionDetail }) {
  const texts = d.call ? promptTexts(d.call.prompt) : []
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <Link href="/decisions" className="text-xs text-neutral-500 hover:text-neutral-300">
          ← Decision journal
        </Link>
        <h1 className="text-lg font-semibold">
          {d.symbol} <span className="text-sm font-normal text-neutral-400">· {d.traderName}</span>
        </h1>
        <ActionBadge action={d.action} />
        <OutcomeBadge outcome={d.outcome} />
        <span className="ml-auto font-mono text-xs text-neutral-500">{formatTimestamp(d.createdAt)}</span>
      </div>

      <Panel title="Summary">
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Confidence">{d.confidence ?? '—'}</Stat>
          <Stat label="Provider">{d.provider}</Stat>
          <Stat label="Model">{d.model || '—'}</Stat>
          <Stat label="Prompt version">{d.promptVersion || '—'}</Stat>
          <Stat label="Trigger">{d.trigger}</Stat>
          <Stat label="Latency">
            {formatMs(d.latencyMs)} (model {formatMs(d.modelLatencyMs)})
          </Stat>
          <Stat label="Tokens / cost">{usageText(d)}</Stat>
          <Stat label="Attempts">{d.call?.attempts ?? '—'}</Stat>
          <Stat label="Position">
            {d.positionId ? (
              <Link href={`/positions/${d.positionId}`} className="text-emerald-400 hover:underline">
                view position
              </Link>
            ) : (
              '—'
            )}
          </Stat>
          <Stat label="Cycle">{d.cycleId}</Stat>
        </dl>
        {d.reasoning ? <p className="mt-3 whitespace-pre-wrap text-sm text-neutral-300">{d.reasoning}</p> : null}
        {d.error ? (
          <p className="mt-3 rounded border border-red-900 bg-red-950/50 px-3 py-2 text-sm text-red-200" data-testid="decision-error">
            {d.error}
          </p>
        ) : null}
      </Panel>

      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="Validation">
          <ValidationList validation={d.validation} />
        </Panel>
        <Panel title="Executed">
          <ExecutedList executed={d.executed} />
          {d.approvals.length ? (
            <ul className="mt-3 space-y-1 text-xs" aria-label="Approval requests">
              {d.approvals.map((a) => (
                <li key={a.id} className="flex flex-wrap items-center gap-2">
                  <span className="text-neutral-400">Approval {a.kind.toLowerCase()}</span>
                  <StatusBadge value={a.status} />
                  <span className="text-neutral-500">{a.decidedAt ? `decided ${formatTimestamp(a.decidedAt)}` : `expires ${formatTimestamp(a.expiresAt)}`}</span>
                  {a.note ? <span className="text-neutral-300">“{a.note}”</span> : null}
                  {a.status === 'PENDING' ? (
                    <Link href="/approvals" className="text-emerald-400 hover:underline">
                      answer it
                    </Link>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
        </Panel>
      </div>

      <Panel title="Prompt">
        {d.call ? (
          <div className="space-y-3">
            {texts.map((t) => (
              <section key={t.label} aria-label={t.label}>
                <h3 className="mb-1 text-xs font-medium text-neutral-400">{t.label}</h3>
                <pre className={pre}>{t.text}</pre>
              </section>
            ))}
            <section aria-label="Prompt JSON">
              <h3 className="mb-1 text-xs font-medium text-neutral-400">Exactly what the provider was given (JSON)</h3>
              <pre className={pre} data-testid="decision-prompt">
                {JSON.stringify(d.call.prompt, null, 2)}
              </pre>
            </section>
          </div>
        ) : (
          <EmptyState>No call was made for this decision{d.error ? ` (${d.error})` : ''}, so there is no prompt.</EmptyState>
        )}
      </Panel>

      <Panel title="Raw response">
        {d.call ? (
          d.call.rawResponse === null ? (
            <EmptyState>The provider returned no response (see the error above).</EmptyState>
          ) : (
            <pre className={pre} data-testid="decision-raw-response">
              {d.call.rawResponse}
            </pre>
          )
        ) : (
          <EmptyState>No call was made, so there is no response.</EmptyState>
        )}
      </Panel>

      <Panel title="Parsed decision">
        {d.decision ? <pre className={pre}>{JSON.stringify(d.decision, null, 2)}</pre> : <EmptyState>The provider&apos;s output could not be read as a decision.</EmptyState>}
      </Panel>
    </div>
  )
}
