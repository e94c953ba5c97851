import pg from 'pg'
import { postgresCpuMs } from './process-cpu'

/**
 * Switches pg_stat_statements' tracking on a server of the bench's own (in its configuration
 * file: a setting given on the command line could not be changed at run time).
 */
export async function trackStatements(c: pg.Client, value: 'top' | 'none'): Promise<void> {
  await c.query(`ALTER SYSTEM SET pg_stat_statements.track = '${value}'`)
  await c.query('SELECT pg_reload_conf()')
  // Each session rereads its configuration on the reload's signal, before its next statement: a moment for the signal to land.
  await new Promise((r) => setTimeout(r, 200))
}

/** Statements shown by name; the rest are summed in one line. */
const SHOWN = 12

/**
 * Where PostgreSQL's time goes while `fn` does `units` units of work (opens, named `unit`): each statement's
 * execution and planning time per unit, from pg_stat_statements (top-level statements: the
 * foreign-key checks and triggers a statement causes count in its time), beside the CPU that all
 * PostgreSQL processes used per unit. The difference is spent outside statements: receiving and
 * binding them, the protocol, commits, background processes. Null (after running `fn` all the
 * same) when the server has not loaded pg_stat_statements. `ownCluster`: a temporary cluster of
 * the bench's (see withBenchDatabase), whose tracking is switched on for this pass and off again.
 */
export async function statementTimes(url: string, units: number, fn: () => Promise<unknown>, o: { ownCluster: boolean; unit: string }) {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  const track = (value: 'top' | 'none') => trackStatements(c, value)
  try {
    const loaded = await c
      .query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
      .then(() => (o.ownCluster ? track('top') : undefined))
      .then(() => c.query('SELECT pg_stat_statements_reset()'))
      .then(() => true, () => false)
    const cpu0 = postgresCpuMs()
    await fn()
    const cpuMs = postgresCpuMs() - cpu0
    if (!loaded) return null
    if (o.ownCluster) await track('none')
    const { rows } = await c.query<{ calls: string; ms: number; planMs: number; query: string }>(
      `SELECT calls::text AS calls, total_exec_time + total_plan_time AS ms, total_plan_time AS "planMs", query FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%'
       ORDER BY ms DESC`,
    )
    const perUnit = (ms: number) => (ms / units).toFixed(3)
    const line = (statement: string, calls: number, ms: number, planMs: number) =>
      ({ statement, [`calls per ${o.unit}`]: (calls / units).toFixed(1), [`ms per ${o.unit}`]: perUnit(ms), 'of which planning': perUnit(planMs) })
    const shown = rows.slice(0, SHOWN).map((r) => line(r.query.replace(/\s+/g, ' ').trim().slice(0, 90), Number(r.calls), r.ms, r.planMs))
    const rest = rows.slice(SHOWN)
    const sum = (k: 'ms' | 'planMs') => rest.reduce((n, r) => n + r[k], 0)
    if (rest.length) shown.push(line(`(${rest.length} other statements)`, rest.reduce((n, r) => n + Number(r.calls), 0), sum('ms'), sum('planMs')))
    return { rows: shown, statementsMs: perUnit(rows.reduce((n, r) => n + r.ms, 0)), postgresCpuMs: perUnit(cpuMs) }
  } finally {
    await c.end()
  }
}
