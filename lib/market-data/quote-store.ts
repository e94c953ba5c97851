import { Prisma } from '@/lib/generated/prisma/client'
import { sqlOf, type Db, type DbTx } from '@/lib/db/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import type { Decimal } from '@/lib/domain/decimal'
import type { MarketRules } from '@/lib/domain/market/precision'
import type { Quote } from './quote'

/** The latest quote per symbol lives in the database so web and worker see the same price. */
export interface StoredQuote {
  symbol: string
  bid: Decimal
  ask: Decimal
  last: Decimal
  bids?: [Decimal, Decimal][]
  asks?: [Decimal, Decimal][]
  source: string
  exchangeTs: Date
  receivedAt: Date
}

type Levels = [string, string][]

export async function saveQuotes(db: DbTx, quotes: Quote[], source: string): Promise<void> {
  if (quotes.length === 0) return
  const rows = quotes.map((q) => ({
    symbol: q.symbol,
    bid: toDb(q.bid),
    ask: toDb(q.ask),
    last: toDb(q.last),
    book: q.bids || q.asks ? { bids: levels(q.bids), asks: levels(q.asks) } : null,
    source,
    exchangeTs: new Date(q.exchangeTs),
    receivedAt: new Date(q.receivedAt),
  }))
  // One statement for every symbol of the tick.
  await db.$executeRaw`
    INSERT INTO "MarketQuote" (symbol, bid, ask, last, book, source, "exchangeTs", "receivedAt")
    SELECT r.symbol, r.bid::numeric, r.ask::numeric, r.last::numeric, r.book, r.source, r."exchangeTs"::timestamptz, r."receivedAt"::timestamptz
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS r(symbol text, bid text, ask text, last text, book jsonb, source text, "exchangeTs" text, "receivedAt" text)
    ON CONFLICT (symbol) DO UPDATE SET bid = EXCLUDED.bid, ask = EXCLUDED.ask, last = EXCLUDED.last,
      book = EXCLUDED.book, source = EXCLUDED.source, "exchangeTs" = EXCLUDED."exchangeTs", "receivedAt" = EXCLUDED."receivedAt"`
}

function levels(l?: [Decimal, Decimal][]): Levels | undefined {
  return l?.map(([p, q]) => [toDb(p), toDb(q)])
}

function parseLevels(l: unknown): [Decimal, Decimal][] | undefined {
  return Array.isArray(l) ? (l as Levels).map(([p, q]) => [fromDb(p), fromDb(q)]) : undefined
}

// Read with $queryRaw: these reads sit on every order's path (entries, exits, fills), and a raw
// statement costs Prisma about half the CPU of a model query. Decimals come back as text (exact),
// times as epoch milliseconds (a timestamp column holds UTC: no time zone is applied).
export type QuoteRow = { symbol: string; bid: string; ask: string; last: string; book: string | null; source: string; exchangeMs: number; receivedMs: number }
export const QUOTE_COLUMNS = Prisma.sql`symbol, bid::text AS bid, ask::text AS ask, last::text AS last, book::text AS book, source,
  (extract(epoch from "exchangeTs") * 1000)::float8 AS "exchangeMs", (extract(epoch from "receivedAt") * 1000)::float8 AS "receivedMs"`

export async function loadQuote(db: SqlTx, symbol: string): Promise<StoredQuote | null> {
  const [row] = await db.$queryRaw<QuoteRow[]>`SELECT ${QUOTE_COLUMNS} FROM "MarketQuote" WHERE symbol = ${symbol}`
  return row ? toStoredQuote(row) : null
}

export async function loadQuotes(db: SqlTx, symbols?: string[]): Promise<StoredQuote[]> {
  const rows = symbols
    ? await db.$queryRaw<QuoteRow[]>`SELECT ${QUOTE_COLUMNS} FROM "MarketQuote" WHERE symbol = ANY(${symbols}::text[])`
    : await db.$queryRaw<QuoteRow[]>`SELECT ${QUOTE_COLUMNS} FROM "MarketQuote"`
  return rows.map(toStoredQuote)
}

export function toStoredQuote(row: QuoteRow): StoredQuote {
  const book = row.book === null ? null : (JSON.parse(row.book) as { bids?: unknown; asks?: unknown } | null)
  return {
    symbol: row.symbol,
    bid: fromDb(row.bid),
    ask: fromDb(row.ask),
    last: fromDb(row.last),
    bids: parseLevels(book?.bids),
    asks: parseLevels(book?.asks),
    source: row.source,
    exchangeTs: new Date(Number(row.exchangeMs)),
    receivedAt: new Date(Number(row.receivedMs)),
  }
}

