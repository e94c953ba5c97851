import { z } from 'zod'
import type { Db, DbTx } from '@/lib/db/client'
import type { FieldError } from '@/lib/domain/field-error'
import { isValidTimeZone } from '@/lib/domain/risk/trading-day'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { notFound, validationError } from '@/lib/server/errors/app-error'
import { readUserRiskLimits, toStoredJson, ZUserRiskLimits } from '@/lib/server/traders/trader-settings'
import type { Stored } from '@/lib/server/traders/trader-settings-view'
import { parseRequest, parseSettingsPatch } from '@/lib/server/traders/update-trader-settings'
import { textField } from '@/lib/server/validation/text-field'

type UserLimits = z.output<typeof ZUserRiskLimits>

export interface UserRiskSettingsView {
  /** The IANA zone whose calendar day the daily limits (loss, trades, LLM budget) count in. */
  timeZone: string
  /** Limits across the user's traders, per book (account mode and quote currency); null = off. */
  limits: Stored<UserLimits>
}

/** What a user starts with (forms show these next to each field). */
export const USER_RISK_LIMIT_DEFAULTS = toStoredJson(ZUserRiskLimits.parse({})) as Stored<UserLimits>

/**
 * PATCH body of the user-wide risk settings. Limits left out keep their values; '' or null
 * turns a limit off.
 */
export const ZUpdateUserRiskSettingsRequest = z.strictObject({
  timeZone: textField({ max: 64 })
    .min(1, { message: 'is required', abort: true })
    .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin or UTC', when: (p) => p.issues.length === 0 })
    .optional(),
  limits: z.record(z.string(), z.unknown(), { error: 'must be an object of limits' }).optional(),
})

function view(u: { timeZone: string; riskLimits: unknown }): UserRiskSettingsView {
  return { timeZone: u.timeZone, limits: toStoredJson(readUserRiskLimits(u.riskLimits)) as Stored<UserLimits> }
}

export async function getUserRiskSettings(db: DbTx, userId: string): Promise<UserRiskSettingsView> {
  const u = await db.user.findUnique({ where: { id: userId }, select: { timeZone: true, riskLimits: true } })
  if (!u) throw notFound('user')
  return view(u)
}

/** Changes the user's time zone and/or user-wide limits; all checked before anything is written. */
export async function updateUserRiskSettings(opts: { db: Db; userId: string; input: unknown }): Promise<UserRiskSettingsView> {
  const input = parseRequest(ZUpdateUserRiskSettingsRequest, opts.input)
  return opts.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${opts.userId} FOR UPDATE`
    const u = await tx.user.findUnique({ where: { id: opts.userId }, select: { timeZone: true, riskLimits: true } })
    if (!u) throw notFound('user')
    const errors: FieldError[] = []
    let limits: UserLimits | undefined
    if (input.limits) {
      const r = parseSettingsPatch({ prefix: 'limits', schema: ZUserRiskLimits, current: readUserRiskLimits(u.riskLimits), patch: input.limits })
      if (r.ok) limits = r.value
      else errors.push(...r.errors)
    }
    if (errors.length) throw validationError(errors)

    const changed: string[] = []
    const data: { timeZone?: string; riskLimits?: object } = {}
    if (input.timeZone !== undefined && input.timeZone !== u.timeZone) {
      data.timeZone = input.timeZone
      changed.push(`time zone ${input.timeZone}`)
    }
    if (limits) {
      const stored = toStoredJson(limits) as object
      data.riskLimits = stored
      if (JSON.stringify(stored) !== JSON.stringify(toStoredJson(readUserRiskLimits(u.riskLimits)))) changed.push('user-wide risk limits')
    }
    const updated = await tx.user.update({ where: { id: opts.userId }, data, select: { timeZone: true, riskLimits: true } })
    if (changed.length) await recordActivity(tx, { userId: opts.userId, type: 'RISK_SETTINGS_CHANGED', message: `Risk settings changed: ${changed.join(', ')}` })
    return view(updated)
  })
}
