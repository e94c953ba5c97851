import { DashboardView } from '@/components/dashboard/dashboard-view'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { loadDashboard } from '@/lib/server/ui/load-dashboard'
import { loadHealth } from '@/lib/server/ui/load-health'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Dashboard' }

export default async function DashboardPage() {
  const user = await requirePageUser()
  const [data, health] = await Promise.all([loadDashboard(db(), user.id), loadHealth()])
  return <DashboardView initial={data} health={health} />
}
