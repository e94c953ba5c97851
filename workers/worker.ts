import os from 'node:os'
import pRetry from 'p-retry'
import pg from 'pg'
import { coalescePerKey } from '@/lib/server/concurrency/coalesce-per-key'
import type { Env } from '@/lib/config/env'
import type { Db } from '@/lib/db/client'
import { matchRestingPaperOrders } from '@/lib/exchange/paper/paper-exchange'
import { createFeed } from '@/lib/market-data/create-feed'
import type { MarketDataFeed } from '@/lib/market-data/feed'
import { encodeFeedKind } from '@/lib/market-data/feed-mode'
import type { Quote } from '@/lib/market-data/quote'
import type { AppEvent } from '@/lib/server/events/notify'
import { EVENTS_CHANNEL, QUOTES_CHANNEL } from '@/lib/server/events/notify'
import { feedConfig } from './market/feed-settings'
import { MarketLoop } from './market/market-loop'
import { QuoteFollower } from './market/quote-follower'
import { OrderStream } from './orders/order-stream'
import type { CandleSource } from '@/lib/server/decisions/run-analysis-cycle'
import { AnalysisScheduler } from './decisions/analysis-scheduler'
import { EquitySnapshotLoop } from './equity/equity-snapshot-loop'
import { ExecutionAlertLoop } from './execution/execution-alert-loop'
import { AccountLease } from './lease/account-lease'
import { PositionAccounts } from './lease/position-accounts'
import { dailySummaryPass } from './notifications/daily-summary-pass'
import { housekeepingPass } from './housekeeping-pass'
import { NotificationLoop } from './notifications/notification-loop'
import { StopManager } from './management/stop-manager'
import { UniverseRefresh } from './universe/universe-refresh'
import { TriggerMonitor } from './monitor/trigger-monitor'
import { GroupKeeper } from './groups/group-keeper'
import { poolPromotionPass } from './groups/pool-promotion-pass'
import { riskEnginePass } from './groups/risk-engine-pass'
import { leftoverEntryPass } from './protection/leftover-entry-pass'
import { ProtectionKeeper } from './protection/protection-keeper'
import { SignalLoop } from './signals/signal-loop'
import { AccountSync } from './reconcile/account-sync'
import { OrderAdoption } from './reconcile/order-adoption'
import { applyExchangeUpdates, OrderReconciler, type ExchangeFor, type ReconcileOptions } from './reconcile/reconcile-orders'

/** A position's reload: 5 tries over about 4 s (0.25, 0.5, 1, 2 s apart). */
const RELOAD_RETRY = { retries: 4, minTimeout: 250, factor: 2 }

export interface Worker {
  id: string
  stop(): Promise<void>
}

export interface StartWorkerOptions {
  db: Db
  cfg: Env
  databaseUrl: string
  log?: (m: string) => void
  /** Reconciliation timing (grace, not-found budget, interval); defaults suit production. */
  reconcile?: Omit<ReconcileOptions, 'actor' | 'log' | 'exchangeFor' | 'scope'>
  /** The exchange of an account; by default the account's own. A seam for tests. */
  exchangeFor?: ExchangeFor
  /** How often the worker checks its share of accounts against the workers alive (default 1 s). */
  leaseIntervalMs?: number
}

/**
 * One worker process. Any number may run against the same database (on this machine or others):
 * they split the exchange accounts between them (AccountLease), and every loop that acts on an
 * account (stops and targets, rule management, paper matching, reconciliation, adoption,
 * protection, balance sync, order streams, decision cycles) handles only the accounts its worker
 * owns. One of them, the primary, also runs the market data feed (the others take its ticks from
 * PostgreSQL) and the passes over every user: notifications, daily summaries, approval expiry, loss
 * breakers, equity snapshots, universes and execution alerts. When a worker dies, PostgreSQL frees
 * its locks and the others take over its accounts, and the primary role, within seconds.
 */
