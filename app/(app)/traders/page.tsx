import { TradersView } from '@/components/traders/traders-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { listExchangeAccounts } from '@/lib/server/exchange-accounts/list-exchange-accounts'
import { accountSummaries } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Traders' }

export default async function TradersPage() {
  const user = await requirePageUser()
  const [traders, accounts] = await Promise.all([accountSummaries(db(), user.id), listExchangeAccounts({ db: db(), userId: user.id })])
  // The create form offers these accounts (no keys, no permissions: only what it shows).
  const choices = accounts.map((a) => ({ id: a.id, name: a.name, exchange: a.exchange, mode: a.mode, quoteCurrency: a.quoteCurrency, verified: a.verified }))
  return <TradersView initial={traders} accounts={choices} />
}
