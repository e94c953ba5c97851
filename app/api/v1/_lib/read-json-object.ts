import { z } from 'zod'
import { parseJsonBody } from '@/lib/server/http/json-response'

const ZJsonObject = z.record(z.string(), z.unknown(), { error: 'request body must be a JSON object' })

/**
 * The raw JSON object of a request body (malformed JSON → 400). The services validate their own
 * input with the exported zod schemas, so routes hand them the body unparsed rather than parsing
 * twice (a parsed Decimal would not pass the schema a second time).
 * With `optional`, an empty body reads as `{}`.
 */
export async function readJsonObject(req: Request, opts: { optional?: boolean } = {}): Promise<Record<string, unknown>> {
  if (opts.optional && (await req.clone().text()).trim() === '') return {}
  return parseJsonBody(req, ZJsonObject)
}
