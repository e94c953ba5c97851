import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { fromZodError, notFound } from '@/lib/server/errors/app-error'
import { haltAccount } from '@/lib/server/trading/halt-trading'
import { describeRequester, inPool, runPanic, type PanicReport, type RunPanicOptions } from './run-panic'
import { ZIdField } from '@/lib/server/validation/id-field'

export const ZPanicRequest = z
  .strictObject({
    confirm: z.literal(true, { error: 'must be true: panic halts trading and closes every position at market' }),
    /** Only this trader: halts it alone and closes only its positions. */
    traderId: ZIdField.optional(),
    /** Only this exchange account. */
    accountId: ZIdField.optional(),
  })
  .refine((v) => !(v.traderId && v.accountId), { message: 'give traderId or accountId, not both', path: ['accountId'] })

export interface PanicResult {
  /** One run per account panicked (one for a trader or an account, every account otherwise). */
  runs: PanicReport[]
  /** Orders and positions reported FAILED over all runs: 0 means everything in scope is flat. */
  failed: number
}

/** With 4 exits at once per account, 16 connections at most: the rest of the pool serves everything else. */
const ACCOUNTS_AT_ONCE = 4

type PressPanicOptions = Omit<RunPanicOptions, 'scope'> & { input: unknown }

/**
 * The panic button, after its confirmation: one trader, one account, or (by default) every
 * account of the user. For "everything" all accounts are halted in one transaction before any
 * of them is flattened, so no trader anywhere opens while the others are being closed.
 */
export async function pressPanic(opts: PressPanicOptions): Promise<PanicResult> {
  const parsed = ZPanicRequest.safeParse(opts.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const { traderId, accountId } = parsed.data
  const { input: _input, ...rest } = opts
  // Worked out once, so the halt reasons and every run name the same person.
  const common = { ...rest, requestedBy: await requester(opts) }
  let runs: PanicReport[]
  if (traderId) runs = [await runPanic({ ...common, scope: { traderId } })]
  else if (accountId) runs = [await runPanic({ ...common, scope: { accountId } })]
  else {
    const accounts = await opts.db.exchangeAccount.findMany({ where: { userId: opts.userId }, select: { id: true }, orderBy: { createdAt: 'asc' } })
    if (accounts.length) await haltAll(opts.db, accounts, opts.actor, common.requestedBy)
    // Accounts side by side (up to ACCOUNTS_AT_ONCE), each closing its positions in parallel: one
    // account's slow or throttling exchange does not hold up flattening the others.
    // A run stopped by a database error has recorded it; the others still run to their end first.
    const settled = await inPool(accounts, ACCOUNTS_AT_ONCE, (a) => runPanic({ ...common, scope: { accountId: a.id } }).then((r) => ({ r }), (e: unknown) => ({ e })))
    const stopped = settled.find((x) => 'e' in x)
    if (stopped) throw stopped.e
    runs = settled.map((x) => ('r' in x ? x.r : null)).filter((r) => r !== null)
  }
  const failed = runs.reduce((n, r) => n + r.orders.filter((o) => o.outcome === 'FAILED').length + r.positions.filter((p) => p.outcome === 'FAILED').length, 0)
  return { runs, failed }
}

async function requester(opts: { db: Db; userId: string; actor: ActorRef; requestedBy?: string }) {
  if (opts.requestedBy) return opts.requestedBy
  const user = await opts.db.user.findUnique({ where: { id: opts.userId }, select: { email: true } })
  if (!user) throw notFound('user')
  return describeRequester(user.email, opts.actor)
}

async function haltAll(db: Db, accounts: { id: string }[], actor: ActorRef, requestedBy: string) {
  await db.$transaction(async (tx) => {
    for (const a of accounts) await haltAccount(tx, { accountId: a.id, reason: `panic by ${requestedBy}`, actor })
  })
}
