'use client'

import { useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { Fragment, useState, useTransition } from 'react'
import { closeGroupAction } from '@/app/(app)/traders/[id]/signals/actions'
import { fetchJson } from '@/components/live/fetch-json'
import { num, td, th } from '@/components/positions/positions-table'
import { EmptyState } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import { LAPTOP_ONLY, PhoneRow } from '@/components/ui/phone-row'
import type { GroupLegView, GroupView } from '@/lib/server/groups/group-views'
import { formatDecimal, formatPnl, pnlTone } from '@/lib/ui/decimal-format'
import { formatTimestamp } from '@/lib/ui/time-format'

type State = 'active' | 'closed'
// Legs fill and the worker moves a group's stop and targets within a second or two.
const REFRESH_MS = 2000
const groupsKey = (traderId: string) => ['groups', traderId] as const

/** The trader's position groups, active or closed; each row opens onto its pyramids and their legs. */
export function GroupsTable({ traderId }: { traderId: string }) {
  const [state, setState] = useState<State>('active')
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set())
  const q = useQuery({
    queryKey: [...groupsKey(traderId), state],
    queryFn: () => fetchJson<{ groups: GroupView[] }>(`/api/v1/traders/${traderId}/groups?state=${state}&limit=50`),
    refetchInterval: REFRESH_MS,
  })
  const groups = q.data?.groups ?? []
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev)
      if (!next.delete(id)) next.add(id)
      return next
    })

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-sm font-semibold text-neutral-200">Groups</h3>
        <div role="group" aria-label="Groups shown" className="flex gap-1">
          {(['active', 'closed'] as const).map((s) => (
            <button
              key={s}
              type="button"
              aria-pressed={state === s}
              onClick={() => setState(s)}
              className={`rounded border px-2 py-0.5 text-xs ${state === s ? 'border-emerald-700 bg-emerald-950 text-emerald-300' : 'border-neutral-700 text-neutral-400 hover:text-neutral-200'}`}
            >
              {s === 'active' ? 'Active' : 'Closed'}
            </button>
          ))}
        </div>
        <span className="ml-auto text-xs text-neutral-500">{q.isFetching ? 'Updating…' : `${groups.length} shown`}</span>
      </div>
      {q.error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load the groups: {q.error.message}
        </p>
      ) : null}
      {groups.length === 0 && !q.isPending ? (
        <EmptyState>{state === 'active' ? 'No open group. With groups on, an entry signal starts one.' : 'No closed group yet.'}</EmptyState>
      ) : (
        // relative: the sr-only header is absolutely placed, and must scroll with the table rather than widen the page.
        <div className="relative overflow-x-auto">
          <table className="w-full text-xs" aria-label="Position groups">
            <thead>
              <tr>
                <th className={th}>
                  <span className="sr-only">Pyramids</span>
                </th>
                <th className={th}>Symbol</th>
                <th className={th}>Side</th>
                <th className={th}>Status</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Legs filled</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Open qty @ avg</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Stop</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Target</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Unrealized PnL</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Realized PnL</th>
                <th className={`${th} ${LAPTOP_ONLY}`}>Created (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <Fragment key={g.id}>
                  <GroupRow g={g} expanded={open.has(g.id)} onToggle={() => toggle(g.id)} traderId={traderId} />
                  <GroupPhoneRow g={g} />
                  {open.has(g.id) ? (
                    <tr id={`group-${g.id}-pyramids`} className="bg-neutral-950/60">
                      <td colSpan={11} className="px-2 py-2">
                        <Pyramids g={g} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

function GroupRow({ g, expanded, onToggle, traderId }: { g: GroupView; expanded: boolean; onToggle: () => void; traderId: string }) {
  const name = `${g.symbol}${g.timeframe ? ` ${g.timeframe}` : ''}`
  return (
    <tr className="border-t border-neutral-800" data-group-id={g.id} data-status={g.status}>
      <td className={td}>
        <button
          type="button"
          aria-expanded={expanded}
          aria-controls={`group-${g.id}-pyramids`}
          aria-label={`Pyramids of the ${name} group`}
          onClick={onToggle}
          className="rounded border border-neutral-700 px-1.5 font-mono text-xs text-neutral-300 hover:border-neutral-500"
        >
          {expanded ? '▾' : '▸'}
        </button>
      </td>
      <td className={`${td} font-medium text-neutral-100`}>
        {g.symbol}
        {/* Below a laptop's width the timeframe is in the row under this one. */}
        {g.timeframe ? <span className="ml-1 hidden font-mono text-xs font-normal text-neutral-500 xl:inline">{g.timeframe}</span> : null}
        {/* Below a laptop's width the PnL columns are hidden: the group's PnL is here, the rest in the row under it.
            A label may wrap under its figure: unwrapped, a long PnL made the table a fraction wider than the window. */}
        <div className="whitespace-normal text-[11px] font-normal text-neutral-500 xl:hidden" data-testid="group-pnl-compact">
          {g.status === 'OPEN' ? (
            <>
              <span className={`font-mono ${pnlTone(g.unrealizedPnl)}`}>{formatPnl(g.unrealizedPnl)}</span> open
              <br />
            </>
          ) : null}
          <span className={`font-mono ${pnlTone(g.realizedPnl)}`}>{formatPnl(g.realizedPnl)}</span> realized
        </div>
      </td>
      <td className={td}>
        <StatusBadge value={g.side} />
      </td>
      <td className={td}>
        <StatusBadge value={g.status} />
        {g.status !== 'OPEN' && g.closeReason ? <div className="max-w-48 whitespace-normal text-[11px] text-neutral-500">{g.closeReason}</div> : null}
        {/* Next to the status it changes: the last columns may be scrolled out of sight. */}
        {g.status === 'OPEN' ? <CloseGroupButton g={g} name={name} traderId={traderId} /> : null}
      </td>
      <td className={`${num} ${LAPTOP_ONLY}`}>
        <span data-testid="legs-filled">
          {g.legsFilled}/{g.legsPlanned}
        </span>
        <div className="font-sans text-[11px] text-neutral-500">{pyramidCount(g)}</div>
      </td>
      <td className={`${num} ${LAPTOP_ONLY}`}>
        {formatDecimal(g.openQty)}
        <div className="text-[11px] text-neutral-500">@ {formatDecimal(g.avgEntryPrice)}</div>
      </td>
      <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(g.stopLoss)}</td>
      <td className={`${num} ${LAPTOP_ONLY}`}>
        {formatDecimal(g.aggregateTarget)}
        <div className="text-[11px] text-neutral-500">{targetMode(g)}</div>
      </td>
      <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(g.unrealizedPnl)}`}>{formatPnl(g.unrealizedPnl)}</td>
      <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(g.realizedPnl)}`}>{formatPnl(g.realizedPnl)}</td>
      {/* May wrap between the date and the time: with every column shown, the table only just fits a laptop's panel. */}
      <td className={`px-2 py-1.5 align-top ${LAPTOP_ONLY} font-mono text-xs text-neutral-400`}>
        <time dateTime={g.createdAt}>{formatTimestamp(g.createdAt)}</time>
      </td>
    </tr>
  )
}

const targetMode = (g: GroupView) => g.takeProfitMode.toLowerCase().replace('_', '-')
const pyramidCount = (g: GroupView) => `${g.pyramids.length} ${g.pyramids.length === 1 ? 'pyramid' : 'pyramids'}`

/** Below a laptop's width, the row under a group: what its hidden columns hold (timeframe, legs, size and price, stop, target, created). */
function GroupPhoneRow({ g }: { g: GroupView }) {
  return (
    <PhoneRow span={4} until="xl" className="space-y-0.5 text-[11px] text-neutral-400" data-details-of={g.id}>
      <div>
        {g.timeframe ? <span className="font-mono">{g.timeframe} · </span> : null}
        {pyramidCount(g)} · legs filled <span className="font-mono text-neutral-300">{g.legsFilled}/{g.legsPlanned}</span> · open{' '}
        <span className="font-mono text-neutral-300">
          {formatDecimal(g.openQty)} @ {formatDecimal(g.avgEntryPrice)}
        </span>
      </div>
      <div>
        stop <span className="font-mono text-neutral-300">{formatDecimal(g.stopLoss)}</span> · target <span className="font-mono text-neutral-300">{formatDecimal(g.aggregateTarget)}</span> ({targetMode(g)}) · created{' '}
        <time dateTime={g.createdAt} className="font-mono">
          {formatTimestamp(g.createdAt)}
        </time>
      </div>
    </PhoneRow>
  )
}

/** Close group, after a confirmation: its waiting legs are canceled, resting entries canceled and what it holds sold at market. */
function CloseGroupButton({ g, name, traderId }: { g: GroupView; name: string; traderId: string }) {
  const qc = useQueryClient()
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string>()
  const [pending, startTransition] = useTransition()
  const close = () =>
    startTransition(async () => {
      setError(undefined)
      const res = await closeGroupAction(g.id)
      setConfirming(false)
      if (!res.ok) setError(res.formError ?? Object.values(res.fieldErrors).join('; '))
      // Refused or not, the group may have moved on: show what it is now.
      await qc.invalidateQueries({ queryKey: groupsKey(traderId) })
    })
  const button = 'rounded px-2 py-1 text-xs font-semibold disabled:opacity-50'
  return (
    <div className="mt-1 space-y-1">
      {confirming ? (
        <div role="alertdialog" aria-label={`Confirm closing the ${name} group`} className="space-y-1 whitespace-normal rounded border border-red-800 bg-red-950/60 p-2 text-xs text-red-100">
          <p className="w-56">Cancel its waiting and resting legs and sell what it holds at market?</p>
          <div className="flex gap-2">
            <button type="button" disabled={pending} onClick={close} className={`${button} bg-red-600 text-white`}>
              {pending ? 'Closing…' : 'Yes, close group'}
            </button>
            <button type="button" disabled={pending} onClick={() => setConfirming(false)} className={`${button} border border-neutral-600 text-neutral-200`}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)} className={`${button} bg-red-700 text-white hover:bg-red-600`}>
          Close group
        </button>
      )}
      {error ? (
        <p role="alert" className="w-56 whitespace-normal text-xs text-red-400">
          Could not close the group: {error}
        </p>
      ) : null}
    </div>
  )
}

