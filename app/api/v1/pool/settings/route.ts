import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { updatePoolSettings } from '@/lib/server/groups/pool-views'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** PATCH { maxOpenGroups?, pyramidsTakeSlot?, queueExpiryMinutes? } → 200 Pool. */
export const PATCH = apiRoute(async ({ req, db, user }) => jsonResponse(await updatePoolSettings({ db, userId: user.id, input: await readJsonObject(req) })))

export const { GET, POST, PUT, DELETE } = otherMethods('PATCH')
