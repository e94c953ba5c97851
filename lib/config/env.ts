import { z } from 'zod'

/**
 * The one configuration module for web, worker, scripts and tests.
 * A missing or bad value fails at start with a message naming the variable.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional()

const intFrom = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def)

export const ZEnv = z.object({
  DATABASE_URL: optionalString.pipe(z.url({ message: 'must be a postgres:// URL' }).optional()),
  PORT: intFrom(3000, 1, 65535),
  EMBEDDED_PG_PORT: intFrom(54329, 1, 65535),
  DATA_DIR: z.string().default('.data'),
  // The folder on this machine that holds the database's files, whose disk health watches (see
  // DISK_LOW_FREE_MB). npm start sets it for its embedded database; for a database of your own
  // on this machine, set it to its data directory.
  DATABASE_DATA_DIR: optionalString,
  // Health (and the dashboard) warn when that disk has less than this free.
  DISK_LOW_FREE_MB: intFrom(1024, 0, 100_000_000),
  NEXTAUTH_SECRET: optionalString,
  SECRETS_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(10, 'must be at least 10 characters').optional()),
  MARKET_DATA_SOURCE: z.enum(['exchange', 'simulated']).default('exchange'),
  MARKET_DATA_EXCHANGE: z.string().default('binance'),
  MARKET_DATA_URL: optionalString.pipe(z.url({ message: 'must be an http(s) URL' }).optional()),
  // Where the feed streams from: a ws(s) URL replacing the exchange's websocket host, or 'off'.
  // Unset: the exchange's own, unless MARKET_DATA_URL is set (then it only polls).
  MARKET_DATA_WS_URL: optionalString.pipe(
    z.union([z.literal('off'), z.url({ protocol: /^wss?$/, message: 'must be a ws:// or wss:// URL, or off' })], { message: 'must be a ws:// or wss:// URL, or off' }).optional(),
  ),
  MARKET_POLL_INTERVAL_MS: intFrom(1000, 100, 3_600_000),
  MARKET_STALE_AFTER_MS: intFrom(10_000, 500, 3_600_000),
  SIM_SEED: intFrom(42, 0, 2 ** 31 - 1),
  SIM_REPLAY_CSV: optionalString,
  PAPER_FEE_RATE: z
    .string()
    .regex(/^0(\.\d+)?$/, 'must be a decimal fraction such as 0.001')
    .default('0.001'),
  WORKER_HEARTBEAT_MS: intFrom(2000, 100, 60_000),
  // Worker processes `npm start` runs on this machine; they split the exchange accounts between
  // them. More can run elsewhere with `npm run worker` against the same DATABASE_URL.
  WORKERS: intFrom(1, 1, 32),
  // How often the worker records every account's equity (the performance page's equity curve);
  // it also records one right after each fill.
  EQUITY_SNAPSHOT_INTERVAL_MS: intFrom(60_000, 100, 86_400_000),
  // How often the worker runs the group risk engine of the users who turned it on.
  RISK_ENGINE_INTERVAL_MS: intFrom(5000, 100, 3_600_000),
  // How often the worker re-ranks top-N trader universes by 24 h volume (also once at start).
  UNIVERSE_REFRESH_INTERVAL_MS: intFrom(900_000, 100, 86_400_000),
  // The second key for real money: LIVE exchange accounts send new orders only when this is
  // exactly "true". Off unless set, so development machines and CI never trade real money.
  LIVE_TRADING_ENABLED: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false').transform((v) => v === 'true'),
  // Notification channels may reach private addresses (loopback, LAN, link-local): for a server
  // whose users are trusted with its network, e.g. a LAN ntfy. Off unless exactly "true".
  NOTIFY_ALLOW_PRIVATE_HOSTS: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false').transform((v) => v === 'true'),
  // The bearer token a Prometheus scraper sends to /api/metrics; unset, the endpoint answers 404.
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // Execution alerts (activity feed and notification channels), checked by the worker.
  ALERT_ORDER_STUCK_MS: intFrom(120_000, 1000, 86_400_000),
  ALERT_SLIPPAGE_BPS: intFrom(50, 1, 100_000),
  ALERT_ERROR_RATE_PCT: intFrom(20, 1, 100),
  ALERT_ERROR_WINDOW_MIN: intFrom(15, 1, 1440),
  ALERT_ERROR_MIN_ORDERS: intFrom(5, 1, 100_000),
})

export type Env = z.infer<typeof ZEnv>

export class ConfigError extends Error {}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = ZEnv.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  if (parsed.data.ADMIN_EMAIL && !parsed.data.ADMIN_PASSWORD) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_PASSWORD: required when ADMIN_EMAIL is set')
  }
  return parsed.data
}

let cached: Env | undefined
export function env(): Env {
  cached ??= parseEnv()
  return cached
}
