// Time to the webhook's 202: the real route handler (in process, as Next calls it) against a real
// PostgreSQL, 200 posts one after another and 100 at once, each with its own id, with the signal
// worker loop running beside it (so intake competes with processing, as in production), and once
// without it; then signal to fill. `npm run bench -- webhooks` (or npx tsx bench/webhook-latency.ts).
import { performance } from 'node:perf_hooks'
import { createDb } from '@/lib/db/client'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'
import { createTrader } from '@/lib/server/traders/create-trader'
import { seedMarket } from '@/tests/support/seed-market'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { SignalLoop } from '@/workers/signals/signal-loop'
import { withBenchDatabase, withProcessDatabase } from './bench-database'
import { percentile } from './percentile'

const row = (measured: string, ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b)
  return { measured, n: s.length, p50ms: percentile(s, 50).toFixed(1), p90ms: percentile(s, 90).toFixed(1), p99ms: percentile(s, 99).toFixed(1), maxMs: s.at(-1)!.toFixed(1) }
}

export async function webhookLatency() {
  const rows: ReturnType<typeof row>[] = []
  let leftQueued = 0
  process.env.SECRETS_KEY ??= 'bench-secrets-key-not-for-production'
  process.env.MARKET_STALE_AFTER_MS = '600000'
  await withBenchDatabase((url) => withProcessDatabase(url, async () => {
    const db = createDb(url)
    const user = await db.user.create({ data: { email: 'bench-webhook@example.com', passwordHash: 'x' } })
    const symbols = Array.from({ length: 10 }, (_, i) => `WB${i}/USDT`)
    // Untouched by the bursts (where an entry can be left SUBMITTING: no reconciler runs here).
    const quiet = Array.from({ length: 10 }, (_, i) => `WQ${i}/USDT`)
    for (const symbol of [...symbols, ...quiet]) await seedMarket(db, { symbol, bid: '100', ask: '100.01', depth: '1000000000' })
    const trader = await createTrader({ db, userId: user.id, input: { name: 'Bench', quoteCurrency: 'USDT', startingBalance: '100000000', watchlist: [...symbols, ...quiet] } })
    await useManualTraderSettings(db, trader.id)
    const { secret } = await rotateWebhookSecret({ db, userId: user.id, traderId: trader.id, actor: { kind: 'SYSTEM' } })
    const { POST } = await import('@/app/api/webhooks/tradingview/[traderId]/route')
    let n = 0
    const post = async (on: string[] = symbols) => {
      const i = n++
      // An entry, then its close, on each symbol in turn: every entry can fill (nothing is open).
      const body = JSON.stringify({ secret, symbol: on[Math.floor(i / 2) % on.length]!.replace('/', ''), action: i % 2 ? 'sell' : 'buy', intent: i % 2 ? 'close' : 'entry', id: `bench-${i}`, timestamp: new Date().toISOString(), price: '100', size: '1' })
      const started = performance.now()
      const res = await POST(new Request(`http://localhost/api/webhooks/tradingview/${trader.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), { params: Promise.resolve({ traderId: trader.id }) })
      await res.text()
      const ms = performance.now() - started
      if (res.status !== 202) throw new Error(`answered ${res.status}`)
      return ms
    }
    for (let i = 0; i < 20; i++) await post() // warm up (module loading, connections)

    for (const withWorker of [false, true]) {
      const loop = withWorker ? new SignalLoop(db, { kind: 'WORKER', id: 'bench' }, () => {}, { databaseUrl: url }).start() : null
      const sequential: number[] = []
      for (let i = 0; i < 200; i++) sequential.push(await post())
      rows.push(row(`202 latency, 200 sequential posts${withWorker ? ', worker processing' : ''}`, sequential))
      const concurrent = await Promise.all(Array.from({ length: 100 }, () => post()))
      rows.push(row(`202 latency, 100 concurrent posts${withWorker ? ', worker processing' : ''}`, concurrent))
      if (loop) {
        await loop.idle()
        // Signal to fill with nothing queued ahead: 50 entries one at a time, each closed again
        // before the next, timed from the signal's arrival to its entry's first fill committed
        // (database clocks; paper fills at once).
        const single = new Date()
        const settled = async () => {
          while (await db.signal.count({ where: { status: { in: ['ACCEPTED', 'PROCESSING'] } } })) await new Promise((r) => setTimeout(r, 5))
        }
        for (let k = 0; k < 50; k++) {
          await post(quiet) // an entry (n is even here: the runs above posted pairs)
          await settled()
          await post(quiet) // its close
          await settled()
        }
        const toFill = await db.$queryRaw<{ ms: number }[]>`
          SELECT (EXTRACT(EPOCH FROM min(f."createdAt") - s."receivedAt") * 1000)::float8 AS ms
          FROM "Signal" s JOIN "Order" o ON o."positionId" = s."positionId" AND o.purpose = 'ENTRY' JOIN "Fill" f ON f."orderId" = o.id
          WHERE s.status = 'DONE' AND s.intent = 'entry' AND s."receivedAt" >= ${single}
          GROUP BY s.id, s."receivedAt"`
        rows.push(row('signal to fill, one entry at a time', toFill.map((r) => r.ms)))
        await loop.stop()
      }
    }
    leftQueued = await db.signal.count({ where: { status: { in: ['ACCEPTED', 'PROCESSING'] } } })
    await db.$disconnect()
  }))
  return { rows, leftQueued }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  webhookLatency().then(
    ({ rows }) => (console.table(rows), process.exit(0)),
    (e) => {
      console.error(e)
      process.exit(1)
    },
  )
}
