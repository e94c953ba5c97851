import pg from 'pg'

/** Errors that mean "the database is not there yet" (down, restarting, starting up), not "this will never work". */
const NOT_YET = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03'])

/**
 * Resolves once `url` accepts a connection, trying again every `retryMs` while the database is
 * down or starting (saying so through `log` at the first try and then every `logEveryMs`); any
 * other error (a wrong password, an unknown database) is thrown at once. The worker waits here
 * rather than exiting: a process that exits at start on every try during an outage would use up
 * its supervisor's restarts and be left down after the database came back.
 */
export async function waitForDatabase(url: string, o: { log: (m: string) => void; retryMs?: number; logEveryMs?: number }): Promise<void> {
  const retryMs = o.retryMs ?? 1000
  const logEveryMs = o.logEveryMs ?? 30_000
  let loggedAt: number | null = null
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      if (loggedAt !== null) o.log('database reachable again')
      return
    } catch (e) {
      const code = (e as { code?: string }).code ?? ''
      if (!NOT_YET.has(code) && !/timeout|terminated/i.test((e as Error).message)) throw e
      if (loggedAt === null || Date.now() - loggedAt >= logEveryMs) {
        o.log(`waiting for the database (${(e as Error).message || code})`)
        loggedAt = Date.now()
      }
    } finally {
      await client.end().catch(() => {})
    }
    await new Promise((r) => setTimeout(r, retryMs))
  }
}