export function quoteAgeMs(q: Pick<StoredQuote, 'receivedAt'>, now = Date.now()): number {
  return now - q.receivedAt.getTime()
}

/** The one staleness rule: a price older than the limit is not traded or decided on. */
export function isStale(ageMs: number, staleAfterMs: number): boolean {
  return ageMs > staleAfterMs
}

export async function saveMarketRules(db: DbTx, rules: MarketRules, source: string): Promise<void> {
  const data = {
    base: rules.base,
    quote: rules.quote,
    tickSize: toDb(rules.tickSize),
    stepSize: toDb(rules.stepSize),
    minQty: toDb(rules.minQty),
    minNotional: toDb(rules.minNotional),
    source,
  }
  await db.marketRule.upsert({ where: { symbol: rules.symbol }, create: { symbol: rules.symbol, ...data }, update: data })
  const g = globalThis as { [RULES_SAVED]?: number }
  g[RULES_SAVED] = (g[RULES_SAVED] ?? 0) + 1
}

// Counts saveMarketRules calls in this process (on globalThis: Next bundles this module more than once).
const RULES_SAVED = Symbol.for('tradeloop.marketRules.saved')
const rulesSaved = () => (globalThis as { [RULES_SAVED]?: number })[RULES_SAVED] ?? 0

/** How long recentMarketRules serves a read before reading again. */
export const RULES_REREAD_MS = 10_000
const recentRules = new WeakMap<object, Map<string, { rules: MarketRules; at: number; saved: number }>>()

/**
 * loadMarketRules on `db`'s pool, served from this process's last read of the symbol for up to
 * RULES_REREAD_MS (or until this process saves rules): the feed writes a market's rules when it
 * first trades it, and a venue changes a tick or a step rarely, so an order's checks need not
 * spend a statement of their own on them. A symbol without rules is read again every time.
 */
export async function recentMarketRules(db: Db, symbol: string, now = Date.now()): Promise<MarketRules | null> {
  let bySymbol = recentRules.get(db)
  if (!bySymbol) recentRules.set(db, (bySymbol = new Map()))
  const hit = bySymbol.get(symbol)
  if (hit && hit.saved === rulesSaved() && now - hit.at < RULES_REREAD_MS) return hit.rules
  const saved = rulesSaved()
  const rules = await loadMarketRules(sqlOf(db), symbol)
  if (rules) bySymbol.set(symbol, { rules, at: now, saved })
  return rules
}

type RulesRow = { symbol: string; base: string; quote: string; tickSize: string; stepSize: string; minQty: string; minNotional: string }
const RULE_COLUMNS = Prisma.sql`symbol, base, quote, "tickSize"::text AS "tickSize", "stepSize"::text AS "stepSize", "minQty"::text AS "minQty", "minNotional"::text AS "minNotional"`

export async function loadMarketRules(db: SqlTx, symbol: string): Promise<MarketRules | null> {
  const [r] = await db.$queryRaw<RulesRow[]>`SELECT ${RULE_COLUMNS} FROM "MarketRule" WHERE symbol = ${symbol}`
  return r ? toMarketRules(r) : null
}

function toMarketRules(r: RulesRow): MarketRules {
  return {
    symbol: r.symbol,
    base: r.base,
    quote: r.quote,
    tickSize: fromDb(r.tickSize),
    stepSize: fromDb(r.stepSize),
    minQty: fromDb(r.minQty),
    minNotional: fromDb(r.minNotional),
  }
}

/**
 * The symbol's quote and market rules as two columns, "quote" and "rules" (JSON, null when
 * unknown), for a statement that reads them beside something else; marketFromColumns reads them.
 */
export function marketColumns(symbol: string): Prisma.Sql {
  return Prisma.sql`${quoteColumn(symbol)}, (SELECT to_jsonb(r) FROM (SELECT ${RULE_COLUMNS} FROM "MarketRule" WHERE symbol = ${symbol}) r) AS rules`
}

/** Just the "quote" column of marketColumns; `symbol` may be a column of the outer statement (Prisma.sql`p.symbol`). */
export function quoteColumn(symbol: string | Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(SELECT to_jsonb(q) FROM (SELECT ${QUOTE_COLUMNS} FROM "MarketQuote" WHERE symbol = ${symbol}) q) AS quote`
}

export function marketFromColumns(row: { quote: QuoteRow | null; rules: RulesRow | null }): { quote: StoredQuote | null; rules: MarketRules | null } {
  return { quote: row.quote ? toStoredQuote(row.quote) : null, rules: row.rules ? toMarketRules(row.rules) : null }
}
