import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

// scrypt parameters: N=2^15, r=8, p=1 needs 128*N*r = 32 MiB, just over Node's default maxmem.
const N = 32768
const R = 8
const P = 1
const SALT_BYTES = 16
const KEY_BYTES = 64
const MAXMEM = 64 * 1024 * 1024

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)))
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
