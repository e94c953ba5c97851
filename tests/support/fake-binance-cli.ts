import { startFakeBinance } from './fake-binance'

/**
 * Runs the fake Binance spot REST server on its own, for a browser e2e run:
 *   npx tsx tests/support/fake-binance-cli.ts [port]     (or PORT=9100 ...)
 * Prints the base URL on stdout as its only line (set MARKET_DATA_URL to it), then serves until
 * SIGINT/SIGTERM. Move prices from another process with
 *   POST /__control/price   {"symbol":"BTC/USDT","bid":"61000.00","ask":"61000.02"}
 *   POST /__control/failing {"mode":"none"|"http500"|"hang"}
 */
const raw = process.argv[2] ?? process.env.PORT ?? '0'
const port = Number(raw)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fake-binance-cli: port must be an integer 0-65535, got "${raw}"`)
  process.exit(2)
}

const fake = await startFakeBinance({ port })
console.log(fake.url)

const stop = () => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
