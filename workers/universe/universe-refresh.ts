import type { Db } from '@/lib/db/client'
import { topByVolume } from '@/lib/domain/market/top-by-volume'
import type { MarketDataFeed } from '@/lib/market-data/feed'
import { ACCOUNT_REF } from '@/lib/server/exchange/exchange-for-account'
import { notify } from '@/lib/server/events/notify'
import { readUniverse } from '@/lib/server/traders/trader-settings'
import { readDailyVolumes, type DailyVolumes } from '@/lib/server/traders/universe-volumes'
import { PeriodicPass } from '../periodic-pass'

/**
 * Resolves every top-N universe into its trader's watchlist, ranked on the exchange the trader's
 * account trades on (readDailyVolumes): one ticker request per pass for each exchange account
 * and one for all paper accounts (the feed), at start and then on the schedule. A failure keeps
 * the watchlist the trader has and says why on the trader. Open positions need nothing from
 * here: the market loop, the trigger monitor and the decision cycle follow every open position
 * whatever the watchlist says.
 */
export class UniverseRefresh {
  private readonly pass: PeriodicPass

  constructor(
    private readonly db: Db,
    /** The feed in use now (it changes with the market-data setting). */
    private readonly feed: () => MarketDataFeed,
    private readonly log: (m: string) => void,
    o: { intervalMs: number },
  ) {
    this.pass = new PeriodicPass(() => this.refresh(), { intervalMs: o.intervalMs, onError: (e) => log(`universe: refresh failed: ${e.message}`) })
  }

  start(): this {
    this.pass.start()
    return this
  }

  stop(): Promise<void> {
    return this.pass.stop()
  }

  runOnce(): Promise<void> {
    return this.pass.runOnce()
  }

  /** One trader at once (its universe just changed), outside the schedule. */
  async refreshTrader(traderId: string): Promise<void> {
    await this.refresh(traderId).catch((e: Error) => this.log(`universe: refresh failed: ${e.message}`))
  }

  private async refresh(traderId?: string): Promise<void> {
    const traders = (
      await this.db.trader.findMany({
        where: traderId ? { id: traderId } : {},
        select: { id: true, userId: true, name: true, quoteCurrency: true, universe: true, account: { select: ACCOUNT_REF } },
      })
    )
      .map((t) => ({ ...t, rule: readUniverse(t.universe) }))
      .filter((t) => t.rule.kind === 'TOP')
    if (traders.length === 0) return
    // Read once per pass for each exchange account, once for every paper account (the feed).
    const feed = this.feed()
    const volumes = new Map<string, Promise<DailyVolumes>>()
    for (const t of traders) {
      if (t.rule.kind !== 'TOP') continue
      const key = t.account.kind === 'PAPER' ? 'feed' : t.account.id
      if (!volumes.has(key)) volumes.set(key, readDailyVolumes(this.db, t.account, feed))
      const got = await volumes.get(key)!
      const symbols = got.ok ? topByVolume(got.tickers, t.rule, t.quoteCurrency) : []
      const error = !got.ok ? got.error : symbols.length === 0 ? `${got.source} has no spot market in ${t.quoteCurrency} with a 24 h volume that the exclusions leave in; the watchlist is kept` : null
      const data = error ? { universeError: error } : { watchlist: symbols, universeRefreshedAt: new Date(), universeError: null }
      await this.db.$transaction(async (tx) => {
        // Only over the settings this result was computed for: a change meanwhile gets its own pass.
        const { count } = await tx.trader.updateMany({ where: { id: t.id, universe: { equals: t.universe as object } }, data })
        if (count) await notify(tx, { kind: 'trader', userId: t.userId, traderId: t.id })
      })
      this.log(error ? `universe: ${t.name}: ${error}` : `universe: ${t.name}: top ${t.rule.n} in ${t.quoteCurrency} → ${symbols.length} symbol(s)`)
    }
  }
}
