import { ClosedTradesView } from '@/components/trades/closed-trades-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { listPositions } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Closed trades' }

export default async function TradesPage() {
  const user = await requirePageUser()
  return <ClosedTradesView initial={await listPositions(db(), user.id, { state: 'closed' })} />
}
