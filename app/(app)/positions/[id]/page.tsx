import { notFound } from 'next/navigation'
import { PositionDetailView } from '@/components/positions/position-detail-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { isAppError } from '@/lib/server/errors/app-error'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { traderModes } from '@/lib/server/traders/trader-modes'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Position' }

export default async function PositionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser()
  const { id } = await params
  let detail: Awaited<ReturnType<typeof getPositionDetail>>
  try {
    detail = await getPositionDetail(db(), user.id, id)
  } catch (err) {
    if (isAppError(err) && err.code === 'NOT_FOUND') notFound()
    throw err
  }
  const modes = await traderModes(db(), user.id)
  return <PositionDetailView initial={detail} mode={modes[detail.position.traderId]} />
}
