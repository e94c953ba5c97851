'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { DashboardPriceChart } from '@/components/charts/dashboard-price-chart'
import { fetchJson } from '@/components/live/fetch-json'
import { queryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { MarketStatusBanner } from '@/components/market/market-status-banner'
import { PanicButton } from '@/components/panic/panic-button'
import { TradingHaltBanner } from '@/components/panic/trading-halt-banner'
import { OpenPositionsTable } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import type { Health } from '@/lib/server/health/get-health'
import type { DashboardData } from '@/lib/server/ui/load-dashboard'
import { AccountsPanel } from './accounts-panel'
import { ActivityFeed } from './activity-feed'
import { OpenPositionForm } from './open-position-form'

export function DashboardView({ initial, health }: { initial: DashboardData; health: Health }) {
  useLiveEvents()
  const { data = initial, error } = useQuery({
    queryKey: queryKeys.dashboard,
    queryFn: () => fetchJson<DashboardData>('/api/ui/dashboard'),
    initialData: initial,
  })
  const noTraders = data.accounts.length === 0
  const modes = Object.fromEntries(data.accounts.map((a) => [a.traderId, a.mode]))
  return (
    <div className="space-y-4">
      <div className="flex items-start gap-3">
        <h1 className="text-lg font-semibold">Dashboard</h1>
        {noTraders ? null : (
          // Below lg the header carries the panic button.
          <div className="ml-auto hidden lg:block">
            <PanicButton />
          </div>
        )}
      </div>
      <LiveTradingStatus enabled={health.liveTrading.enabled} />
      <MarketStatusBanner initialHealth={health} />
      <TradingHaltBanner />
      {error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not refresh: {error.message}
        </p>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
        <div className="min-w-0 space-y-4">
          <Panel title="Accounts">
            {noTraders ? (
              <EmptyState>
                No traders yet. <Link href="/traders" className="text-emerald-400 underline">Create a trader</Link> to get a paper account.
              </EmptyState>
            ) : (
              <AccountsPanel accounts={data.accounts} positions={data.positions} />
            )}
          </Panel>
          <Panel title="Open positions">
            {data.positions.length === 0 ? (
              <EmptyState>No open positions. Use the “Open position” form to place a trade.</EmptyState>
            ) : (
              <OpenPositionsTable positions={data.positions} modes={modes} />
            )}
          </Panel>
          <DashboardPriceChart positions={data.positions} watchlists={data.accounts.map((a) => a.watchlist)} />
          <Panel title="Recent activity">
            {data.activity.length === 0 ? <EmptyState>Nothing has happened yet. Orders, fills and changes will appear here live.</EmptyState> : <ActivityFeed items={data.activity} />}
          </Panel>
        </div>
        <Panel title="Open position" className="self-start">
          <OpenPositionForm traders={data.accounts} />
        </Panel>
      </div>
    </div>
  )
}

/** The server's second key for real money, always in view: LIVE accounts open nothing while it is off. */
function LiveTradingStatus({ enabled }: { enabled: boolean }) {
  return enabled ? (
    <p role="status" data-testid="live-trading" data-enabled="true" className="rounded border border-red-800 bg-red-950/60 px-3 py-1.5 text-sm font-semibold text-red-200">
      Live trading: ON. Traders on LIVE exchange accounts trade real money.
    </p>
  ) : (
    <p role="status" data-testid="live-trading" data-enabled="false" className="text-xs text-neutral-400">
      Live trading: off (LIVE_TRADING_ENABLED is not set). LIVE accounts only exit and cancel; paper and TESTNET trade as usual.
    </p>
  )
}