export async function startWorker(opts: StartWorkerOptions): Promise<Worker> {
  const { db, cfg } = opts
  const log = opts.log ?? ((m: string) => console.log(`[worker] ${m}`))
  const id = `${os.hostname()}-${process.pid}-${Date.now().toString(36)}`
  const actor = { kind: 'WORKER' as const, id }

  const leaseClient = new pg.Client({ connectionString: opts.databaseUrl })
  await leaseClient.connect()
  const lease = new AccountLease(leaseClient, { log, intervalMs: opts.leaseIntervalMs })
  await lease.start()
  const positionAccounts = new PositionAccounts(db)

  // Candles come from whichever feed is current (the feed changes with the settings).
  let feed: MarketDataFeed = createFeed(await feedConfig(db, cfg))
  let loop: MarketLoop | null = null
  const candles: CandleSource = (symbol, tf, limit) => feed.fetchCandles(symbol, tf, limit)
  const monitor = new TriggerMonitor(db, actor, log, opts.exchangeFor, lease)
  const stops = new StopManager(db, actor, log, candles, Date.now, lease)
  // The same pass at start as on the schedule: NEW orders within their grace may be being sent
  // by a web request right now and are left alone.
  const reconciler = new OrderReconciler(db, { ...opts.reconcile, actor, log, exchangeFor: opts.exchangeFor, scope: lease })
  await reconciler.runOnce().catch((e) => log(`reconcile: start-up pass failed: ${(e as Error).message}`))
  await monitor.loadAll()
  await stops.loadAll()
  // Orders of ours working on exchanges that the database lacks (restored from a backup): recorded
  // before the keeper starts, so it finds a lost stop instead of sending a second one (refused for
  // want of balance, and then read as "stop refused": an exit at market). Then every minute.
  const adoption = new OrderAdoption(db, actor, log, { exchangeFor: opts.exchangeFor, scope: lease })
  await adoption.runOnce()
  adoption.start()
  // Stops resting on exchanges: checked (and replaced where they no longer fit) at once, then on a schedule.
  const protection = new ProtectionKeeper(db, actor, log, { exchangeFor: opts.exchangeFor, scope: lease })
  protection.start()
  // Limit entries left working by positions that closed (a failed cancel, a stop executed on the exchange).
  const leftoverEntries = leftoverEntryPass(db, actor, log, { scope: lease, exchangeFor: opts.exchangeFor })
  leftoverEntries.start()
  // Webhook signals (TradingView alerts), from their queue in PostgreSQL.
  const signals = new SignalLoop(db, actor, log, {
    databaseUrl: opts.databaseUrl,
    exchangeFor: opts.exchangeFor,
    accounts: () => {
      const ids = lease.accountIds()
      return ids === null ? null : new Set(ids)
    },
  }).start()
  // Position groups (pyramids of DCA legs from signals): legs placed as they come due, averages,
  // stops and targets kept in line with the fills.
  const groups = new GroupKeeper(db, actor, log, { exchangeFor: opts.exchangeFor, scope: lease }).start()
  // Balances of exchange accounts, and whether each one is in step with its exchange.
  const accounts = new AccountSync(db, log, { exchangeFor: opts.exchangeFor, scope: lease })
  accounts.start()
  const logMonitoring = () => log(`monitoring ${monitor.index.size()} stop/take-profit level(s); rule management on ${stops.size()} position(s)`)
  logMonitoring()

  // The tick handler, for the accounts this worker owns: the primary runs it on its own feed's
  // quotes, the others on the quotes the primary publishes.
  const onQuote = async (q: Quote) => {
    await applyExchangeUpdates(db, await matchRestingPaperOrders(db, q.symbol, (a) => lease.owns(a)), actor, opts.exchangeFor)
    await monitor.onQuote(q)
    await stops.onQuote(q)
  }
  const follower = new QuoteFollower(onQuote, log)

  // ---- the primary worker's part -------------------------------------------------------------
  let globals: { stop(): Promise<void> }[] = []
  let universes: UniverseRefresh | null = null
  let becomingPrimary: Promise<void> = Promise.resolve()
  const startPrimary = () => {
    log(`market data: ${feed.label}`)
    loop = newLoop(feed)
    loop.start()
    const equity = new EquitySnapshotLoop(db, log, { databaseUrl: opts.databaseUrl, intervalMs: cfg.EQUITY_SNAPSHOT_INTERVAL_MS }).start()
    // Stuck orders, unusual slippage, a high exchange error rate: to the activity feed and channels.
    const executionAlerts = new ExecutionAlertLoop(db, log, {
      thresholds: { stuckAfterMs: cfg.ALERT_ORDER_STUCK_MS, slippageBps: cfg.ALERT_SLIPPAGE_BPS, errorRatePct: cfg.ALERT_ERROR_RATE_PCT, errorWindowMin: cfg.ALERT_ERROR_WINDOW_MIN, errorMinOrders: cfg.ALERT_ERROR_MIN_ORDERS },
    })
    executionAlerts.start()
    // Top-N universes resolved into watchlists from the current feed's 24 h tickers.
    universes = new UniverseRefresh(db, () => feed, log, { intervalMs: cfg.UNIVERSE_REFRESH_INTERVAL_MS }).start()
    const notifications = new NotificationLoop(db, { log, intervalMs: 2000 })
    notifications.start()
    // Each user's daily summary (PnL, trades, open risk) at their chosen local time.
    const dailySummaries = dailySummaryPass(db, log)
    dailySummaries.start()
    // Housekeeping: expire unanswered approvals, settle interrupted ones (and decisions), check the loss breakers of every user.
    const housekeeping = housekeepingPass(db, log, { intervalMs: cfg.WORKER_HEARTBEAT_MS })
    housekeeping.start()
    // The group pool's queue: expiry, and promotion into freed slots.
    const pool = poolPromotionPass(db, log)
    pool.start()
    // The group risk engine of the users who turned it on.
    const riskEngine = riskEnginePass(db, actor, log, { exchangeFor: opts.exchangeFor, intervalMs: cfg.RISK_ENGINE_INTERVAL_MS })
    riskEngine.start()
    globals = [equity, executionAlerts, universes, notifications, dailySummaries, housekeeping, pool, riskEngine]
  }
  function newLoop(f: MarketDataFeed) {
    return new MarketLoop(db, f, { intervalMs: cfg.MARKET_POLL_INTERVAL_MS, quietRefreshMs: cfg.MARKET_STALE_AFTER_MS / 2, log, onQuote })
  }

  const listener = new pg.Client({ connectionString: opts.databaseUrl })
  await listener.connect()
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
  await listener.query(`LISTEN ${QUOTES_CHANNEL}`)
  let switching: Promise<void> = Promise.resolve()
  // A position's change is this worker's to act on when its account is; only exchange accounts
  // (CCXT) rest stops there, so paper positions skip the protection keeper's locked look. A
  // transaction's position events arrive together (an entry sends six): one reload after them
  // sees everything they announce, so they share one (see coalescePerKey). A reload that fails
  // (the database away for a moment) is tried again; one that still fails ends the process, whose
  // supervisor starts it afresh, loading every position: a level left unarmed would be a stop
  // that never fires.
  const reload = coalescePerKey((positionId) =>
    pRetry(
      async () => {
        const a = await positionAccounts.of(positionId)
        if (!a || !lease.owns(a.accountId)) return
        await Promise.all([monitor.reload(positionId), stops.reload(positionId), a.kind === 'CCXT' ? protection.touch(positionId) : undefined])
      },
      { ...RELOAD_RETRY, onFailedAttempt: (e) => log(`position ${positionId}: reload failed (${e.message}); trying again, ${e.retriesLeft} more time(s)`) },
    ),
  )
  const reloadOrRestart = (positionId: string) =>
    void reload(positionId).catch((e: Error) => {
      log(`position ${positionId}: could not be reloaded (${e.message}); the worker restarts to load every position afresh`)
      throw e
    })
  listener.on('notification', (n) => {
    // The primary's own published quotes come back here too; it has handled them already.
    if (n.channel === QUOTES_CHANNEL) {
      if (!loop) follower.offer(n.payload ?? '[]')
      return
    }
    const e = JSON.parse(n.payload ?? '{}') as AppEvent
    if (e.kind === 'position' || e.kind === 'protection') reloadOrRestart(e.positionId)
    if (e.kind === 'universe' && universes) void universes.refreshTrader(e.traderId)
    if (e.kind === 'analyze') {
      void db.trader
        .findUnique({ where: { id: e.traderId }, select: { accountId: true } })
        .then((t) => {
          if (t && lease.owns(t.accountId)) void scheduler.trigger(e.traderId, e.symbol ? 'SIGNAL' : 'MANUAL', e.symbol)
        })
        // Unhandled, a passing database error here would end the worker.
        .catch((err: Error) => log(`analysis request for trader ${e.traderId} not handled: ${err.message}`))
    }
    if (e.kind === 'settings') {
      switching = switching.then(async () => {
        if (loop) await loop.stop()
        else await feed.close()
        feed = createFeed(await feedConfig(db, cfg))
        if (loop) {
          log(`market data: ${feed.label}`)
          loop = newLoop(feed)
          loop.start()
          void universes?.runOnce() // from the new source at once, not up to an interval later
        }
      })
    }
  })

  reconciler.start()
  const orderStream = new OrderStream(db, { actor, log, exchangeFor: opts.exchangeFor, reconcile: () => reconciler.runOnce(), scope: lease }).start()
  const scheduler = new AnalysisScheduler(db, { candles, actor, log, staleAfterMs: cfg.MARKET_STALE_AFTER_MS, scope: lease })
  scheduler.start()

  // Accounts taken over are picked up at once, and those given up are dropped. Their locks are
  // released once this returns: after the drop, and after the decision cycles and the group pass
  // under way ended (a cycle waiting on its model must not overlap the new owner's for the same
  // trader; a group pass runs again with the new share).
  let rescoping: Promise<void> = Promise.resolve()
  // Tried again like a position's reload; one that still fails ends the process (a position
  // taken over but not loaded would have its stop never fire), and npm start starts it afresh.
  const rescope = () =>
    pRetry(() => Promise.all([monitor.rescope(), stops.rescope(), orderStream.rescope()]), {
      ...RELOAD_RETRY,
      onFailedAttempt: (e) => log(`lease: taking up the new share failed (${e.message}); trying again, ${e.retriesLeft} more time(s)`),
    })
  lease.onChange(() => {
    const done = rescoping.then(rescope).then(() => {
      // (A worker that starts while a dead one's accounts are still held picks them up here.)
      logMonitoring()
      void protection.sweep()
      void accounts.runOnce()
      void reconciler.runOnce()
    })
    rescoping = done.catch(() => {})
    void done.catch((e: Error) => {
      log(`lease: the new share could not be taken up (${e.message}); the worker restarts to load every position afresh`)
      throw e
    })
    return Promise.all([rescoping, scheduler.settle(), groups.runOnce()])
  })
  const takePrimary = () => {
    becomingPrimary = switching.then(() => startPrimary())
  }
  if (lease.primary) takePrimary()
  else {
    log('another worker is the primary one; this one takes its ticks from PostgreSQL')
    lease.onPrimary(takePrimary)
  }

  const startedAt = new Date()
  const beat = async () => {
    const s = loop?.status
    const l = lease.state()
    const feedState = s
      ? { feedKind: encodeFeedKind(s.kind, s.mode), feedLabel: s.label, feedError: s.error }
      : { feedKind: feed.kind, feedLabel: `${feed.label} (ticks from the primary worker)`, feedError: null }
    const data = { pid: process.pid, host: os.hostname(), lastSeenAt: new Date(), ...feedState, primary: l.primary, shards: l.shards, accounts: l.accounts }
    await db.workerHeartbeat.upsert({ where: { id }, create: { id, startedAt, ...data }, update: data }).catch((e) => log(`heartbeat failed: ${e.message}`))
  }
  await beat()
  const heartbeat = setInterval(beat, cfg.WORKER_HEARTBEAT_MS)

  return {
    id,
    async stop() {
      clearInterval(heartbeat)
      await lease.stop()
      await becomingPrimary
      await orderStream.stop()
      await reconciler.stop()
      await protection.stop()
      await leftoverEntries.stop()
      await signals.stop()
      await groups.stop()
      await accounts.stop()
      await adoption.stop()
      await scheduler.stop()
      for (const g of globals) await g.stop()
      await switching
      await rescoping
      await follower.stop()
      if (loop) await loop.stop()
      else await feed.close()
      await listener.end()
      await leaseClient.end()
    },
  }
}
