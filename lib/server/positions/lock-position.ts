import type { DbTx } from '@/lib/db/client'

/** Serialises every change to one position (web, API and worker alike) on its row lock. */
export async function lockPosition(tx: DbTx, positionId: string) {
  await tx.$queryRaw`SELECT id FROM "Position" WHERE id = ${positionId} FOR UPDATE`
  return tx.position.findUnique({ where: { id: positionId }, include: { trader: { select: { userId: true } } } })
}
