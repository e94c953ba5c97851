import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import type { FieldError } from '@/lib/domain/field-error'
import { AiProvider } from '@/lib/generated/prisma/enums'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { AppError, notFound, validationError, zodFieldErrors } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { storedKeyEndpointChange } from './api-key-origin'
import { loadTraderSettingsView, storedGroup, storedSettings } from './trader-settings-view'
import { readTraderSettings, ZAiSettings, ZApprovalSettings, ZManagementRules, ZRiskLimits, ZSizing, type TraderSettings } from './trader-settings'
import { textField } from '@/lib/server/validation/text-field'

const ZGroupPatch = z.record(z.string(), z.unknown(), { error: 'must be an object of settings' })

/**
 * PATCH body of a trader's settings. Every part is optional; a group's fields left out keep
 * their current values, and a group is checked whole (with the fields given) by its schema in
 * trader-settings.ts. The API key is write-only: a non-empty `apiKey` replaces the stored one,
 * an empty one keeps it, and `clearApiKey: true` removes it.
 */
export const ZUpdateTraderSettingsRequest = z.strictObject(
  {
    autoTrade: z.boolean({ error: 'must be true or false' }).optional(),
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
    provider: z.enum(AiProvider, { error: 'must be RULES, OPENAI_COMPATIBLE or ANTHROPIC' }).optional(),
    // Messages never echo the value: it is a secret.
    apiKey: textField({ max: 1000 }).optional(),
    clearApiKey: z.boolean({ error: 'must be true or false' }).optional(),
    ai: ZGroupPatch.optional(),
    management: ZGroupPatch.optional(),
    sizing: ZGroupPatch.optional(),
    risk: ZGroupPatch.optional(),
    approvals: ZGroupPatch.optional(),
  },
)
export type UpdateTraderSettingsRequest = z.input<typeof ZUpdateTraderSettingsRequest>

const GROUPS = {
  ai: ZAiSettings,
  management: ZManagementRules,
  sizing: ZSizing,
  risk: ZRiskLimits,
  approvals: ZApprovalSettings,
} as const satisfies Record<keyof TraderSettings, z.ZodType>
type Group = keyof typeof GROUPS

const GROUP_COLUMN = { ai: 'aiSettings', management: 'management', sizing: 'sizing', risk: 'riskLimits', approvals: 'approvals' } as const
const GROUP_NAME = { ai: 'AI settings', management: 'stop management', sizing: 'sizing', risk: 'risk limits', approvals: 'approvals' } as const

/** The field schemas of an object schema, or of every option of a discriminated union (sizing). */
function fieldSchemas(schema: z.ZodType): Map<string, z.ZodType> {
  const out = new Map<string, z.ZodType>()
  const objects = schema instanceof z.ZodDiscriminatedUnion ? (schema.options as z.ZodType[]) : [schema]
  for (const o of objects) {
    if (!(o instanceof z.ZodObject)) continue
    for (const [k, s] of Object.entries(o.shape as Record<string, z.ZodType>)) if (!out.has(k)) out.set(k, s)
  }
  return out
}

/** Can '' be sent for this field? Only where it means "off" or "not set" (an off-able limit, the base URL). */
function blankAllowed(field: z.ZodType): boolean {
  const r = field.safeParse('')
  return r.success && (r.data === null || r.data === undefined)
}

export type GroupParse<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] }

/**
 * One settings group submitted as a patch: the given fields over the current values, checked
 * with the group's schema. Unknown fields, and a blank where blank does not mean "off", are
 * errors; every error is named `<prefix>.<field>` (e.g. `risk.maxPositionPctEquity`).
 */
export function parseSettingsPatch<S extends z.ZodType>(o: { prefix: string; schema: S; current: z.output<S>; patch: Record<string, unknown> }): GroupParse<z.output<S>> {
  const fields = fieldSchemas(o.schema)
  const errors: FieldError[] = []
  for (const [k, v] of Object.entries(o.patch)) {
    const field = fields.get(k)
    if (!field) errors.push({ field: `${o.prefix}.${k}`, message: 'is not a known setting' })
    else if (v === '' && !blankAllowed(field)) errors.push({ field: `${o.prefix}.${k}`, message: 'is required' })
  }
  if (errors.length) return { ok: false, errors }
  const merged: Record<string, unknown> = { ...(storedGroup(o.current) as Record<string, unknown>), ...o.patch }
  const parsed = o.schema.safeParse(merged)
  if (parsed.success) {
    // A field of another sizing mode would be dropped without a word; say it does not apply.
    const inapplicable = Object.keys(o.patch).filter((k) => !(k in (parsed.data as object)))
    if (o.schema instanceof z.ZodDiscriminatedUnion && inapplicable.length) {
      const mode = String(merged[o.schema.def.discriminator])
      return { ok: false, errors: inapplicable.map((k) => ({ field: `${o.prefix}.${k}`, message: `does not apply to ${o.prefix} mode ${mode}` })) }
    }
    return { ok: true, value: parsed.data }
  }
  return {
    ok: false,
    errors: zodFieldErrors(parsed.error).map((e) => {
      const key = e.field.split('.')[0]
      // A field the new sizing mode needs and nobody gave: say so rather than "expected string".
      return { field: e.field ? `${o.prefix}.${e.field}` : o.prefix, message: key && merged[key] === undefined ? 'is required' : e.message }
    }),
  }
}

