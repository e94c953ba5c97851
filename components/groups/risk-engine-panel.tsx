'use client'

import { useState } from 'react'
import { runRiskEngineNowAction, setGroupRiskControlsAction } from '@/app/(app)/traders/[id]/signals/actions'
import { num, td } from '@/components/positions/positions-table'
import { FormError } from '@/components/ui/fields'
import { StatusBadge } from '@/components/ui/status-badge'
import type { RiskEngineView } from '@/lib/server/groups/risk-engine-views'
import { formatBalance, formatDecimal, formatPercent, formatPnl, pnlTone } from '@/lib/ui/decimal-format'
import { formatTimestamp } from '@/lib/ui/time-format'
import { ActionButton, ActionsCell, LoadError, PanelSection, PanelTable, right } from './panel-parts'
import { usePanelActions, usePolledView } from './use-panel-actions'

// Groups' PnL moves with the market and the worker decides on its own schedule: read the view this often.
const REFRESH_MS = 3000
/** The user's risk engine, whichever trader's page shows it (the settings form writes it too). */
export const riskEngineKey = ['risk-engine'] as const

type Group = RiskEngineView['groups'][number]
type Run = RiskEngineView['runs'][number]
type Step = Run['steps'][number]
type Settings = RiskEngineView['settings']

const pair = (g: { symbol: string; timeframe: string }) => `${g.symbol}${g.timeframe ? ` ${g.timeframe}` : ''}`

/** The one line that says whether it acts; the tests and the e2e read it as is. */
export function riskEngineStatus(s: Settings): string {
  if (!s.enabled) return 'Off'
  return s.dryRun ? 'On, dry run: it only records what it would do' : 'On: it acts'
}

function thresholds(s: Settings): string {
  const pyramids = s.requireAllPyramids ? ', once all its pyramids are in' : ''
  return `A group qualifies as the loser at a loss of ${s.lossThresholdPct}% or more, ${s.minAgeMinutes} min after its last entry${pyramids}; up to ${s.maxWinners} ${s.maxWinners === 1 ? 'winner' : 'winners'} cover it.`
}

/** One step of a decision, compact: "sell 0.1677 ETH/USDT at 3600 (+100.01) · orders 2", "close BTC/USDT group: CLOSING". */
function stepText(s: Step): string {
  if (s.kind === 'CLOSE_LOSER') return `close ${s.symbol} group${s.status ? `: ${s.status}` : ''}`
  const verb = s.side === 'LONG' ? 'sell' : 'buy back'
  const orders = s.orderIds?.length ? ` · orders ${s.orderIds.length}` : ''
  return `${verb} ${s.qty} ${s.symbol} at ${s.price} (${formatDecimal(s.realized, { dp: 2, sign: true, group: false })})${orders}`
}

