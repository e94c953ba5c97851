import net from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { signInErrorMessage } from '@/app/signin/sign-in-error-message'
import { createDb, sqlOf } from '@/lib/db/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { isPortFree } from '@/lib/db/embedded-postgres'
import { signInErrorCode } from '@/lib/server/auth/auth-options'
import { databaseUnavailableError } from '@/lib/server/errors/database-unavailable'
import { knownError } from '@/lib/server/errors/known-error'
import { createTrader } from '@/lib/server/traders/create-trader'
import { seedMarket } from '@/tests/support/seed-market'
import { waitFor } from '@/tests/support/wait-for'
import { apiUser, call, closeRoutesDb, startApiDatabase } from '../api/api-harness'

/**
 * A database that cannot be reached (down, restarting) or that drops the connection: real errors
 * from pg, Prisma and PostgreSQL are a 503 DATABASE_UNAVAILABLE with Retry-After, through the
 * real routes too, with nothing written; another service's connection failure is not called one.
 */

let t: Awaited<ReturnType<typeof startApiDatabase>>
let alice: { id: string; token: string }
let traderId: string
/** postgres:// on a port nothing listens on. */
let deadUrl: string
let deadPort: number

beforeAll(async () => {
  t = await startApiDatabase()
  alice = await apiUser(t, 'alice@example.com')
  traderId = (await createTrader({ db: t.db, userId: alice.id, input: { name: 'Manual', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })).id
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  deadPort = 24_500 + Math.floor(Math.random() * 1_000)
  while (!(await isPortFree(deadPort, '127.0.0.1'))) deadPort++
  deadUrl = `postgres://tradeloop:x@127.0.0.1:${deadPort}/tradeloop`
})
afterAll(() => t?.stop())

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e,
  )
}

