import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { Semaphore, SemaphoreTimeout } from '@/lib/server/concurrency/semaphore'
import { busy } from '@/lib/server/errors/app-error'

// scrypt parameters: N=2^15, r=8, p=1 needs 128*N*r = 32 MiB, just over Node's default maxmem.
const N = 32768
const R = 8
const P = 1
const SALT_BYTES = 16
const KEY_BYTES = 64
const MAXMEM = 64 * 1024 * 1024

// Each hash holds 32 MiB and a libuv thread (the pool has 4) for ~100 ms. Without a bound, a burst
// of sign-in attempts queues unbounded memory and starves every other fs/crypto call. Four at
// once; a caller that would wait more than a few seconds is told the server is busy (503).
export const HASH_CONCURRENCY = 4
export const HASH_MAX_WAIT_MS = 3_000
const HASH_RETRY_AFTER_SECONDS = 5
/** Exported so tests can hold every slot and see the 503. */
export const passwordHashSlots = new Semaphore(HASH_CONCURRENCY, HASH_MAX_WAIT_MS, 256)

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  const run = () =>
    new Promise<Buffer>((resolve, reject) => {
      scrypt(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)))
    })
  return passwordHashSlots.run(run).catch((err: unknown) => {
    if (err instanceof SemaphoreTimeout) {
      throw busy('the server is busy checking passwords; try again in a few seconds', HASH_RETRY_AFTER_SECONDS)
    }
    throw err
  })
}

/** `scrypt$32768$8$1$<salt b64>$<hash b64>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await scryptAsync(password, salt, KEY_BYTES, { N, r: R, p: P, maxmem: MAXMEM })
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$')
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [n, r, p] = parts.slice(1, 4).map(Number)
  // Bound the parameters so a tampered row cannot make us allocate unbounded memory.
  if (![n, r, p].every(Number.isInteger) || n < 2 || n > 2 ** 20 || (n & (n - 1)) !== 0) return false
  if (r < 1 || r > 32 || p < 1 || p > 16 || 128 * n * r > 512 * 1024 * 1024) return false
  const salt = Buffer.from(parts[4], 'base64')
  const expected = Buffer.from(parts[5], 'base64')
  if (salt.length === 0 || expected.length < 16) return false
  const actual = await scryptAsync(password, salt, expected.length, {
    N: n,
    r,
    p,
    maxmem: Math.max(MAXMEM, 256 * n * r),
  })
  return timingSafeEqual(actual, expected)
}
