import { ApprovalsView } from '@/components/approvals/approvals-view'
import { db } from '@/lib/db/client'
import { loadApprovalsPage } from '@/lib/server/approvals/list-approvals'
import { requirePageUser } from '@/lib/server/auth/current-user'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Approvals' }

export default async function ApprovalsPage() {
  const user = await requirePageUser()
  return <ApprovalsView initial={await loadApprovalsPage(db(), user.id)} />
}
