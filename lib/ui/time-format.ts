/**
 * Timestamps in UTC, 'YYYY-MM-DD HH:MM:SS', straight from the ISO string: identical on the
 * server and in the browser (no hydration mismatch across time zones) and sortable by eye.
 */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—'
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso)
  return m ? `${m[1]} ${m[2]}` : iso
}

/** A short age such as '3 s', '4 min', '2 h'. */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 120) return `${s} s`
  const min = Math.round(s / 60)
  if (min < 120) return `${min} min`
  return `${Math.round(min / 60)} h`
}
