import { z } from 'zod'
import { storableText } from '@/lib/domain/json-text'
import { dec } from '@/lib/domain/decimal'
import {
  DECISION_ACTIONS,
  type DecisionTakeProfit,
  type Modification,
  type TradeDecision,
} from '@/lib/domain/decisions/trade-decision'

/**
 * What a model must return: one JSON object per decision. Two views of the same definition:
 *
 * - `ZModelDecision` validates what came back. It is lenient about *encoding* only: a number
 *   may arrive as a JSON number or a numeric string, an unused field may be null or missing,
 *   unknown extra keys are dropped. It checks shape, not sense (is the stop on the right side,
 *   do the shares add up): that is validate-decision's job, on the converted TradeDecision.
 * - `MODEL_DECISION_JSON_SCHEMA` is what the model is told (structured outputs). Generated from
 *   the same zod schema, then tightened to the subset that OpenAI's strict mode, vLLM/Ollama/
 *   LM Studio grammars and Anthropic's output_config all accept: every property declared and
 *   required (unused ones are null), `additionalProperties: false`, plain `number`/`integer`
 *   types, `anyOf` rather than `oneOf`, `enum` rather than `const`, no numeric or length
 *   bounds (ranges are in the descriptions and checked on the way back).
 */

// JSON-number-like text: "60000", "-1.5", ".5", "1e-8". Trimmed first.
const NUMERIC_PATTERN = '^[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?$'
const INTEGER_PATTERN = '^\\+?\\d+$'

const ZNumeric = z.union([z.number(), z.string().trim().regex(new RegExp(NUMERIC_PATTERN))])
const ZInteger = z.union([z.number().int(), z.string().trim().regex(new RegExp(INTEGER_PATTERN))])

type Numeric = z.infer<typeof ZNumeric>

const num = (description: string) => ZNumeric.describe(description)
const optNum = (description: string) => ZNumeric.nullish().describe(description)
const level = ZInteger.refine((v) => Number(v) >= 1, { message: 'level must be 1 or more' }).describe(
  'Take-profit level, 1-based, as numbered in the position shown',
)

const ZTakeProfit = z.object({
  price: num('Limit price of this target'),
  sharePct: num('Percent of the position closed at this target, in (0, 100]'),
})

const ZModification = z.discriminatedUnion('type', [
  z.object({ type: z.literal('MOVE_SL'), price: num('New stop-loss price') }),
  z.object({ type: z.literal('TRAIL_SL'), distancePct: num('Trailing distance from the best price, in percent') }),
  z.object({
    type: z.literal('ADD_TP'),
    price: num('Price of the new target'),
    sharePct: num('Percent of the position closed at the new target'),
  }),
  z.object({
    type: z.literal('MODIFY_TP'),
    level,
    price: num('New price of that target'),
    sharePct: optNum('New share of that target in percent; null keeps the current one'),
  }),
  z.object({ type: z.literal('CANCEL_TP'), level }),
])

// Reasoning comes before action so a model that writes fields in order thinks before it commits.
export const ZModelDecision = z.object({
  symbol: z.string().trim().min(1).describe('The symbol you were asked about, exactly as given'),
  reasoning: z
    .string()
    .trim()
    .min(1)
    .describe('Why, citing the numbers from the context (prices, levels, distances, PnL) that drove it'),
  action: z.enum(DECISION_ACTIONS).describe('The decision'),
  confidence: ZNumeric.refine((v) => Number(v) >= 0 && Number(v) <= 1, {
    message: 'confidence must be between 0 and 1',
  }).describe('0 to 1'),
  entryType: z.enum(['MARKET', 'LIMIT']).nullish().describe('LONG/SHORT only; MARKET when null'),
  entryPrice: optNum('LONG/SHORT with LIMIT entry only: the limit price'),
  sizeQuote: optNum(
    'Optional cap on the entry size in quote currency; can only shrink the size the trader settings give',
  ),
  stopLoss: optNum('LONG/SHORT: stop-loss price (mandatory for entries)'),
  takeProfits: z.array(ZTakeProfit).nullish().describe('LONG/SHORT: targets, nearest first'),
  exitSharePct: optNum('PARTIAL_TP only: percent of the open quantity to close now, in (0, 100)'),
  modifications: z
    .array(ZModification)
    .nullish()
    .describe('Changes to the open position stop and targets; null when none'),
})

export type ModelDecision = z.infer<typeof ZModelDecision>

type JsonSchemaNode = Record<string, unknown>

const isNode = (v: unknown): v is JsonSchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v)

