// npm run panic -- --yes [--trader <id|name>] [--email <user email>]
//
// The panic button without the web app: halts trading, cancels every open order and closes every
// position at market, straight against the database and the exchange. Without --yes it only shows
// what it would do (re-running with --yes is the confirmation). Exits 1 if anything failed.
//
// Database: DATABASE_URL if set; else the embedded cluster under DATA_DIR — used as is when the
// app is running, otherwise started for this run and stopped afterwards.
import { parseArgs } from 'node:util'
import { ConfigError } from '@/lib/config/env'
import { createDb, type Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { isAppError } from '@/lib/server/errors/app-error'
import { pressPanic } from '@/lib/server/panic/press-panic'
import { withDatabase } from './with-database'

class UsageError extends Error {}

const USAGE = 'usage: npm run panic -- [--yes] [--trader <id|name>] [--email <user email>]'

function parseCli() {
  try {
    const { values } = parseArgs({
      options: {
        yes: { type: 'boolean', default: false },
        trader: { type: 'string' },
        email: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    })
    return values
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`)
  }
}

/** A plain fixed-width table: readable in a terminal and in a log. */
function table(rows: Record<string, string>[]): string {
  if (rows.length === 0) return '  (none)'
  const cols = Object.keys(rows[0]!)
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)))
  const line = (cells: string[]) => '  ' + cells.map((v, i) => v.padEnd(width[i]!)).join('  ').trimEnd()
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))].join('\n')
}

async function resolveTarget(db: Db, opts: { email?: string; trader?: string }) {
  // A trader id names its user by itself.
  const byId = opts.trader ? await db.trader.findUnique({ where: { id: opts.trader }, include: { user: true } }) : null
  let user = byId?.user ?? null
  if (!user && opts.email) {
    user = await db.user.findUnique({ where: { email: opts.email.trim().toLowerCase() } })
    if (!user) throw new UsageError(`no user with email ${opts.email}`)
  }
  if (!user) {
    const users = await db.user.findMany({ orderBy: { createdAt: 'asc' }, take: 20 })
    if (users.length === 0) throw new UsageError('there are no users in this database: nothing to panic')
    if (users.length > 1) throw new UsageError(`several users exist; say whose trading to stop with --email (one of: ${users.map((u) => u.email).join(', ')})`)
    user = users[0]!
  }
  let trader = byId && byId.userId === user.id ? byId : null
  if (opts.trader && !trader) {
    trader = await db.trader.findFirst({ where: { userId: user.id, name: opts.trader }, include: { user: true } })
    if (!trader) throw new UsageError(`${user.email} has no trader with id or name "${opts.trader}"`)
  }
  return { user, trader }
}

async function main(): Promise<number> {
  const args = parseCli()
  if (args.help) {
    console.log(USAGE)
    return 0
  }
  return withDatabase(
    async (url) => {
      const db = createDb(url)
      try {
        const { user, trader } = await resolveTarget(db, args)
        const scopeWhere = trader ? { traderId: trader.id } : { account: { userId: user.id } }
        const traders = new Map((await db.trader.findMany({ where: { userId: user.id } })).map((t) => [t.id, t.name]))
        const what = trader ? `trader "${trader.name}"` : `every account of ${user.email}`

        if (!args.yes) {
          const orders = await db.order.findMany({ where: { ...scopeWhere, status: { in: ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] } }, orderBy: { createdAt: 'asc' } })
          // Positions whose entry has not filled yet end with the cancel of that entry.
          const positions = await db.position.findMany({ where: { ...scopeWhere, status: { in: ['OPEN', 'MONITORING', 'CLOSING'] } }, orderBy: { createdAt: 'asc' } })
          console.log(`PANIC dry run for ${what}. It would:`)
          console.log(`  1. halt ${trader ? `trader "${trader.name}"` : 'trading on every account'} until a person re-enables it`)
          console.log(`  2. cancel ${orders.length} open order(s):`)
          console.log(table(orders.map((o) => ({ trader: traders.get(o.traderId ?? '') ?? '', symbol: o.symbol, purpose: o.purpose, side: o.side, type: o.type, qty: fromDb(o.qty).toFixed(), price: o.price ? fromDb(o.price).toFixed() : '', status: o.status }))))
          console.log(`  3. close ${positions.length} position(s) at market:`)
          console.log(table(positions.map((p) => ({ trader: traders.get(p.traderId) ?? '', symbol: p.symbol, side: p.side, 'open qty': fromDb(p.openQty).toFixed(), status: p.status }))))
          console.log('\nNothing has been done. To do it, run the same command with --yes:')
          console.log(`  npm run panic -- --yes${args.trader ? ` --trader ${JSON.stringify(args.trader)}` : ''}${args.email ? ` --email ${args.email}` : ''}`)
          return 0
        }

        console.log(`PANIC: halting ${what}, canceling open orders, closing positions at market…`)
        const result = await pressPanic({
          db,
          userId: user.id,
          // A person at the terminal, acting as this user.
          actor: { kind: 'USER', id: user.id },
          requestedBy: `${user.email} via the command line`,
          input: { confirm: true, traderId: trader?.id },
        })
        for (const run of result.runs) {
          const account = await db.exchangeAccount.findUnique({ where: { id: run.accountId }, select: { name: true } })
          console.log(`\nAccount "${account?.name ?? run.accountId}"${run.traderId ? `, trader "${traders.get(run.traderId)}"` : ''}: ${run.status} in ${run.durationMs} ms (panic run ${run.panicRunId})`)
          console.log(' Orders:')
          console.log(table(run.orders.map((o) => ({ symbol: o.symbol, order: o.clientOrderId, outcome: o.outcome, detail: o.detail }))))
          console.log(' Positions:')
          console.log(
            table(
              run.positions.map((p) => ({
                trader: traders.get(p.traderId) ?? p.traderId,
                symbol: p.symbol,
                side: p.side,
                outcome: p.outcome,
                attempts: String(p.attempts),
                'exit price': p.exitPrice ?? '',
                detail: p.detail,
              })),
            ),
          )
        }
        console.log('')
        if (result.failed) console.log(`${result.failed} order(s)/position(s) FAILED: see above. Trading stays halted; run again to retry.`)
        else console.log('Everything in scope is flat.')
        console.log(`Trading stays halted for ${what} until a person re-enables it (Settings, or POST /api/v1/trading/resume).`)
        return result.failed ? 1 : 0
      } finally {
        await db.$disconnect()
      }
    },
    { reuseRunning: true, mustExist: true },
  )
}

main().then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError || e instanceof ConfigError || isAppError(e)) console.error(`panic: ${e.message}`)
    else console.error(`panic: failed: ${(e as Error)?.stack ?? String(e)}`)
    process.exit(2)
  },
)
