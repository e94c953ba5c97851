import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { buildOpenApiDocument } from '@/lib/server/openapi/openapi-document'

let cached: ReturnType<typeof buildOpenApiDocument> | undefined

/** Public: the OpenAPI 3.1 document of this API. Built once per process; it only changes with the code. */
export const GET = apiRoute(async () => {
  cached ??= buildOpenApiDocument()
  return jsonResponse(cached, 200, { 'Cache-Control': 'public, max-age=300' })
}, 'public')

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')
