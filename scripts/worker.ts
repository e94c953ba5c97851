// npm run worker — one more worker against DATABASE_URL (from another machine, say), kept up as
// npm start keeps its own: a worker that exits unexpectedly (it does when its database restarts)
// is started again with backoff, and left down, ending this command with exit code 1, after
// 5 exits within 60 s. Ctrl-C stops it cleanly.
import { ConfigError, env } from '@/lib/config/env'
import { Supervisor } from './start/supervisor'

const say = (m: string) => console.log(`[worker-start] ${m}`)

try {
  // The worker reads its configuration again; checked here first so a wrong setting is said once, not five times.
  if (!env().DATABASE_URL) throw new ConfigError('DATABASE_URL is not set: point it at the database the web app uses')
} catch (e) {
  console.error(`[worker-start] ${(e as Error).message}`)
  process.exit(1)
}

const supervisor = new Supervisor(process.env, say, { command: 'npm run worker', prefix: '[worker-start]', onGiveUp: () => void stop(1) })
// tsx as a loader, as npm start runs it: the pid logged and signalled is the worker itself.
supervisor.add('worker', ['--import', 'tsx', 'workers/main.ts'])

let stopping = false
async function stop(code: number) {
  if (stopping) return
  stopping = true
  await supervisor.stopAll()
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0))
