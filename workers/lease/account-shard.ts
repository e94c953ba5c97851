import { createHash } from 'node:crypto'

/**
 * Exchange accounts are split between workers in SHARD_COUNT fixed shards. An account's shard is
 * the low 6 bits of the first byte of the MD5 of its id: computable the same way in Node and in
 * PostgreSQL (SHARD_SQL), so a worker can ask the database for its accounts and also decide for
 * one account id at once, without a query. 64 shards split evenly between up to a few dozen
 * workers while keeping the number of advisory locks small.
 */
export const SHARD_COUNT = 64

const memo = new Map<string, number>()

export function shardOf(accountId: string): number {
  let s = memo.get(accountId)
  if (s === undefined) {
    s = createHash('md5').update(accountId).digest()[0]! & (SHARD_COUNT - 1)
    if (memo.size > 100_000) memo.clear()
    memo.set(accountId, s)
  }
  return s
}

/** The same shard in SQL, for a text column or expression `col`. */
export const shardSql = (col: string) => `(get_byte(decode(md5(${col}), 'hex'), 0) & ${SHARD_COUNT - 1})`
