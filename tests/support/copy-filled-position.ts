import type { Db } from '@/lib/db/client'

/**
 * Copies one row `n` times within its table, in one statement: many positions (with their orders
 * and fills) without opening each. `overrides` are SQL expressions over the row `t` and `g` (1..n).
 */
async function cloneRow(db: Db, table: string, id: string, n: number, overrides: Record<string, string>) {
  const cols = (await db.$queryRaw<{ column_name: string }[]>`
    SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`).map((c) => c.column_name)
  const list = cols.map((c) => `"${c}"`).join(', ')
  const exprs = cols.map((c) => overrides[c] ?? `t."${c}"`).join(', ')
  await db.$executeRawUnsafe(`INSERT INTO "${table}" (${list}) SELECT ${exprs} FROM "${table}" t, generate_series(1, ${n}) g WHERE t.id = $1`, id)
}

/**
 * `n` copies of a filled position, its entry order and fill included, with ids `${prefix}p-g`,
 * `${prefix}o-g` and `${prefix}f-g` (g = 1..n) and copy g's stop `stopStep` × g below the
 * original's; the paper account then holds the coins every copy bought (it is assumed to hold
 * only the original's). Returns the copies' ids in order.
 */
export async function copyFilledPosition(db: Db, positionId: string, n: number, o: { prefix: string; stopStep: string }): Promise<string[]> {
  const p = await db.position.findUniqueOrThrow({ where: { id: positionId }, select: { accountId: true, symbol: true } })
  const entry = await db.order.findFirstOrThrow({ where: { positionId, purpose: 'ENTRY' } })
  const fill = await db.fill.findFirstOrThrow({ where: { positionId } })
  const [pos, ord] = [`'${o.prefix}p-' || g`, `'${o.prefix}o-' || g`]
  await cloneRow(db, 'Position', positionId, n, { id: pos, stopLoss: `t."stopLoss" - ${o.stopStep} * g`, initialStop: `t."initialStop" - ${o.stopStep} * g` })
  await cloneRow(db, 'Order', entry.id, n, { id: ord, positionId: pos, clientOrderId: `t."clientOrderId" || '-' || g` })
  await cloneRow(db, 'Fill', fill.id, n, { id: `'${o.prefix}f-' || g`, orderId: ord, positionId: pos })
  await db.$executeRaw`UPDATE "PaperBalance" SET amount = amount * ${n + 1} WHERE "accountId" = ${p.accountId} AND asset = ${p.symbol.split('/')[0]}`
  return Array.from({ length: n }, (_, i) => `${o.prefix}p-${i + 1}`)
}
