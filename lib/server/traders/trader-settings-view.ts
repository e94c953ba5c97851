import type { DbTx } from '@/lib/db/client'
import type { Decimal } from '@/lib/domain/decimal'
import type { AiProvider, TraderStatus, TraderStatusCause } from '@/lib/generated/prisma/enums'
import { notFound } from '@/lib/server/errors/app-error'
import { maskSecret, openSecret } from '@/lib/server/secrets/secret-box'
import {
  DEFAULT_SIZING,
  readTraderSettings,
  toStoredJson,
  ZAiSettings,
  ZApprovalSettings,
  ZManagementRules,
  ZRiskLimits,
  ZSizing,
  type TraderSettings,
} from './trader-settings'

/**
 * What pages and the API may see of a trader's settings: every group as stored JSON (decimals
 * as exact strings, counts as integers, null = off) and the API key only as "set" plus a mask.
 * The plain key never leaves this module; nothing here returns it.
 */

/** A settings group as it travels: Decimals become their exact strings. */
export type Stored<T> = T extends Decimal ? string : T extends readonly (infer U)[] ? Stored<U>[] : T extends object ? { [K in keyof T]: Stored<T[K]> } : T

export type StoredSettings = { [G in keyof TraderSettings]: Stored<TraderSettings[G]> }

export interface ApiKeyView {
  set: boolean
  /** ••••abcd (the last four characters only), or •••• for a short or unreadable key. */
  masked: string | null
}

export interface TraderStateView {
  traderId: string
  status: TraderStatus
  /** Why it is paused or halted (a tripped breaker, a panic, a person); null while ACTIVE. */
  statusReason: string | null
  /** Who stopped it (a person, a panic, a risk breaker); null while ACTIVE. */
  statusCause: TraderStatusCause | null
  statusChangedAt: string | null
  /** The trader's exchange account is halted (a panic): nothing opens even while ACTIVE. */
  accountHalted: boolean
  accountHaltedReason: string | null
  autoTrade: boolean
  dryRun: boolean
  lastCycleAt: string | null
  nextCycleAt: string | null
  /** The last cycle's failure (an AI provider error, stale market data, ...); null when it went well. */
  lastCycleError: string | null
}

export interface TraderSettingsView extends StoredSettings {
  traderId: string
  name: string
  quoteCurrency: string
  autoTrade: boolean
  dryRun: boolean
  provider: AiProvider
  apiKey: ApiKeyView
  state: TraderStateView
}

export interface RiskEventView {
  id: string
  limit: string
  currentValue: string
  allowedValue: string
  message: string
  source: string
  tripped: boolean
  createdAt: string
}

/** The row fields the views read. */
export interface TraderSettingsRow {
  id: string
  name: string
  quoteCurrency: string
  autoTrade: boolean
  dryRun: boolean
  provider: AiProvider
  aiSettings: unknown
  aiApiKeyEnc: string | null
  management: unknown
  sizing: unknown
  riskLimits: unknown
  approvals: unknown
  status: TraderStatus
  statusReason: string | null
  statusCause: TraderStatusCause | null
  statusChangedAt: Date | null
  lastCycleAt: Date | null
  nextCycleAt: Date | null
  lastCycleError: string | null
  account: { halted: boolean; haltedReason: string | null }
}

const iso = (d: Date | null) => d?.toISOString() ?? null

/**
 * One parsed group as stored and shown. An absent optional value (the AI base URL or model) is
 * left out rather than stored as null, which its schema would refuse on the next read.
 */
export function storedGroup(value: unknown): unknown {
  if (!value || typeof value !== 'object') return toStoredJson(value)
  return toStoredJson(Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)))
}

/** Converts parsed settings to what is stored and shown. */
export function storedSettings(s: TraderSettings): StoredSettings {
  return Object.fromEntries(Object.entries(s).map(([g, v]) => [g, storedGroup(v)])) as StoredSettings
}

/** What a new trader starts with: the schemas' defaults (forms show them next to each field). */
export const TRADER_SETTING_DEFAULTS: StoredSettings = storedSettings({
  ai: ZAiSettings.parse({}),
  management: ZManagementRules.parse({}),
  sizing: ZSizing.parse(DEFAULT_SIZING),
  risk: ZRiskLimits.parse({}),
  approvals: ZApprovalSettings.parse({}),
})

export function apiKeyView(sealed: string | null): ApiKeyView {
  if (!sealed) return { set: false, masked: null }
  try {
    return { set: true, masked: maskSecret(openSecret(sealed)) }
  } catch {
    // Sealed with another SECRETS_KEY: still set (calls will fail and say so), nothing to show.
    return { set: true, masked: '••••' }
  }
}

export function traderStateView(t: Omit<TraderSettingsRow, 'aiSettings' | 'management' | 'sizing' | 'riskLimits' | 'approvals' | 'aiApiKeyEnc' | 'provider' | 'name' | 'quoteCurrency'>): TraderStateView {
  return {
    traderId: t.id,
    status: t.status,
    statusReason: t.statusReason,
    statusCause: t.statusCause,
    statusChangedAt: iso(t.statusChangedAt),
    accountHalted: t.account.halted,
    accountHaltedReason: t.account.haltedReason,
    autoTrade: t.autoTrade,
    dryRun: t.dryRun,
    lastCycleAt: iso(t.lastCycleAt),
    nextCycleAt: iso(t.nextCycleAt),
    lastCycleError: t.lastCycleError,
  }
}

export function traderSettingsView(t: TraderSettingsRow): TraderSettingsView {
  return {
    traderId: t.id,
    name: t.name,
    quoteCurrency: t.quoteCurrency,
    autoTrade: t.autoTrade,
    dryRun: t.dryRun,
    provider: t.provider,
    apiKey: apiKeyView(t.aiApiKeyEnc),
    ...storedSettings(readTraderSettings(t)),
    state: traderStateView(t),
  }
}

const ACCOUNT = { select: { halted: true, haltedReason: true } } as const

/** The user's trader with its account's halt flag; NOT_FOUND when it is not theirs. */
export async function findTraderRow(db: DbTx, o: { userId: string; traderId: string }) {
  const t = await db.trader.findFirst({ where: { id: o.traderId, userId: o.userId }, include: { account: ACCOUNT } })
  if (!t) throw notFound('trader')
  return t
}

export async function loadTraderSettingsView(db: DbTx, o: { userId: string; traderId: string }): Promise<TraderSettingsView> {
  return traderSettingsView(await findTraderRow(db, o))
}

export async function loadTraderState(db: DbTx, o: { userId: string; traderId: string }): Promise<TraderStateView> {
  return traderStateView(await findTraderRow(db, o))
}

/** The trader's latest risk refusals and breaker trips, newest first. */
export async function loadRecentRiskEvents(db: DbTx, o: { userId: string; traderId: string; limit?: number }): Promise<RiskEventView[]> {
  const rows = await db.riskEvent.findMany({
    where: { traderId: o.traderId, trader: { userId: o.userId } },
    orderBy: { createdAt: 'desc' },
    take: o.limit ?? 20,
  })
  return rows.map((r) => ({
    id: r.id,
    limit: r.limit,
    currentValue: r.currentValue,
    allowedValue: r.allowedValue,
    message: r.message,
    source: r.source,
    tripped: r.tripped,
    createdAt: r.createdAt.toISOString(),
  }))
}