describe('errors that mean "the database is not there"', () => {
  test('pg cannot connect over TCP (ECONNREFUSED) or to a Unix socket that is gone (ENOENT)', async () => {
    const tcp = new pg.Pool({ connectionString: deadUrl })
    const socket = new pg.Pool({ host: '/nonexistent/tradeloop-socket-dir', port: deadPort, user: 'x', database: 'x' })
    try {
      const refused = await caught(tcp.query('SELECT 1'))
      const noSocket = await caught(socket.query('SELECT 1'))
      expect((refused as { code: string }).code).toBe('ECONNREFUSED')
      expect((noSocket as { code: string }).code).toBe('ENOENT')
      for (const e of [refused, noSocket]) expect(databaseUnavailableError(e)?.code).toBe('DATABASE_UNAVAILABLE')
      // A sign-in attempt that meets it says so on the form (authorize() throws the code, next-auth hands it over).
      expect(signInErrorMessage(signInErrorCode(refused))).toBe('The database cannot be reached right now (it may be restarting); try again in 5 s.')
    } finally {
      await Promise.all([tcp.end(), socket.end()])
    }
  })

  test('the server closes the connection without a word (a backend killed, a proxy dropping it)', async () => {
    const server = net.createServer((socket) => socket.destroy())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const client = new pg.Client({ connectionString: `postgres://x:y@127.0.0.1:${(server.address() as net.AddressInfo).port}/x` })
    try {
      const e = await caught(client.connect())
      expect((e as Error).message).toBe('Connection terminated unexpectedly')
      expect(databaseUnavailableError(e)?.code).toBe('DATABASE_UNAVAILABLE')
    } finally {
      server.close()
    }
  })

  test('the connection is reset under pg (ECONNRESET on read)', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const client = new pg.Client({ connectionString: `postgres://x:y@127.0.0.1:${(server.address() as net.AddressInfo).port}/x` })
    client.on('error', () => {})
    try {
      const e = await caught(client.connect())
      expect(e).toMatchObject({ code: 'ECONNRESET', syscall: 'read' })
      expect(databaseUnavailableError(e)?.code).toBe('DATABASE_UNAVAILABLE')
    } finally {
      server.close()
    }
  })

  test('Prisma and our SQL path on a database that is down', async () => {
    const down = createDb(deadUrl)
    try {
      const viaPrisma = await caught(down.user.findFirst())
      const viaSql = await caught(sqlOf(down).$queryRaw`SELECT 1`)
      expect((viaPrisma as { code: string }).code).toBe('P1001')
      for (const e of [viaPrisma, viaSql]) expect(knownError(e)).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503, retryAfterSeconds: 5 })
    } finally {
      await down.$disconnect()
    }
  })

  test("Prisma on a connection that breaks inside a transaction (the server's socket reset)", async () => {
    // A TCP relay to the test database (over TCP: its URL may name a Unix socket, which the relay drops) that can cut the connection it carries.
    const target = new URL(t.url)
    const sockets: net.Socket[] = []
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), '127.0.0.1')
      client.pipe(upstream).pipe(client)
      client.on('error', () => {})
      upstream.on('error', () => {})
      sockets.push(client)
    })
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
    const url = new URL(t.url)
    url.host = `127.0.0.1:${(relay.address() as net.AddressInfo).port}`
    url.searchParams.delete('host')
    const through = createDb(url.toString())
    try {
      const e = await caught(
        through.$transaction(async (tx) => {
          await tx.user.findFirst()
          for (const s of sockets) s.resetAndDestroy()
          await new Promise((r) => setTimeout(r, 100))
          await tx.user.findFirst()
        }),
      )
      expect((e as Error).message).toBe('Client has encountered a connection error and is not queryable')
      expect(knownError(e)).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503 })
    } finally {
      await through.$disconnect().catch(() => {})
      relay.close()
    }
  })

  test("Prisma's own error for a socket that broke under a write (EPIPE, as the e2e run of a killed database logged it)", async () => {
    // As logged: PrismaClientKnownRequestError, code 'EPIPE', meta { modelName }, no syscall.
    const logged = new Prisma.PrismaClientKnownRequestError('\nInvalid `prisma.user.findUnique()` invocation:\n\n\nwrite EPIPE', { code: 'EPIPE', clientVersion: Prisma.prismaVersion.client, meta: { modelName: 'User' } })
    expect(knownError(logged)).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503 })
    // The code alone, outside a Prisma error, is not taken for the database's.
    expect(databaseUnavailableError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBeNull()
  })

  test('a connection ended by the server under a query (57P01: shutdown, or an administrator)', async () => {
    const victim = new pg.Client({ connectionString: t.url })
    victim.on('error', () => {})
    await victim.connect()
    try {
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      const running = caught(victim.query('SELECT pg_sleep(10)'))
      await new Promise((r) => setTimeout(r, 200))
      await t.db.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`
      const e = await running
      expect((e as { code: string }).code).toBe('57P01')
      expect(databaseUnavailableError(e)?.status).toBe(503)
    } finally {
      await victim.end().catch(() => {})
    }
  })

  test('through Prisma: the code PostgreSQL gave, inside the cause of its adapter error', async () => {
    const own = createDb(t.url)
    try {
      const running = caught(own.$queryRaw`SELECT pg_sleep(10) AS prisma_victim`)
      const [victim] = await waitFor(
        async () => {
          const rows = await t.db.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE query LIKE '%prisma_victim%' AND pid <> pg_backend_pid()`
          return rows.length ? rows : null
        },
        'the query to be running',
      )
      await t.db.$queryRaw`SELECT pg_terminate_backend(${victim!.pid}::int)`
      const e = (await running) as { code: string; meta: { driverAdapterError: { cause: { originalCode: string } } } }
      expect(e.code).toMatch(/^P20/)
      expect(e.meta.driverAdapterError.cause.originalCode).toBe('57P01')
      expect(knownError(e)?.code).toBe('DATABASE_UNAVAILABLE')
    } finally {
      await own.$disconnect()
    }
  })

  test('a server out of disk space (53100) or memory (53200): 503 saying which, as PostgreSQL raises them', async () => {
    const raise = (code: string) => caught(t.db.$executeRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION 'short of it' USING ERRCODE = '${code}'; END $$`))
    const disk = knownError(await raise('53100'))
    const memory = knownError(await raise('53200'))
    expect(disk).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503, retryAfterSeconds: 60 })
    expect(disk?.message).toMatch(/^the database server has run out of disk space: free space on its disk, then try again/)
    expect(memory).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503, retryAfterSeconds: 5 })
    expect(memory?.message).toMatch(/^the database server ran out of memory; try again in a few seconds/)
    // The rest of that class: too many connections is busy (as before); a configured limit is not the server's trouble.
    expect(knownError(await raise('53300'))?.code).toBe('BUSY')
    expect(knownError(await raise('53400'))).toBeNull()
  })

  test('not the database: a failed HTTP call (a channel, a model) to the same dead port, and an ordinary SQL error', async () => {
    const fetchFailure = await caught(fetch(`http://127.0.0.1:${deadPort}/`))
    expect(((fetchFailure as Error).cause as { code: string }).code).toBe('ECONNREFUSED')
    expect(databaseUnavailableError(fetchFailure)).toBeNull()
    const syntax = await caught(t.db.$queryRawUnsafe('SELEC 1'))
    expect(databaseUnavailableError(syntax)).toBeNull()
  })
})

describe('the API with its database unreachable', () => {
  let positions: typeof import('@/app/api/v1/positions/route')

  beforeAll(async () => {
    positions = await import('@/app/api/v1/positions/route')
    // The process-wide client, as the routes use it, pointed at a server that is not there.
    await closeRoutesDb()
    process.env.DATABASE_URL = deadUrl
  })
  afterAll(async () => {
    await closeRoutesDb()
    process.env.DATABASE_URL = t.url
  })

  test('a read and an entry answer 503 DATABASE_UNAVAILABLE with Retry-After, and nothing is written', async () => {
    const list = await call(positions.GET, 'GET', '/api/v1/positions', { token: alice.token })
    const open = await call(positions.POST, 'POST', '/api/v1/positions', {
      token: alice.token,
      body: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
    })
    for (const res of [list, open]) {
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect(res.body.error.code).toBe('DATABASE_UNAVAILABLE')
      expect(res.body.error.message).toMatch(/^the database cannot be reached right now/)
    }
    expect(await t.db.position.count()).toBe(0)
    expect(await t.db.order.count()).toBe(0)
  })
})
