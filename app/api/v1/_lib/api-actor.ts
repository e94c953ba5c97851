import type { ActorRef } from '@/lib/server/audit/actor'

/** Changes made through the JSON API are audited as the API acting for the user. */
export function apiActor(user: { id: string }): ActorRef {
  return { kind: 'API', id: user.id }
}
