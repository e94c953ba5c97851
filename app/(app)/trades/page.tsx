import { ClosedTradesView } from '@/components/trades/closed-trades-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { listPositions } from '@/lib/server/positions/position-views'
import { traderModes } from '@/lib/server/traders/trader-modes'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Closed trades' }

export default async function TradesPage() {
  const user = await requirePageUser()
  const [positions, modes] = await Promise.all([listPositions(db(), user.id, { state: 'closed' }), traderModes(db(), user.id)])
  return <ClosedTradesView initial={positions} modes={modes} />
}