function Pyramids({ g }: { g: GroupView }) {
  return (
    <div className="space-y-3">
      {g.pyramids.map((p) => (
        <div key={p.id} className="space-y-1">
          <p className="text-xs text-neutral-400">
            Pyramid {p.index + 1}: entry {formatDecimal(p.entryPrice)}, capital {formatDecimal(p.capitalQuote)}, <time dateTime={p.createdAt}>{formatTimestamp(p.createdAt)}</time> UTC
          </p>
          <table className="w-full text-xs" aria-label={`Legs of pyramid ${p.index + 1}`}>
            <thead>
              <tr>
                <th className={th}>Leg</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Deviation %</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Weight %</th>
                <th className={`${th} text-right`}>Price</th>
                <th className={`${th} text-right`}>Qty</th>
                <th className={th}>Status</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Filled avg</th>
                <th className={`${th} ${LAPTOP_ONLY} text-right`}>Stop / target</th>
                <th className={`${th} ${LAPTOP_ONLY}`}>Reason</th>
              </tr>
            </thead>
            <tbody>
              {p.legs.map((l) => (
                <LegRow key={l.id} l={l} />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  )
}

function LegRow({ l }: { l: GroupLegView }) {
  const pos = l.position
  const filled = pos && pos.entryQty !== '0'
  return (
    <>
      <tr className="border-t border-neutral-800" data-leg={l.index + 1} data-status={l.status}>
        <td className={`${td} font-mono`}>{l.index + 1}</td>
        <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(l.deviationPct, { maxDp: 4 })}</td>
        <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(l.weightPct, { maxDp: 2 })}</td>
        <td className={num}>{formatDecimal(l.price)}</td>
        <td className={num}>{formatDecimal(l.qty)}</td>
        <td className={td}>
          {/* May wrap ("Position" over its id): on a phone the four columns only just fit, and a wide id would push the table past the window. */}
          <span className="flex flex-wrap items-center gap-1 whitespace-normal">
            <StatusBadge value={l.status} />
            {l.status === 'PLACED' && pos ? (
              <>
                <StatusBadge value={pos.status} title="The leg's position" />
                <Link href={`/positions/${pos.id}`} className="text-emerald-400 hover:underline">
                  Position {pos.id.slice(-8)}
                </Link>
              </>
            ) : null}
          </span>
        </td>
        <td className={`${num} ${LAPTOP_ONLY}`}>{filled ? formatDecimal(pos.avgEntryPrice) : '—'}</td>
        <td className={`${num} ${LAPTOP_ONLY}`}>
          {formatDecimal(pos?.stopLoss)}
          <div className="text-[11px] text-neutral-500">{formatDecimal(pos?.target)}</div>
        </td>
        <td className={`min-w-40 px-2 py-1.5 align-top text-neutral-400 ${LAPTOP_ONLY}`}>{l.reason ?? ''}</td>
      </tr>
      <PhoneRow span={4} until="xl" className="space-y-0.5 text-neutral-400" data-leg-details={l.index + 1}>
        <div>
          deviation <span className="font-mono text-neutral-300">{formatDecimal(l.deviationPct, { maxDp: 4 })}%</span> · weight{' '}
          <span className="font-mono text-neutral-300">{formatDecimal(l.weightPct, { maxDp: 2 })}%</span>
          {filled ? (
            <>
              {' '}
              · filled avg <span className="font-mono text-neutral-300">{formatDecimal(pos.avgEntryPrice)}</span>
            </>
          ) : null}
        </div>
        {pos ? (
          <div>
            stop <span className="font-mono text-neutral-300">{formatDecimal(pos.stopLoss)}</span> · target <span className="font-mono text-neutral-300">{formatDecimal(pos.target)}</span>
          </div>
        ) : null}
        {l.reason ? <div>{l.reason}</div> : null}
      </PhoneRow>
    </>
  )
}
