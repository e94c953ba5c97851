import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '@/lib/server/auth/password'

describe('password hashing (scrypt)', () => {
  it('writes scrypt$32768$8$1$<16-byte salt>$<64-byte hash>', async () => {
    const stored = await hashPassword('correct horse battery')
    const parts = stored.split('$')
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '1'])
    expect(Buffer.from(parts[4], 'base64')).toHaveLength(16)
    expect(Buffer.from(parts[5], 'base64')).toHaveLength(64)
  })

  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery')
    expect(await verifyPassword('correct horse battery', stored)).toBe(true)
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false)
    expect(await verifyPassword('', stored)).toBe(false)
  })

  it('salts each hash, so the same password never hashes the same twice', async () => {
    const a = await hashPassword('same password here')
    const b = await hashPassword('same password here')
    expect(a).not.toBe(b)
    expect(await verifyPassword('same password here', a)).toBe(true)
    expect(await verifyPassword('same password here', b)).toBe(true)
  })

  it('treats unicode forms of the same text as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait!')
    expect(await verifyPassword('cafe\u0301 au lait!', stored)).toBe(true)
  })

  it.each([
    ['empty string', ''],
    ['another scheme', 'bcrypt$2b$10$abc'],
    ['too few fields', 'scrypt$32768$8$1$c2FsdA=='],
    ['N not a power of two', 'scrypt$30000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$' + Buffer.alloc(64).toString('base64')],
    ['absurd memory cost', 'scrypt$1048576$32$1$c2FsdHNhbHRzYWx0c2FsdA==$' + Buffer.alloc(64).toString('base64')],
    ['empty salt', 'scrypt$32768$8$1$$' + Buffer.alloc(64).toString('base64')],
  ])('rejects a malformed stored hash (%s) without throwing', async (_label, stored) => {
    expect(await verifyPassword('whatever password', stored)).toBe(false)
  })
})
