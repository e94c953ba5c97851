import { notFound } from 'next/navigation'
import { DecisionDetailView } from '@/components/decisions/decision-detail-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { getDecision, type DecisionDetail } from '@/lib/server/decisions/get-decision'
import { isAppError } from '@/lib/server/errors/app-error'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Decision' }

export default async function DecisionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser()
  const { id } = await params
  let detail: DecisionDetail
  try {
    detail = await getDecision({ db: db(), userId: user.id, decisionId: id })
  } catch (err) {
    if (isAppError(err) && err.code === 'NOT_FOUND') notFound()
    throw err
  }
  return <DecisionDetailView d={detail} />
}
