import pg from 'pg'
import { randomBytes } from 'node:crypto'

/** URL of database `name` on the same server as `url`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** Creates a throwaway database beside `url`'s, runs fn with its URL, then drops it. */
export async function withScratchDatabase<T>(url: string, fn: (scratchUrl: string) => Promise<T>): Promise<T> {
  const name = `scratch_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: databaseUrl(url, 'postgres') })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}"`)
    try {
      return await fn(databaseUrl(url, name))
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    }
  } finally {
    await admin.end()
  }
}
