import { randomBytes } from 'node:crypto'

// Laid out as Prisma's cuid() ids are (c, time, counter, process, random; base 36, 25 characters),
// so rows inserted by SQL sort among Prisma's by creation, within a process also in the same
// millisecond: ledgers read fills in (createdAt, id) order.
const BASE = 36
const BLOCK = 4
const MAX_COUNT = BASE ** BLOCK
const pad = (s: string, n: number) => s.padStart(n, '0').slice(-n)
const processBlock = pad(((process.pid ^ randomBytes(2).readUInt16LE(0)) % MAX_COUNT).toString(BASE), BLOCK)
let counter = randomBytes(2).readUInt16LE(0) % MAX_COUNT

// Random bytes are drawn a block at a time, as crypto.randomUUID does: a randomBytes call per id
// cost more than the rest of the id (about 3 µs of 3.3, and an open makes about 15 ids).
const RANDOM_BLOCK = 6 * 512
let randomPool = Buffer.alloc(0)
let randomOffset = 0

function random48(): number {
  if (randomOffset + 6 > randomPool.length) {
    randomPool = randomBytes(RANDOM_BLOCK)
    randomOffset = 0
  }
  const value = randomPool.readUIntLE(randomOffset, 6)
  randomOffset += 6
  return value
}

/** A new row id for a column Prisma fills with cuid(). */
export function newId(): string {
  counter = (counter + 1) % MAX_COUNT
  const random = pad(random48().toString(BASE), 8)
  return `c${pad(Date.now().toString(BASE), 8)}${pad(counter.toString(BASE), BLOCK)}${processBlock}${random}`
}
