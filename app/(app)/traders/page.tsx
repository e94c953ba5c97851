import { TradersView } from '@/components/traders/traders-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { accountSummaries } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Traders' }

export default async function TradersPage() {
  const user = await requirePageUser()
  return <TradersView initial={await accountSummaries(db(), user.id)} />
}
