'use client'

import Link from 'next/link'
import { useQuotes } from '@/components/live/quote-store'
import { BalanceRows } from '@/components/traders/balance-rows'
import { ModeBadge } from '@/components/ui/mode-badge'
import type { DashboardData } from '@/lib/server/ui/load-dashboard'
import { formatDecimal, formatEquity, formatPnl, pnlTone } from '@/lib/ui/decimal-format'
import { livePnl, sumDecimalStrings } from '@/lib/ui/live-pnl'

/** Equity and balances per trader, with the live unrealized PnL of its open positions. */
export function AccountsPanel({ accounts, positions }: { accounts: DashboardData['accounts']; positions: DashboardData['positions'] }) {
  const quotes = useQuotes()
  return (
    <div className="grid gap-2 sm:grid-cols-2 xl:grid-cols-3">
      {accounts.map((a) => {
        const mine = positions.filter((p) => p.traderId === a.traderId)
        const open = sumDecimalStrings(mine.map((p) => livePnl(p, quotes.get(p.symbol))?.pnl ?? p.unrealizedPnl))
        return (
          <article key={a.traderId} aria-label={`Account ${a.traderName}`} className="rounded border border-neutral-800 bg-neutral-950/60 p-2.5">
            <header className="flex items-center gap-2">
              <Link href={`/traders/${a.traderId}`} className="truncate text-sm font-semibold text-neutral-100 hover:underline">
                {a.traderName}
              </Link>
              <ModeBadge mode={a.mode} />
              <span className="ml-auto text-[11px] text-neutral-500">{mine.length} active</span>
            </header>
            <dl className="mt-2 grid grid-cols-2 gap-x-2 gap-y-1 text-xs">
              <dt className="text-neutral-500">Equity</dt>
              <dd className="text-right font-mono text-neutral-100" data-testid="equity">
                {formatEquity(a.equity, a.quoteCurrency)}
              </dd>
              <dt className="text-neutral-500">Open PnL (live)</dt>
              <dd className={`text-right font-mono ${pnlTone(open)}`}>{open === null ? '—' : `${formatPnl(open)} ${a.quoteCurrency}`}</dd>
              <BalanceRows balances={a.balances} quoteCurrency={a.quoteCurrency} amountClassName="text-right font-mono text-neutral-300" />
            </dl>
            {a.reconcileError ? (
              <p role="alert" className="mt-2 text-xs text-red-400">
                Out of step with the exchange: new entries are refused until it reads again ({a.reconcileError})
              </p>
            ) : a.mode !== 'PAPER' && !a.balancesAt ? (
              <p className="mt-2 text-xs text-amber-400">Balances not read from the exchange yet (the worker reads them every 15 s)</p>
            ) : null}
          </article>
        )
      })}
    </div>
  )
}
