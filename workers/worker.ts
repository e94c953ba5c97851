import os from 'node:os'
import pg from 'pg'
import type { Env } from '@/lib/config/env'
import type { Db } from '@/lib/db/client'
import { matchRestingPaperOrders } from '@/lib/exchange/paper/paper-exchange'
import { createFeed } from '@/lib/market-data/create-feed'
import { encodeFeedKind } from '@/lib/market-data/feed-mode'
import type { AppEvent } from '@/lib/server/events/notify'
import { EVENTS_CHANNEL } from '@/lib/server/events/notify'
import { feedConfig } from './market/feed-settings'
import { MarketLoop } from './market/market-loop'
import { OrderStream } from './orders/order-stream'
import { expireApprovals } from '@/lib/server/approvals/decide-approval'
import type { CandleSource } from '@/lib/server/decisions/run-analysis-cycle'
import { tripBreakers } from '@/lib/server/risk/trip-breakers'
import { AnalysisScheduler } from './decisions/analysis-scheduler'
import { EquitySnapshotLoop } from './equity/equity-snapshot-loop'
import { ExecutionAlertLoop } from './execution/execution-alert-loop'
import { dailySummaryPass } from './notifications/daily-summary-pass'
import { NotificationLoop } from './notifications/notification-loop'
import { StopManager } from './management/stop-manager'
import { UniverseRefresh } from './universe/universe-refresh'
import { TriggerMonitor } from './monitor/trigger-monitor'
import { ProtectionKeeper } from './protection/protection-keeper'
import { SignalLoop } from './signals/signal-loop'
import { AccountSync } from './reconcile/account-sync'
import { OrderAdoption } from './reconcile/order-adoption'
import { applyExchangeUpdates, OrderReconciler, type ExchangeFor, type ReconcileOptions } from './reconcile/reconcile-orders'

// Only one worker runs the market loop at a time; others wait for the lease (a session-level
// advisory lock, released by PostgreSQL if the holder dies).
const LEASE_KEY = 727_2024

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
  reconcile?: Omit<ReconcileOptions, 'actor' | 'log' | 'exchangeFor'>
  /** The exchange of an account; by default the account's own. A seam for tests. */
  exchangeFor?: ExchangeFor
}