function allowsNull(node: JsonSchemaNode): boolean {
  if (node.type === 'null' || (Array.isArray(node.type) && node.type.includes('null'))) return true
  return Array.isArray(node.anyOf) && node.anyOf.some((n) => isNode(n) && allowsNull(n))
}

/** The number-or-numeric-string union, as the model should see it: a plain number/integer. */
function wireNumberType(node: JsonSchemaNode): 'number' | 'integer' | null {
  if (!Array.isArray(node.anyOf) || node.anyOf.length !== 2) return null
  const [a, b] = node.anyOf as JsonSchemaNode[]
  if (b?.type !== 'string') return null
  if (a?.type === 'number' && b.pattern === NUMERIC_PATTERN) return 'number'
  if (a?.type === 'integer' && b.pattern === INTEGER_PATTERN) return 'integer'
  return null
}

function toWire(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((n, i) => toWire(n, `${path}[${i}]`))
  if (!isNode(node)) return node
  const out: JsonSchemaNode = {}
  const numberType = wireNumberType(node)
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'minimum' || key === 'maximum' || key === 'minLength') continue
    if (numberType && key === 'anyOf') continue
    if (key === 'const') out.enum = [value]
    else out[key === 'oneOf' ? 'anyOf' : key] = toWire(value, `${path}.${key}`)
  }
  if (numberType) out.type = numberType
  if (out.type === 'object' && isNode(out.properties)) {
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : [])
    for (const [name, prop] of Object.entries(out.properties)) {
      // Strict structured outputs require every property; an optional one must be able to say null.
      if (!required.has(name) && !(isNode(prop) && allowsNull(prop))) {
        throw new Error(`trade-decision schema: optional property ${path}.${name} must be nullable`)
      }
    }
    out.required = Object.keys(out.properties)
    out.additionalProperties = false
  }
  return out
}

/** The JSON schema sent as the structured-output format (see the note at the top). */
export const MODEL_DECISION_JSON_SCHEMA = toWire(
  z.toJSONSchema(ZModelDecision, { target: 'draft-7', io: 'input' }),
  '$',
) as JsonSchemaNode

const d = (v: Numeric) => dec(String(v).trim())
const absent = <T>(v: T | null | undefined): v is null | undefined => v === null || v === undefined

function toModification(m: NonNullable<ModelDecision['modifications']>[number]): Modification {
  switch (m.type) {
    case 'MOVE_SL':
      return { type: 'MOVE_SL', price: d(m.price) }
    case 'TRAIL_SL':
      return { type: 'TRAIL_SL', distancePct: d(m.distancePct) }
    case 'ADD_TP':
      return { type: 'ADD_TP', price: d(m.price), sharePct: d(m.sharePct) }
    case 'MODIFY_TP':
      return {
        type: 'MODIFY_TP',
        level: Number(m.level),
        price: d(m.price),
        ...(absent(m.sharePct) ? {} : { sharePct: d(m.sharePct) }),
      }
    case 'CANCEL_TP':
      return { type: 'CANCEL_TP', level: Number(m.level) }
  }
}

/**
 * The parsed model output as the domain's TradeDecision: numbers become Decimals through their
 * shortest string form (0.1 stays exactly 0.1), nulls and empty lists become absent fields.
 */
export function toTradeDecision(parsed: ModelDecision): TradeDecision {
  const decision: TradeDecision = {
    symbol: parsed.symbol,
    action: parsed.action,
    confidence: d(parsed.confidence),
    // Kept, as the model wrote it, less what PostgreSQL cannot store: a NUL in it failed the
    // journal entry after the trade it decided had been made.
    reasoning: storableText(parsed.reasoning),
  }
  if (!absent(parsed.entryType)) decision.entryType = parsed.entryType
  if (!absent(parsed.entryPrice)) decision.entryPrice = d(parsed.entryPrice)
  if (!absent(parsed.sizeQuote)) decision.sizeQuote = d(parsed.sizeQuote)
  if (!absent(parsed.stopLoss)) decision.stopLoss = d(parsed.stopLoss)
  if (!absent(parsed.takeProfits) && parsed.takeProfits.length > 0) {
    decision.takeProfits = parsed.takeProfits.map((tp): DecisionTakeProfit => ({ price: d(tp.price), sharePct: d(tp.sharePct) }))
  }
  if (!absent(parsed.exitSharePct)) decision.exitSharePct = d(parsed.exitSharePct)
  if (!absent(parsed.modifications) && parsed.modifications.length > 0) {
    decision.modifications = parsed.modifications.map(toModification)
  }
  return decision
}
