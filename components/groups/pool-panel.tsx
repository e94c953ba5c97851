'use client'

import { promotePoolEntryAction, removePoolEntryAction } from '@/app/(app)/traders/[id]/signals/actions'
import { useNow } from '@/components/live/use-now'
import { num, td } from '@/components/positions/positions-table'
import { FormError } from '@/components/ui/fields'
import { StatusBadge } from '@/components/ui/status-badge'
import type { PoolView } from '@/lib/server/groups/pool-views'
import { formatPercent, pnlTone } from '@/lib/ui/decimal-format'
import { formatAge, formatTimestamp } from '@/lib/ui/time-format'
import { ActionButton, ActionsCell, LoadError, PanelSection, PanelTable, right } from './panel-parts'
import { usePanelActions, usePolledView } from './use-panel-actions'

// The worker promotes into a freed slot within moments, and entries expire: read the pool this often.
const REFRESH_MS = 3000
/** The user's pool, whichever trader's page shows it (the settings form writes it too). */
export const poolKey = ['pool'] as const

type Waiting = PoolView['waiting'][number]
type Entry = Pick<Waiting, 'traderName' | 'symbol' | 'timeframe' | 'side'>

const pair = (e: { symbol: string; timeframe: string }) => `${e.symbol}${e.timeframe ? ` ${e.timeframe}` : ''}`

/** The Trader, Symbol, Interval and Side cells both tables start with. */
function EntryCells({ e }: { e: Entry }) {
  return (
    <>
      <td className={`${td} text-neutral-300`}>{e.traderName}</td>
      <td className={`${td} font-medium text-neutral-100`}>{e.symbol}</td>
      <td className={`${td} font-mono text-neutral-400`}>{e.timeframe || '—'}</td>
      <td className={td}>
        <StatusBadge value={e.side} />
      </td>
    </>
  )
}

/** The group pool of all the user's traders: its slots, the entries waiting for one, and what left the queue lately. */
export function PoolPanel({ initial }: { initial: PoolView }) {
  // Ages and time left move on every few seconds.
  const now = useNow(5000)
  const { data: pool = initial, error: loadError, isFetching } = usePolledView(poolKey, '/api/v1/pool', initial, REFRESH_MS)
  // Refused or not, the queue is read again after: promoted by the worker or expired, it may have moved on.
  const { pending, busyId, error, act: run } = usePanelActions(poolKey)
  const act = (e: Waiting, verb: 'promote' | 'remove') =>
    run(e.id, () => (verb === 'promote' ? promotePoolEntryAction(e.id) : removePoolEntryAction(e.id)), `Could not ${verb} the ${pair(e)} entry of ${e.traderName}`)

  const { cap, used, free } = pool.slots
  const full = free === 0
  return (
    <div className="space-y-3">
      <div className="space-y-1">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <p className="text-neutral-200" data-testid="pool-slots">
            {used} of {cap} slots in use, {free} free
          </p>
          <span className="text-xs text-neutral-500">· {pool.waiting.length} waiting</span>
          <span className="ml-auto text-xs text-neutral-500">{isFetching ? 'Updating…' : null}</span>
        </div>
        {/* Decorative: the sentence above says the same. Shown full when the pool was made smaller than what is open. */}
        <div aria-hidden="true" className="h-1.5 overflow-hidden rounded bg-neutral-800">
          <div className={`h-full ${full ? 'bg-amber-500' : 'bg-emerald-600'}`} style={{ width: `${Math.min(100, cap ? (used / cap) * 100 : 100)}%` }} />
        </div>
      </div>
      <LoadError error={loadError}>Could not load the group pool: </LoadError>
      <FormError messages={[error]} />

      <PanelSection title="Queue" empty={pool.waiting.length === 0 && 'No entries waiting'}>
        {full ? <p className="text-xs text-neutral-500">The pool is full: the first entry runs when a group closes. Promote needs a free slot; raise Max open groups to make one.</p> : null}
        <PanelTable label="Pool queue" columns={[right('Rank'), 'Trader', 'Symbol', 'Interval', 'Side', right('Pair PnL %'), right('Replacements'), 'Waiting since', 'Expires', 'Actions']}>
          {pool.waiting.map((e) => (
            <tr key={e.id} className="border-t border-neutral-800" data-entry-id={e.id}>
              <td className={num}>
                {e.rank}
                {/* Why it ranks ahead of deeper losses. */}
                {e.continuation ? <div className="font-sans text-[11px] text-neutral-500">continuation</div> : null}
              </td>
              <EntryCells e={e} />
              <td className={`${num} ${pnlTone(e.pairPnlPct)}`}>{formatPercent(e.pairPnlPct)}</td>
              <td className={num}>{e.replacements}</td>
              <td className={`${td} font-mono text-neutral-400`}>
                <time dateTime={e.queuedAt} title={`${formatTimestamp(e.queuedAt)} UTC`}>
                  {now === null ? `${formatTimestamp(e.queuedAt)} UTC` : `${formatAge(now - Date.parse(e.queuedAt))} ago`}
                </time>
              </td>
              <td className={`${td} font-mono text-neutral-400`}>
                <time dateTime={e.expiresAt} title={`${formatTimestamp(e.expiresAt)} UTC`}>
                  {now === null ? `${formatTimestamp(e.expiresAt)} UTC` : Date.parse(e.expiresAt) > now ? `in ${formatAge(Date.parse(e.expiresAt) - now)}` : 'due now'}
                </time>
              </td>
              <ActionsCell>
                <ActionButton
                  pending={pending}
                  busy={busyId === e.id}
                  aria-label={`Promote ${pair(e)} of ${e.traderName}`}
                  title={full ? 'The pool is full: this is refused until a slot frees' : 'Give this entry the next free slot, ahead of its rank'}
                  onClick={() => act(e, 'promote')}
                  className="rounded bg-emerald-700 px-2 py-1 text-xs font-semibold text-white hover:bg-emerald-600 disabled:opacity-50"
                >
                  Promote
                </ActionButton>
                <ActionButton
                  pending={pending}
                  busy={busyId === e.id}
                  aria-label={`Remove ${pair(e)} of ${e.traderName}`}
                  title="Take it out of the queue: its signal is rejected"
                  onClick={() => act(e, 'remove')}
                  className="rounded border border-neutral-600 px-2 py-1 text-xs font-semibold text-neutral-200 hover:border-neutral-400 disabled:opacity-50"
                >
                  Remove
                </ActionButton>
              </ActionsCell>
            </tr>
          ))}
        </PanelTable>
      </PanelSection>

      <PanelSection title="Recently left the queue" ruled empty={pool.recent.length === 0 && 'Nothing has left the queue yet.'}>
        <PanelTable label="Pool queue history" columns={['Left (UTC)', 'Trader', 'Symbol', 'Interval', 'Side', 'Status', 'Reason']}>
          {pool.recent.map((e) => (
            <tr key={e.id} className="border-t border-neutral-800" data-entry-id={e.id} data-status={e.status}>
              <td className={`${td} font-mono text-neutral-400`}>
                <time dateTime={e.endedAt ?? undefined}>{formatTimestamp(e.endedAt)}</time>
              </td>
              <EntryCells e={e} />
              <td className={td}>
                <StatusBadge value={e.status} />
              </td>
              <td className="min-w-40 px-2 py-1.5 align-top text-neutral-400">{e.endReason ?? '—'}</td>
            </tr>
          ))}
        </PanelTable>
      </PanelSection>
    </div>
  )
}
