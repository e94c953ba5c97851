'use server'

import { db } from '@/lib/db/client'
import { createInvite, type CreatedInvite } from '@/lib/server/invites/create-invite'
import { revokeInvite } from '@/lib/server/invites/revoke-invite'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'
import { createUser } from '@/lib/server/users/create-user'
import { removeUser } from '@/lib/server/users/remove-user'
import { requireAdmin } from '@/lib/server/users/require-admin'
import type { UserView } from '@/lib/server/users/user-view'

// Every action checks the role itself: a server action is a public endpoint, whatever the page shows.

export async function createUserAction(input: unknown): Promise<ActionResult<UserView>> {
  return runAction('add user', (user) => {
    requireAdmin(user, 'add users')
    return createUser({ db: db(), input })
  })
}

export async function createInviteAction(input: unknown): Promise<ActionResult<CreatedInvite>> {
  return runAction('create invite', (user) => {
    requireAdmin(user, 'invite users')
    return createInvite({ db: db(), createdById: user.id, input })
  })
}

export async function revokeInviteAction(inviteId: string): Promise<ActionResult> {
  return runAction('revoke invite', async (user) => {
    requireAdmin(user, 'revoke invites')
    await revokeInvite(db(), String(inviteId))
    return null
  })
}

export async function removeUserAction(userId: string): Promise<ActionResult> {
  return runAction('remove user', async (user) => {
    requireAdmin(user, 'remove users')
    await removeUser({ db: db(), actingUserId: user.id, userId: String(userId) })
    return null
  })
}
