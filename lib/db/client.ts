import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '@/lib/generated/prisma/client'

export type Db = PrismaClient
/** What a service needs: the client or an interactive transaction of it. */
export type DbTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>

export function createDb(connectionString: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) })
}

// One client per process; Next's dev server reloads modules, so keep it on globalThis.
const globalForDb = globalThis as unknown as { __db?: Db }

export function db(): Db {
  if (!globalForDb.__db) {
    const url = process.env.DATABASE_URL
    if (!url) throw new Error('DATABASE_URL is not set (the start script sets it for the embedded database)')
    globalForDb.__db = createDb(url)
  }
  return globalForDb.__db
}
