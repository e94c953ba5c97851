import Link from 'next/link'
import { headers } from 'next/headers'
import { notFound } from 'next/navigation'
import { GroupSettingsForm } from '@/components/groups/group-settings-form'
import { GroupsTable } from '@/components/groups/groups-table'
import { PoolPanel } from '@/components/groups/pool-panel'
import { PoolSettingsForm } from '@/components/groups/pool-settings-form'
import { RiskEnginePanel } from '@/components/groups/risk-engine-panel'
import { RiskEngineSettingsForm } from '@/components/groups/risk-engine-settings-form'
import { SIGNAL_FIELD_DOCS } from '@/components/signals/alert-message'
import { SignalLog } from '@/components/signals/signal-log'
import { SignalSettingsForm } from '@/components/signals/signal-settings-form'
import { WebhookSetup } from '@/components/signals/webhook-setup'
import { th } from '@/components/positions/positions-table'
import { Panel } from '@/components/ui/panel'
import { WIDE_ONLY } from '@/components/ui/phone-row'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { isAppError } from '@/lib/server/errors/app-error'
import { readGroupSettings, storedGroupSettings } from '@/lib/server/groups/group-settings'
import { readPoolSettings } from '@/lib/server/groups/pool-settings'
import { loadPoolView } from '@/lib/server/groups/pool-views'
import { readRiskEngineSettings, storedRiskEngineSettings } from '@/lib/server/groups/risk-engine-settings'
import { loadRiskEngineView } from '@/lib/server/groups/risk-engine-views'
import { loadGroupSettingsView } from '@/lib/server/groups/update-group-settings'
import { loadSignalSettingsView } from '@/lib/server/signals/update-signal-settings'
import { webhookUrl } from '@/lib/server/signals/webhook-url'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Signals' }

/** A trader's TradingView webhook: URL, secret, alert message, the fields, settings and the signal log. */
export default async function TraderSignalsPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser()
  const { id } = await params
  const trader = await db().trader.findFirst({ where: { id, userId: user.id }, select: { id: true, name: true, quoteCurrency: true, watchlist: true } })
  if (!trader) notFound()
  const missing = (e: unknown): never => {
    if (isAppError(e) && e.code === 'NOT_FOUND') notFound()
    throw e
  }
  const [view, groups, pool, riskEngine] = await Promise.all([
    loadSignalSettingsView(db(), { userId: user.id, traderId: id }).catch(missing),
    loadGroupSettingsView(db(), { userId: user.id, traderId: id }).catch(missing),
    loadPoolView(db(), user.id),
    loadRiskEngineView(db(), user.id),
  ])
  const url = webhookUrl(await headers(), id)
  return (
    <div className="max-w-5xl space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <Link href={`/traders/${id}`} className="text-xs text-neutral-500 hover:text-neutral-300">
          ← {trader.name}
        </Link>
        <h1 className="text-lg font-semibold">Signals</h1>
        <span className="text-sm text-neutral-400">TradingView alerts that open and close {trader.name}&apos;s positions</span>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="Webhook">
          <WebhookSetup traderId={id} url={url} initial={view.secret} />
        </Panel>
        <div className="space-y-4">
          <Panel title="Signal settings">
            <SignalSettingsForm traderId={id} quote={trader.quoteCurrency} initial={view.settings} />
          </Panel>
          <Panel title="How signals are handled">
            <ul className="list-disc space-y-1 pl-4 text-xs text-neutral-400">
              <li>The webhook answers 202 at once; the worker then runs the signal through the same checks as a manual order (risk limits, halts). With approvals on for automated entries or exits, signals are refused: they cannot wait for one yet.</li>
              <li>Signals of one symbol run one after another, in the order they arrived: a close followed by an open never race.</li>
              <li>Without position groups, an entry while a position is open is refused; a close with nothing open is done with nothing to do.</li>
              <li>With position groups on, an entry plans a pyramid of legs: leg 1 at market, the others as resting limit entries further from the price. Another entry in the same direction (or intent pyramid) adds a pyramid to the open group of that symbol and interval, up to its maximum. An entry of the other side, or beside a plain position of the symbol, is refused.</li>
              <li>The group pool caps the position groups open at once across all your traders. An entry that finds it full waits in a queue (continuations first, then the pair losing most) and the best-ranked runs when a slot frees; a waiting entry expires after the queue expiry, and an exit signal for its pair removes it.</li>
              <li>The risk engine (off, and in dry run, by default) watches your open groups: once a group&apos;s loss reaches the threshold, with all its pyramids in and its timer passed, it partially closes up to the max winners, most profitable first, to realize enough profit to cover that loss, then closes the loser. In dry run it only records what it would do; Skip once and Block keep a group out of it.</li>
              <li>A close (or exit) closes the whole group: its resting legs are canceled and what it holds is sold at market. With a size, an exit reduces the group instead, first in, first out by leg (with several groups of the symbol open, name the interval). A reverse while a group holds the symbol is refused: send close, then entry.</li>
              <li>Refused requests (bad secret, unknown field or symbol, stale, price too far, paused trader) are logged below with the reason, never with the secret.</li>
            </ul>
          </Panel>
        </div>
      </div>
      <Panel title="Alert fields">
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="Alert fields">
            <thead>
              <tr>
                <th className={th}>Field</th>
                <th className={`${th} ${WIDE_ONLY}`}>TradingView value</th>
                <th className={th}>Meaning</th>
              </tr>
            </thead>
            <tbody>
              {SIGNAL_FIELD_DOCS.map((f) => (
                <tr key={f.field} className="border-t border-neutral-800">
                  <td className="whitespace-nowrap px-2 py-1.5 align-top font-mono text-xs text-neutral-200">
                    {f.field}
                    {f.required ? <span className="text-amber-400"> *</span> : null}
                    {/* On a phone the value's column is hidden: it is here, under the field. */}
                    <div className="max-w-32 break-all whitespace-normal text-neutral-400 sm:hidden">{f.placeholder}</div>
                  </td>
                  <td className={`px-2 py-1.5 align-top font-mono text-xs break-all text-neutral-400 ${WIDE_ONLY}`}>{f.placeholder}</td>
                  <td className="px-2 py-1.5 align-top text-xs text-neutral-300">{f.meaning}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="mt-2 text-xs text-neutral-500">* required. Any other field is refused (400, naming it). key=value lines work too: one field a line, or separated by ;.</p>
      </Panel>
      <Panel title="Position groups">
        <div className="space-y-4">
          <GroupSettingsForm traderId={id} quote={trader.quoteCurrency} initial={groups.settings} defaults={storedGroupSettings(readGroupSettings(null))} />
          <div className="border-t border-neutral-800 pt-3">
            <GroupsTable traderId={id} />
          </div>
        </div>
      </Panel>
      <Panel title="Group pool (all your traders)">
        <div className="space-y-4">
          <PoolSettingsForm initial={pool.settings} defaults={readPoolSettings(null)} />
          <div className="border-t border-neutral-800 pt-3">
            <PoolPanel initial={pool} />
          </div>
        </div>
      </Panel>
      <Panel title="Risk engine (all your traders)">
        <div className="space-y-4">
          <RiskEngineSettingsForm initial={riskEngine.settings} defaults={storedRiskEngineSettings(readRiskEngineSettings(null))} />
          <div className="border-t border-neutral-800 pt-3">
            <RiskEnginePanel initial={riskEngine} />
          </div>
        </div>
      </Panel>
      <SignalLog traderId={id} symbols={trader.watchlist} />
    </div>
  )
}
