import type { Db } from '@/lib/db/client'

/**
 * Copies one row `n` times within its table, in one statement: many positions (with their orders
 * and fills) without opening each. `overrides` are SQL expressions over the row `t` and `g` (1..n).
 */
export async function cloneRow(db: Db, table: string, id: string, n: number, overrides: Record<string, string>) {
  const cols = (await db.$queryRaw<{ column_name: string }[]>`
    SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`).map((c) => c.column_name)
  const list = cols.map((c) => `"${c}"`).join(', ')
  const exprs = cols.map((c) => overrides[c] ?? `t."${c}"`).join(', ')
  await db.$executeRawUnsafe(`INSERT INTO "${table}" (${list}) SELECT ${exprs} FROM "${table}" t, generate_series(1, ${n}) g WHERE t.id = $1`, id)
}
