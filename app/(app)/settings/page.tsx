import { NotificationChannelsPanel } from '@/components/notifications/notification-channels-panel'
import { ApiTokensPanel } from '@/components/settings/api-tokens-panel'
import { ChangePasswordForm } from '@/components/settings/change-password-form'
import { DailySummaryForm } from '@/components/settings/daily-summary-form'
import { ExchangeAccountsPanel } from '@/components/settings/exchange-accounts-panel'
import { MarketDataForm } from '@/components/settings/market-data-form'
import { RiskSettingsForm } from '@/components/settings/risk-settings-form'
import { SettingsStatus } from '@/components/settings/settings-status'
import { UnknownTimeZoneNotice } from '@/components/settings/unknown-time-zone-notice'
import { UsersPanel } from '@/components/settings/users-panel'
import { Panel } from '@/components/ui/panel'
import { env } from '@/lib/config/env'
import { db } from '@/lib/db/client'
import { isValidTimeZone } from '@/lib/domain/risk/trading-day'
import { listApiTokens } from '@/lib/server/auth/api-tokens'
import { listExchangeAccounts } from '@/lib/server/exchange-accounts/list-exchange-accounts'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { listPendingInvites } from '@/lib/server/invites/list-invites'
import { getNotificationSettings } from '@/lib/server/notifications/daily-summary-setting'
import { getMarketDataSetting } from '@/lib/server/settings/market-data-setting'
import { getUserRiskSettings, USER_RISK_LIMIT_DEFAULTS } from '@/lib/server/settings/user-risk-settings'
import { loadHealth } from '@/lib/server/ui/load-health'
import { listUsers } from '@/lib/server/users/list-users'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Settings' }

/** The host of MARKET_DATA_URL only: a URL may carry credentials, a host does not. */
function urlHost(url: string | undefined): string | null {
  if (!url) return null
  try {
    return new URL(url).host
  } catch {
    return null
  }
}

export default async function SettingsPage() {
  const user = await requirePageUser()
  const cfg = env()
  const isAdmin = user.role === 'ADMIN'
  const [setting, health, risk, tokens, users, invites, exchangeAccounts, notificationSettings] = await Promise.all([
    getMarketDataSetting(db()),
    loadHealth(),
    getUserRiskSettings(db(), user.id),
    listApiTokens({ db: db(), userId: user.id }),
    // Members get neither the user list nor the invites: the panel is not rendered for them.
    isAdmin ? listUsers(db()) : Promise.resolve([]),
    isAdmin ? listPendingInvites(db()) : Promise.resolve([]),
    listExchangeAccounts({ db: db(), userId: user.id }),
    getNotificationSettings(db(), user.id),
  ])
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  const tokenRows = tokens.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), lastUsedAt: iso(t.lastUsedAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt) }))
  const host = urlHost(cfg.MARKET_DATA_URL)
  const exchangeLabel = `${cfg.MARKET_DATA_EXCHANGE}${host ? ` at ${host}` : ''}`
  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-lg font-semibold">Settings</h1>
      <Panel title="Current status">
        <SettingsStatus health={health} />
      </Panel>
      <Panel title="Market data">
        <div className="mb-3 space-y-1 text-sm text-neutral-300">
          <p>
            Selected source: <span className="font-semibold text-neutral-100" data-testid="market-data-setting">{setting.kind === 'exchange' ? 'Exchange' : 'Simulated'}</span>
            {setting.saved ? null : <span className="text-neutral-500"> (default from MARKET_DATA_SOURCE; not saved yet)</span>}
          </p>
          <p className="text-xs text-neutral-400">
            Exchange: <span className="font-mono">{cfg.MARKET_DATA_EXCHANGE}</span>
            {host ? (
              <>
                {' '}
                via <span className="font-mono">{host}</span> (MARKET_DATA_URL)
              </>
            ) : null}
          </p>
          <p className="text-xs text-neutral-500">
            The worker reads this choice when it starts and switches its price feed as soon as you save a change. Paper orders always fill
            against the prices of the active feed; an exchange feed that cannot be reached shows as unavailable and is never replaced by simulated prices.
          </p>
        </div>
        {isAdmin ? (
          <MarketDataForm current={setting.kind} exchangeLabel={exchangeLabel} />
        ) : (
          <p className="text-xs text-neutral-400" data-testid="market-data-read-only">
            The market data source applies to every user; only an admin can change it.
          </p>
        )}
      </Panel>
      <Panel title="Exchange accounts">
        <ExchangeAccountsPanel initial={exchangeAccounts} liveTradingEnabled={cfg.LIVE_TRADING_ENABLED} />
      </Panel>
      <Panel title="User-wide risk">
        <p className="mb-3 text-xs text-neutral-500">
          Limits across your traders, on top of each trader’s own limits (set on the trader’s page). They are judged for each account mode and quote
          currency on its own: paper positions never count against testnet or live ones, and amounts in USDT and EUR are never added up. When a loss
          breaker trips, that mode and currency’s traders are paused (halted for drawdown) with the reason shown on each; resuming them is up to you.
        </p>
        {isValidTimeZone(risk.timeZone) ? null : (
          <div className="mb-3">
            <UnknownTimeZoneNotice timeZone={risk.timeZone} linkToSettings={false} />
          </div>
        )}
        <RiskSettingsForm settings={risk} defaults={USER_RISK_LIMIT_DEFAULTS} />
      </Panel>
      <NotificationChannelsPanel privateHostsAllowed={cfg.NOTIFY_ALLOW_PRIVATE_HOSTS} />
      <Panel title="Daily summary">
        <p className="mb-3 text-xs text-neutral-500">
          Once a day at this time: realized PnL, closed trades and wins, fees (per account mode and quote currency, for the 24 hours up to it), open positions
          and their risk to the stop. To your notifications and your enabled channels.
        </p>
        <DailySummaryForm dailySummaryAt={notificationSettings.dailySummaryAt} timeZone={notificationSettings.timeZone} />
      </Panel>
      <Panel title="API tokens">
        <ApiTokensPanel initial={tokenRows} />
      </Panel>
      <Panel title="Password">
        <ChangePasswordForm />
      </Panel>
      {isAdmin ? (
        <Panel title="Users">
          <UsersPanel users={users} invites={invites} currentUserId={user.id} />
        </Panel>
      ) : null}
    </div>
  )
}
