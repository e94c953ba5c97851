import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../../..')

export interface AppProcess {
  url: string
  output: () => string
  stop(): Promise<number | null>
}

/** Runs the README's start command (`npm start` = scripts/start.ts) and waits for "ready". */
export async function startApp(env: Record<string, string>, timeoutMs = 300_000): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Do not leave a half-started app (and its database) behind.
      child.kill('SIGINT')
      reject(new Error(`app not ready in ${timeoutMs} ms:\n${out.slice(-4000)}`))
    }, timeoutMs)
    const check = () => {
      if (/\[start\] ready in/.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`app exited with ${code} before ready:\n${out.slice(-4000)}`))
    })
  })
  return {
    url: `http://localhost:${env.PORT}`,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode
      child.kill('SIGINT')
      return new Promise((r) => child.once('exit', (code) => r(code)))
    },
  }
}

/**
 * The environment for an app whose market data comes from a local fake Binance at `marketUrl`
 * (polled every 300 ms), with its own web port, a random embedded-PostgreSQL port in the 300 from
 * `pgPortFrom` on, and its data in `dataDir`. With `admin`, the first account is created at start.
 * Keep `pgPortFrom` below 32768: Linux hands out 32768–60999 as the local end of outgoing
 * connections, and one such connection holding the port stops the database from listening on it.
 */
export function fakeMarketEnv(o: {
  port: number
  pgPortFrom: number
  dataDir: string
  marketUrl: string
  admin?: { email: string; password: string }
  extra?: Record<string, string>
}): Record<string, string> {
  return {
    PORT: String(o.port),
    EMBEDDED_PG_PORT: String(o.pgPortFrom + Math.floor(Math.random() * 300)),
    DATA_DIR: o.dataDir,
    MARKET_DATA_SOURCE: 'exchange',
    MARKET_DATA_URL: o.marketUrl,
    MARKET_POLL_INTERVAL_MS: '300',
    ...(o.admin ? { ADMIN_EMAIL: o.admin.email, ADMIN_PASSWORD: o.admin.password } : {}),
    ...o.extra,
  }
}
