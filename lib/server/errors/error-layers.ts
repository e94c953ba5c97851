/**
 * `err` and the errors nested in it where Prisma puts the database's own: its `meta` and
 * `driverAdapterError`, and a DriverAdapterError's `cause` (PostgreSQL's code). With `anyCause`,
 * every error's `cause` too. Depth first, the error itself first, at most five levels deep.
 */
export function* errorLayers(err: unknown, o: { anyCause: boolean }, depth = 0): Generator<Record<string, unknown>> {
  if (!err || typeof err !== 'object' || depth > 4) return
  const e = err as Record<string, unknown>
  yield e
  const inner = o.anyCause || e.name === 'DriverAdapterError' ? ['cause', 'meta', 'driverAdapterError'] : ['meta', 'driverAdapterError']
  for (const k of inner) yield* errorLayers(e[k], o, depth + 1)
}

/** An error's code as pg or Prisma's adapter gives it (`code`, or `originalCode`), or null. */
export function codeOf(e: Record<string, unknown>): string | null {
  return typeof e.code === 'string' ? e.code : typeof e.originalCode === 'string' ? e.originalCode : null
}