export async function startWorker(opts: StartWorkerOptions): Promise<Worker> {
  const { db, cfg } = opts
  const log = opts.log ?? ((m: string) => console.log(`[worker] ${m}`))
  const id = `${os.hostname()}-${process.pid}-${Date.now().toString(36)}`
  const actor = { kind: 'WORKER' as const, id }

  const lease = new pg.Client({ connectionString: opts.databaseUrl })
  await lease.connect()
  while (!(await lease.query('SELECT pg_try_advisory_lock($1) AS ok', [LEASE_KEY])).rows[0].ok) {
    log('another worker holds the lease; waiting')
    await new Promise((r) => setTimeout(r, 2000))
  }

  // Candles come from whichever feed is current (the feed changes with the settings).
  const candles: CandleSource = (symbol, tf, limit) => loop.feed.fetchCandles(symbol, tf, limit)
  const monitor = new TriggerMonitor(db, actor, log, opts.exchangeFor)
  const stops = new StopManager(db, actor, log, candles)
  // The same pass at start as on the schedule: NEW orders within their grace may be being sent
  // by a web request right now and are left alone.
  const reconciler = new OrderReconciler(db, { ...opts.reconcile, actor, log, exchangeFor: opts.exchangeFor })
  await reconciler.runOnce().catch((e) => log(`reconcile: start-up pass failed: ${(e as Error).message}`))
  await monitor.loadAll()
  await stops.loadAll()
  // Orders of ours working on exchanges that the database lacks (restored from a backup): recorded
  // before the keeper starts, so it finds a lost stop instead of sending a second one (refused for
  // want of balance, and then read as "stop refused": an exit at market). Then every minute.
  const adoption = new OrderAdoption(db, actor, log, { exchangeFor: opts.exchangeFor })
  await adoption.runOnce()
  adoption.start()
  // Stops resting on exchanges: checked (and replaced where they no longer fit) at once, then on a schedule.
  const protection = new ProtectionKeeper(db, actor, log, { exchangeFor: opts.exchangeFor })
  protection.start()
  // Webhook signals (TradingView alerts), from their queue in PostgreSQL.
  const signals = new SignalLoop(db, actor, log, { databaseUrl: opts.databaseUrl, exchangeFor: opts.exchangeFor }).start()
  // Balances of exchange accounts, and whether each one is in step with its exchange.
  const accounts = new AccountSync(db, log, { exchangeFor: opts.exchangeFor })
  accounts.start()
  const equity = new EquitySnapshotLoop(db, log, { databaseUrl: opts.databaseUrl, intervalMs: cfg.EQUITY_SNAPSHOT_INTERVAL_MS }).start()
  // Stuck orders, unusual slippage, a high exchange error rate: to the activity feed and channels.
  const executionAlerts = new ExecutionAlertLoop(db, log, {
    thresholds: { stuckAfterMs: cfg.ALERT_ORDER_STUCK_MS, slippageBps: cfg.ALERT_SLIPPAGE_BPS, errorRatePct: cfg.ALERT_ERROR_RATE_PCT, errorWindowMin: cfg.ALERT_ERROR_WINDOW_MIN, errorMinOrders: cfg.ALERT_ERROR_MIN_ORDERS },
  }).start()
  log(`monitoring ${monitor.index.size()} stop/take-profit level(s); rule management on ${stops.size()} position(s)`)

  let loop = await newLoop()
  loop.start()
  // Top-N universes resolved into watchlists from the current feed's 24 h tickers.
  const universes = new UniverseRefresh(db, () => loop.feed, log, { intervalMs: cfg.UNIVERSE_REFRESH_INTERVAL_MS }).start()
  async function newLoop() {
    const feed = createFeed(await feedConfig(db, cfg))
    log(`market data: ${feed.label}`)
    return new MarketLoop(db, feed, {
      intervalMs: cfg.MARKET_POLL_INTERVAL_MS,
      quietRefreshMs: cfg.MARKET_STALE_AFTER_MS / 2,
      log,
      onQuote: async (q) => {
        await applyExchangeUpdates(db, await matchRestingPaperOrders(db, q.symbol), actor, opts.exchangeFor)
        await monitor.onQuote(q)
        await stops.onQuote(q)
      },
    })
  }

  const listener = new pg.Client({ connectionString: opts.databaseUrl })
  await listener.connect()
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
  let switching: Promise<void> = Promise.resolve()
  listener.on('notification', (n) => {
    const e = JSON.parse(n.payload ?? '{}') as AppEvent
    if (e.kind === 'position' || e.kind === 'protection') {
      void monitor.reload(e.positionId)
      void stops.reload(e.positionId)
      void protection.touch(e.positionId)
    }
    if (e.kind === 'universe') void universes.refreshTrader(e.traderId)
    if (e.kind === 'analyze') void scheduler.trigger(e.traderId, e.symbol ? 'SIGNAL' : 'MANUAL', e.symbol)
    if (e.kind === 'settings') {
      switching = switching.then(async () => {
        await loop.stop()
        loop = await newLoop()
        loop.start()
        void universes.runOnce() // from the new source at once, not up to an interval later
      })
    }
  })

  reconciler.start()
  const orderStream = new OrderStream(db, { actor, log, exchangeFor: opts.exchangeFor, reconcile: () => reconciler.runOnce() }).start()

  const notifications = new NotificationLoop(db, { log, intervalMs: 2000 })
  notifications.start()
  // Each user's daily summary (PnL, trades, open risk) at their chosen local time.
  const dailySummaries = dailySummaryPass(db, log)
  dailySummaries.start()
  const scheduler = new AnalysisScheduler(db, { candles, actor, log, staleAfterMs: cfg.MARKET_STALE_AFTER_MS })
  scheduler.start()

  // Housekeeping: expire unanswered approvals, check the loss breakers of every user.
  let housekeeping: Promise<void> = Promise.resolve()
  const keep = setInterval(() => {
    housekeeping = housekeeping.then(async () => {
      try {
        const expired = await expireApprovals(db)
        if (expired) log(`${expired} approval(s) expired`)
        for (const u of await db.user.findMany({ where: { traders: { some: {} } }, select: { id: true } })) {
          for (const t of await tripBreakers(db, u.id)) log(`breaker: ${t.trip.reason}`)
        }
      } catch (err) {
        log(`housekeeping failed: ${(err as Error).message}`)
      }
    })
  }, cfg.WORKER_HEARTBEAT_MS)

  const startedAt = new Date()
  const beat = async () => {
    const s = loop.status
    const data = { pid: process.pid, host: os.hostname(), lastSeenAt: new Date(), feedKind: encodeFeedKind(s.kind, s.mode), feedLabel: s.label, feedError: s.error }
    await db.workerHeartbeat.upsert({ where: { id }, create: { id, startedAt, ...data }, update: data }).catch((e) => log(`heartbeat failed: ${e.message}`))
  }
  await beat()
  const heartbeat = setInterval(beat, cfg.WORKER_HEARTBEAT_MS)

  return {
    id,
    async stop() {
      clearInterval(heartbeat)
      clearInterval(keep)
      await orderStream.stop()
      await reconciler.stop()
      await protection.stop()
      await signals.stop()
      await accounts.stop()
      await adoption.stop()
      await equity.stop()
      await executionAlerts.stop()
      await scheduler.stop()
      await dailySummaries.stop()
      await notifications.stop()
      await housekeeping
      await switching
      await universes.stop()
      await loop.stop()
      await listener.end()
      await lease.end()
    },
  }
}
