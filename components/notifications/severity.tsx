/** How a feed item's severity (info | warning | error) looks; unknown values read as info. */
const MARKS: Record<string, { label: string; className: string }> = {
  info: { label: 'Info', className: 'border-sky-800 bg-sky-950 text-sky-300' },
  warning: { label: 'Warning', className: 'border-amber-700 bg-amber-950 text-amber-300' },
  error: { label: 'Error', className: 'border-red-700 bg-red-950 text-red-300' },
}

export function severityOf(value: string | null | undefined): 'info' | 'warning' | 'error' {
  return value === 'warning' || value === 'error' ? value : 'info'
}

/** A small badge naming the severity (in text, not only colour). */
export function SeverityMark({ severity }: { severity: string | null | undefined }) {
  const s = severityOf(severity)
  const m = MARKS[s]!
  return (
    <span className={`inline-flex shrink-0 items-center rounded border px-1 py-px text-[9px] font-semibold uppercase leading-3 tracking-wide ${m.className}`} data-severity={s}>
      {m.label}
    </span>
  )
}

/** Row accent: a coloured left edge for warnings and errors. */
export function severityRowTone(severity: string | null | undefined): string {
  const s = severityOf(severity)
  return s === 'error' ? 'border-l-2 border-l-red-600 pl-1 bg-red-950/20' : s === 'warning' ? 'border-l-2 border-l-amber-500 pl-1 bg-amber-950/10' : 'border-l-2 border-l-transparent pl-1'
}
