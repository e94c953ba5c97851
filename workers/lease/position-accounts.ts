import type { Db } from '@/lib/db/client'

export interface PositionAccount {
  accountId: string
  /** PAPER or CCXT: only CCXT accounts rest stops on an exchange. */
  kind: string
}

/**
 * The exchange account of a position, which never changes once the position exists: read once
 * and remembered, so a worker can tell on every change notification whether the position is its
 * own without a query each time.
 */
export class PositionAccounts {
  private readonly known = new Map<string, PositionAccount>()

  constructor(private readonly db: Db) {}

  async of(positionId: string): Promise<PositionAccount | null> {
    const hit = this.known.get(positionId)
    if (hit) return hit
    const p = await this.db.position.findUnique({ where: { id: positionId }, select: { accountId: true, account: { select: { kind: true } } } })
    if (!p) return null
    if (this.known.size >= 50_000) this.known.clear()
    const found = { accountId: p.accountId, kind: p.account.kind }
    this.known.set(positionId, found)
    return found
  }
}