export interface UpdateTraderSettingsOptions {
  db: Db
  userId: string
  traderId: string
  input: unknown
}

/**
 * Changes a trader's automation, provider and key, and any settings group. Everything is
 * checked before anything is written, so a bad field leaves the trader exactly as it was.
 * The change is recorded in the activity feed by group name only (never a value, never the key),
 * and the worker and open browsers are told on commit. Returns the new settings view.
 */
export async function updateTraderSettings(opts: UpdateTraderSettingsOptions) {
  const input = parseRequest(ZUpdateTraderSettingsRequest, opts.input)
  if (input.clearApiKey && input.apiKey) {
    throw validationError([{ field: 'clearApiKey', message: 'cannot remove the API key and set a new one at once' }])
  }

  await opts.db.$transaction(async (tx) => {
    // The lock orders concurrent edits: each merges over what the previous one committed.
    await tx.$queryRaw`SELECT id FROM "Trader" WHERE id = ${opts.traderId} AND "userId" = ${opts.userId} FOR UPDATE`
    const t = await tx.trader.findFirst({ where: { id: opts.traderId, userId: opts.userId } })
    if (!t) throw notFound('trader')
    const current = readTraderSettings(t)

    const errors: FieldError[] = []
    const next: Partial<TraderSettings> = {}
    for (const g of Object.keys(GROUPS) as Group[]) {
      const patch = input[g]
      if (!patch) continue
      const r = parseSettingsPatch({ prefix: g, schema: GROUPS[g] as z.ZodType, current: current[g], patch })
      if (r.ok) (next as Record<Group, unknown>)[g] = r.value
      else errors.push(...r.errors)
    }
    const provider = input.provider ?? t.provider
    const ai = next.ai ?? current.ai
    if (provider !== 'RULES' && !ai.model) {
      errors.push({ field: 'ai.model', message: `is required for ${provider === 'ANTHROPIC' ? 'Anthropic' : 'an OpenAI-compatible provider'}` })
    }
    // The stored key only ever goes to the endpoint it was entered for (see api-key-origin.ts).
    if (t.aiApiKeyEnc && !input.apiKey && !input.clearApiKey) {
      const moved = storedKeyEndpointChange({ saved: { provider: t.provider, baseUrl: current.ai.baseUrl }, next: { provider, baseUrl: ai.baseUrl } })
      if (moved) errors.push(moved)
    }
    if (errors.length) throw validationError(errors)

    const data: Record<string, unknown> = {}
    const changed: string[] = []
    if (input.autoTrade !== undefined && input.autoTrade !== t.autoTrade) {
      data.autoTrade = input.autoTrade
      changed.push(input.autoTrade ? 'automatic trading on' : 'automatic trading off')
    }
    if (input.dryRun !== undefined && input.dryRun !== t.dryRun) {
      data.dryRun = input.dryRun
      changed.push(input.dryRun ? 'dry run on' : 'dry run off')
    }
    if (provider !== t.provider) {
      data.provider = provider
      changed.push(`provider ${provider}`)
    }
    if (input.apiKey) {
      data.aiApiKeyEnc = seal(input.apiKey)
      changed.push('API key replaced')
    } else if (input.clearApiKey && t.aiApiKeyEnc) {
      data.aiApiKeyEnc = null
      changed.push('API key removed')
    }
    const nextStored = storedSettings({ ...current, ...next })
    const currentStored = storedSettings(current)
    for (const g of Object.keys(next) as Group[]) {
      data[GROUP_COLUMN[g]] = nextStored[g]
      if (JSON.stringify(nextStored[g]) !== JSON.stringify(currentStored[g])) changed.push(GROUP_NAME[g])
    }
    // A new interval applies from the last cycle, not after the one already scheduled.
    if (next.ai && next.ai.intervalMinutes !== current.ai.intervalMinutes) {
      data.nextCycleAt = t.lastCycleAt ? new Date(t.lastCycleAt.getTime() + next.ai.intervalMinutes * 60_000) : null
    }
    if (Object.keys(data).length === 0) return

    await tx.trader.update({ where: { id: t.id }, data })
    if (changed.length) {
      await recordActivity(tx, { userId: t.userId, traderId: t.id, type: 'TRADER_SETTINGS_CHANGED', message: `${t.name} settings changed: ${changed.join(', ')}` })
    }
    await notify(tx, { kind: 'trader', userId: t.userId, traderId: t.id })
    if (next.management && changed.includes(GROUP_NAME.management)) {
      // The stop manager keeps each watched position's rules; have it reload them.
      const open = await tx.position.findMany({ where: { traderId: t.id, status: { in: ['OPEN', 'MONITORING'] } }, select: { id: true } })
      for (const p of open) await notify(tx, { kind: 'protection', positionId: p.id })
    }
  })
  return loadTraderSettingsView(opts.db, { userId: opts.userId, traderId: opts.traderId })
}

/**
 * Parses a request envelope; an unknown key is reported under its own name (a typo such as
 * `riskLimits` for `risk` must not be ignored silently).
 */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {})
  if (parsed.success) return parsed.data
  throw validationError(zodFieldErrors(parsed.error, 'is not a known setting'))
}

function seal(plain: string): string {
  try {
    return sealSecret(plain)
  } catch {
    // A configuration problem, not the user's input; the message carries no secret.
    throw new AppError('INTERNAL', 'cannot store the API key: SECRETS_KEY is not configured on the server', 500)
  }
}
