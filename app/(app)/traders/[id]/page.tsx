import Link from 'next/link'
import { notFound } from 'next/navigation'
import { AiConnectionForm } from '@/components/traders/ai-connection-form'
import { BalanceRows } from '@/components/traders/balance-rows'
import { RiskEventsTable } from '@/components/traders/risk-events-table'
import { TraderRiskLimitsForm } from '@/components/traders/risk-limits-form'
import { EditTraderForm } from '@/components/traders/trader-forms'
import { ApprovalsForm, AutomationForm, DecisionChecksForm, ManagementForm, SizingForm } from '@/components/traders/trader-settings-forms'
import { TraderStatusCard } from '@/components/traders/trader-status-card'
import { TraderUniverse } from '@/components/traders/trader-universe'
import { Panel } from '@/components/ui/panel'
import { ModeBadge } from '@/components/ui/mode-badge'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { isAppError } from '@/lib/server/errors/app-error'
import { accountSummaries } from '@/lib/server/positions/position-views'
import { loadRecentRiskEvents, loadTraderSettingsView, TRADER_SETTING_DEFAULTS } from '@/lib/server/traders/trader-settings-view'
import { formatDecimal, formatEquity } from '@/lib/ui/decimal-format'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Trader' }

async function loadSettings(userId: string, traderId: string) {
  try {
    return await loadTraderSettingsView(db(), { userId, traderId })
  } catch (err) {
    if (isAppError(err) && err.code === 'NOT_FOUND') notFound()
    throw err
  }
}

export default async function TraderPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser()
  const { id } = await params
  const [settings, summaries, riskEvents] = await Promise.all([
    loadSettings(user.id, id),
    accountSummaries(db(), user.id),
    loadRecentRiskEvents(db(), { userId: user.id, traderId: id }),
  ])
  const trader = summaries.find((t) => t.traderId === id)
  if (!trader) notFound()
  const defaults = TRADER_SETTING_DEFAULTS
  return (
    <div className="max-w-5xl space-y-4">
      <div className="flex items-center gap-2">
        <Link href="/traders" className="text-xs text-neutral-500 hover:text-neutral-300">
          ← Traders
        </Link>
        <h1 className="text-lg font-semibold">{trader.traderName}</h1>
        <ModeBadge mode={trader.mode} />
        <Link href={`/traders/${id}/signals`} className="ml-auto text-sm text-emerald-400 hover:underline">
          Signals (TradingView webhook) →
        </Link>
      </div>
      <Panel title="Status">
        <TraderStatusCard traderId={id} initial={settings.state} />
      </Panel>
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="space-y-4">
          <Panel title="Automation">
            <AutomationForm settings={settings} defaults={defaults} />
          </Panel>
          <Panel title="AI connection">
            <AiConnectionForm settings={settings} defaults={defaults} />
          </Panel>
          <Panel title="Decision checks">
            <DecisionChecksForm settings={settings} defaults={defaults} />
          </Panel>
          <Panel title="Approvals">
            <ApprovalsForm settings={settings} defaults={defaults} />
          </Panel>
        </div>
        <div className="space-y-4">
          <Panel title="Position sizing">
            <SizingForm settings={settings} defaults={defaults} />
          </Panel>
          <Panel title="Stop management">
            <ManagementForm settings={settings} defaults={defaults} />
          </Panel>
          <Panel title="Risk limits">
            <TraderRiskLimitsForm traderId={id} quote={settings.quoteCurrency} values={settings} defaults={defaults} />
          </Panel>
        </div>
      </div>
      <Panel title="Recent risk events">
        <RiskEventsTable events={riskEvents} />
      </Panel>
      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="Account">
          <dl className="grid grid-cols-2 gap-2 text-sm">
            <dt className="text-neutral-500">Quote currency</dt>
            <dd className="font-mono">{trader.quoteCurrency}</dd>
            <dt className="text-neutral-500">Equity</dt>
            <dd className="font-mono">{formatEquity(trader.equity, trader.quoteCurrency)}</dd>
            <BalanceRows balances={trader.balances} quoteCurrency={trader.quoteCurrency} amountClassName="font-mono" />
          </dl>
        </Panel>
        <Panel title="Edit trader">
          <div className="space-y-4">
            <TraderUniverse traderId={id} initial={summaries} />
            <EditTraderForm trader={trader} />
          </div>
        </Panel>
      </div>
    </div>
  )
}
