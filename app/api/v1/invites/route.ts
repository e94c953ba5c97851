import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { createInvite } from '@/lib/server/invites/create-invite'
import { listPendingInvites } from '@/lib/server/invites/list-invites'
import { ZCreatedInvite, ZInviteList } from '@/lib/server/openapi/user-schemas'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** Admin: GET → 200 { invites } (pending: unused and unexpired). */
export const GET = apiRoute(async ({ db }) => jsonResponse(ZInviteList.parse({ invites: await listPendingInvites(db) })), 'admin')

/** Admin: POST { email, role?, expiresInHours? } → 201 { invite, url }; the url is shown only here. */
export const POST = apiRoute(async ({ db, req, user }) => {
  const created = await createInvite({ db, createdById: user.id, input: await readJsonObject(req) })
  return jsonResponse(ZCreatedInvite.parse(created), 201, { 'Cache-Control': 'no-store' })
}, 'admin')

export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')
