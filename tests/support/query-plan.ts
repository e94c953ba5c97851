import type pg from 'pg'
import type { Prisma } from '@/lib/generated/prisma/client'

/** A statement and its parameters: a Prisma.Sql, or one as it was sent. */
export type Statement = Pick<Prisma.Sql, 'text' | 'values'>

export type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string }

/** A statement's parameters as the app sends them: a Date as its UTC instant. */
const params = (q: Statement) => q.values.map((v) => (v instanceof Date ? v.toISOString() : v))

/** Every node of `q`'s plan, as PostgreSQL runs it with its parameters bound (custom) or not (generic). */
export async function planNodes(c: pg.Client, q: Statement, mode: 'force_custom_plan' | 'force_generic_plan'): Promise<PlanNode[]> {
  await c.query(`SET plan_cache_mode = ${mode}`)
  const [{ 'QUERY PLAN': plan }] = (await c.query(`EXPLAIN (FORMAT JSON) ${q.text}`, params(q))).rows
  const nodes: PlanNode[] = []
  const walk = (n: PlanNode & { Plans?: unknown[] }) => (nodes.push(n), (n.Plans ?? []).forEach((p) => walk(p as typeof n)))
  walk((plan as [{ Plan: Parameters<typeof walk>[0] }])[0].Plan)
  return nodes
}

/** `q`'s rows, run on `c`. */
export async function rowsOf<T = Record<string, unknown>>(c: pg.Client, q: Prisma.Sql): Promise<T[]> {
  return (await c.query(q.text, params(q))).rows as T[]
}