/** The group risk engine of all the user's traders: whether it acts, the open groups it weighs, and its last decisions. */
export function RiskEnginePanel({ initial }: { initial: RiskEngineView }) {
  const { data: view = initial, error: loadError, isFetching } = usePolledView(riskEngineKey, '/api/v1/risk-engine', initial, REFRESH_MS)
  // Refused or not, the view is read again after: a group may have moved on (closed, offset by the worker).
  const { pending, busyId, error, act: run } = usePanelActions(riskEngineKey)
  const [message, setMessage] = useState<string>()

  const runNow = () => {
    setMessage(undefined)
    run('run', () => runRiskEngineNowAction(), 'Could not run the risk engine', (data) => setMessage(data.message))
  }

  const act = (g: Group, verb: 'skip once' | 'cancel the skip of' | 'block' | 'unblock') => {
    setMessage(undefined)
    const input = verb === 'skip once' || verb === 'cancel the skip of' ? { skipOnce: verb === 'skip once' } : { blocked: verb === 'block' }
    run(g.id, () => setGroupRiskControlsAction(g.id, input), `Could not ${verb} the ${pair(g)} group of ${g.traderName}`)
  }

  const { settings } = view
  return (
    <div className="space-y-3">
      <div className="space-y-1">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className={`inline-block h-2 w-2 rounded-full ${!settings.enabled ? 'bg-neutral-600' : settings.dryRun ? 'bg-amber-500' : 'bg-emerald-500'}`} aria-hidden="true" />
          <p className="text-neutral-200" data-testid="risk-engine-status">
            {riskEngineStatus(settings)}
          </p>
          <span className="ml-auto text-xs text-neutral-500">{isFetching ? 'Updating…' : null}</span>
        </div>
        <p className="text-xs text-neutral-500" data-testid="risk-engine-thresholds">
          {thresholds(settings)}
        </p>
      </div>
      <LoadError error={loadError}>Could not load the risk engine: </LoadError>

      <div className="flex flex-wrap items-center gap-2">
        <ActionButton
          pending={pending}
          busy={busyId === 'run'}
          aria-label="Run now"
          title={settings.enabled ? 'Decide once now, whatever the schedule' : 'The risk engine is off: turn it on first'}
          onClick={runNow}
          className="rounded bg-emerald-700 px-3 py-1.5 text-xs font-semibold text-white hover:bg-emerald-600 disabled:opacity-50"
        >
          Run now
        </ActionButton>
        {message ? (
          <p role="status" className="text-xs text-emerald-400" data-testid="risk-engine-run-message">
            {message}
          </p>
        ) : null}
      </div>
      <FormError messages={[error]} />


      <PanelSection title="Open groups" empty={view.groups.length === 0 && 'No open groups'}>
        <PanelTable label="Risk engine groups" columns={['Trader', 'Symbol', 'Side', right('PnL'), right('Pyramids'), right('Age (min)'), 'Qualifies', 'Actions']}>
          {view.groups.map((g) => (
            <tr key={g.id} className="border-t border-neutral-800" data-group-id={g.id} data-eligible={g.eligible} data-blocked={g.blocked} data-skip-once={g.skipOnce}>
              <td className={`${td} text-neutral-300`}>{g.traderName}</td>
              <td className={`${td} font-medium text-neutral-100`}>
                {g.symbol}
                {g.timeframe ? <span className="ml-1 font-mono font-normal text-neutral-500">{g.timeframe}</span> : null}
              </td>
              <td className={td}>
                <StatusBadge value={g.side} />
              </td>
              <td className={`${num} ${pnlTone(g.pnl)}`}>
                {formatPnl(g.pnl)}
                <div className="text-[11px]">{formatPercent(g.pnlPct)}</div>
              </td>
              <td className={num}>
                {g.pyramids} of {g.maxPyramids}
              </td>
              <td className={num}>{g.ageMinutes}</td>
              <td className={`min-w-40 px-2 py-1.5 align-top ${g.eligible ? 'font-semibold text-amber-300' : 'text-neutral-400'}`}>{g.eligible ? 'yes' : g.notEligible}</td>
              <ActionsCell>
                <ActionButton
                  pending={pending}
                  busy={busyId === g.id}
                  aria-label={`${g.skipOnce ? 'Cancel skip' : 'Skip once'} ${pair(g)} of ${g.traderName}`}
                  title={g.skipOnce ? 'It will be passed over the next time it would be the loser: undo that' : 'Pass it over the next time it would be the loser; its timer then starts again'}
                  onClick={() => act(g, g.skipOnce ? 'cancel the skip of' : 'skip once')}
                  className="rounded border border-neutral-600 px-2 py-1 text-xs font-semibold text-neutral-200 hover:border-neutral-400 disabled:opacity-50"
                >
                  {g.skipOnce ? 'Cancel skip' : 'Skip once'}
                </ActionButton>
                <ActionButton
                  pending={pending}
                  busy={busyId === g.id}
                  aria-label={`${g.blocked ? 'Unblock' : 'Block'} ${pair(g)} of ${g.traderName}`}
                  title={g.blocked ? 'Let the risk engine pick it again' : 'Never pick this group, as the loser or as a winner'}
                  onClick={() => act(g, g.blocked ? 'unblock' : 'block')}
                  className={`rounded border px-2 py-1 text-xs font-semibold disabled:opacity-50 ${g.blocked ? 'border-amber-700 text-amber-300 hover:border-amber-500' : 'border-neutral-600 text-neutral-200 hover:border-neutral-400'}`}
                >
                  {g.blocked ? 'Unblock' : 'Block'}
                </ActionButton>
              </ActionsCell>
            </tr>
          ))}
        </PanelTable>
      </PanelSection>

      <PanelSection title="Decisions" ruled empty={view.runs.length === 0 && 'No decisions yet'}>
        <PanelTable label="Risk engine decisions" columns={['Time (UTC)', 'Status', 'Trigger', 'Dry run', 'Loser', right('Loss'), right('Covered'), 'Message', 'Steps']}>
          {view.runs.map((r) => (
            <tr key={r.id} className="border-t border-neutral-800" data-run-id={r.id} data-status={r.status}>
              <td className={`${td} font-mono text-neutral-400`}>
                <time dateTime={r.createdAt} title={r.finishedAt ? `finished ${formatTimestamp(r.finishedAt)} UTC` : undefined}>
                  {formatTimestamp(r.createdAt)}
                </time>
              </td>
              <td className={td}>
                <StatusBadge value={r.status} />
              </td>
              <td className={`${td} font-mono text-neutral-400`}>{r.trigger}</td>
              <td className={`${td} text-neutral-300`}>{r.dryRun ? 'yes' : 'no'}</td>
              <td className={`${td} font-medium text-neutral-100`}>{r.loserSymbol}</td>
              <td className={`${num} ${pnlTone(r.loss)}`}>
                {formatPnl(r.loss)}
                <div className="text-[11px]">{formatPercent(r.lossPct)}</div>
              </td>
              <td className={`${num} text-neutral-300`}>{formatBalance(r.covered, true).text}</td>
              <td className="min-w-48 px-2 py-1.5 align-top text-neutral-400">{r.message}</td>
              <td className="min-w-48 px-2 py-1.5 align-top">
                {r.steps.length === 0 ? (
                  <span className="text-neutral-500">—</span>
                ) : (
                  <ul className="space-y-0.5 font-mono text-[11px] text-neutral-300">
                    {r.steps.map((s, i) => (
                      <li key={i} data-step-kind={s.kind}>
                        {stepText(s)}
                        {s.error ? <span className="text-red-400"> — {s.error}</span> : null}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </PanelTable>
      </PanelSection>
    </div>
  )
}
