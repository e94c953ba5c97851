import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZUser, ZUserList } from '@/lib/server/openapi/user-schemas'
import { createUser } from '@/lib/server/users/create-user'
import { listUsers } from '@/lib/server/users/list-users'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** Admin: GET → 200 { users }. */
export const GET = apiRoute(async ({ db }) => jsonResponse(ZUserList.parse({ users: await listUsers(db) })), 'admin')

/** Admin: POST { email, password, name?, role? } → 201 User; 409 when the email is taken. */
export const POST = apiRoute(async ({ db, req }) => {
  const user = await createUser({ db, input: await readJsonObject(req) })
  return jsonResponse(ZUser.parse(user), 201)
}, 'admin')

export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')
