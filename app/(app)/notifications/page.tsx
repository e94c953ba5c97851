import { NotificationFeed } from '@/components/notifications/notification-feed'
import { db } from '@/lib/db/client'
import { requirePageUser } from '@/lib/server/auth/current-user'
import { listNotifications } from '@/lib/server/notifications/list-notifications'

export const dynamic = 'force-dynamic'
export const metadata = { title: 'Notifications' }

export default async function NotificationsPage() {
  const user = await requirePageUser()
  return <NotificationFeed initial={await listNotifications({ db: db(), userId: user.id, limit: 30 })} />
}
