import Link from 'next/link'
import { notFound } from 'next/navigation'
import { EditTraderForm } from '@/components/traders/trader-forms'
import { Panel } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { accountSummaries } from '@/lib/server/positions/position-views'
import { formatDecimal } from '@/lib/ui/decimal-format'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Edit trader' }

export default async function TraderPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser()
  const { id } = await params
  const trader = (await accountSummaries(db(), user.id)).find((t) => t.traderId === id)
  if (!trader) notFound()
  return (
    <div className="max-w-xl space-y-4">
      <div className="flex items-center gap-2">
        <Link href="/traders" className="text-xs text-neutral-500 hover:text-neutral-300">
          ← Traders
        </Link>
        <h1 className="text-lg font-semibold">{trader.traderName}</h1>
        <StatusBadge value={trader.exchange} />
      </div>
      <Panel title="Account">
        <dl className="grid grid-cols-2 gap-2 text-sm">
          <dt className="text-neutral-500">Quote currency</dt>
          <dd className="font-mono">{trader.quoteCurrency}</dd>
          <dt className="text-neutral-500">Equity</dt>
          <dd className="font-mono">{trader.equity === null ? 'unpriced' : `${formatDecimal(trader.equity, { dp: 2 })} ${trader.quoteCurrency}`}</dd>
          {trader.balances.map((b) => (
            <div key={b.asset} className="contents">
              <dt className="text-neutral-500">{b.asset}</dt>
              <dd className="font-mono">{formatDecimal(b.amount)}</dd>
            </div>
          ))}
        </dl>
      </Panel>
      <Panel title="Edit trader">
        <EditTraderForm trader={trader} />
      </Panel>
    </div>
  )
}
