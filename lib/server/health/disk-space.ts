import { statfs } from 'node:fs/promises'

/** Free space on the disk that holds the database's files, as health reports it. */
export interface DiskSpace {
  /** At least `lowBelowBytes` free. */
  ok: boolean
  /** Free to an unprivileged process (the database server is one): what its writes can still use. */
  freeBytes: number
  lowBelowBytes: number
}

/**
 * The free space under `dir` (the database's data folder on this machine), or null when it is
 * not known: no folder given (a database elsewhere), or one that cannot be read. A database
 * whose disk fills refuses every write, and its log cannot grow, so it may stop altogether:
 * worth seeing before it happens, since nothing else shows it until a write fails.
 */
export async function diskSpace(dir: string | undefined, lowBelowMb: number): Promise<DiskSpace | null> {
  if (!dir) return null
  const s = await statfs(dir).catch(() => null)
  if (!s) return null
  const freeBytes = s.bavail * s.bsize
  const lowBelowBytes = lowBelowMb * 1024 * 1024
  return { ok: freeBytes >= lowBelowBytes, freeBytes, lowBelowBytes }
}
