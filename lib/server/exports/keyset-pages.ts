/**
 * Reads a table newest first, a page at a time, with keyset paging on (createdAt, id): each page
 * asks for the rows strictly older than the last one read, so a page deep in a big export costs
 * what the first does and rows written meanwhile are neither skipped nor repeated.
 */
export async function* keysetPages<R extends { id: string; createdAt: Date }>(
  read: (after: { OR: object[] } | undefined, take: number) => Promise<R[]>,
  pageSize = 1000,
): AsyncGenerator<R> {
  let after: { OR: object[] } | undefined
  for (;;) {
    const rows = await read(after, pageSize)
    yield* rows
    if (rows.length < pageSize) return
    const last = rows[rows.length - 1]!
    after = { OR: [{ createdAt: { lt: last.createdAt } }, { createdAt: last.createdAt, id: { lt: last.id } }] }
  }
}
