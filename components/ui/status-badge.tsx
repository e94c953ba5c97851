const TONES: Record<string, string> = {
  // positions
  CREATED: 'border-sky-800 bg-sky-950 text-sky-300',
  SUBMITTING: 'border-sky-800 bg-sky-950 text-sky-300',
  OPEN: 'border-emerald-800 bg-emerald-950 text-emerald-300',
  MONITORING: 'border-emerald-800 bg-emerald-950 text-emerald-300',
  CLOSING: 'border-amber-800 bg-amber-950 text-amber-300',
  CLOSED: 'border-neutral-700 bg-neutral-900 text-neutral-300',
  FAILED: 'border-red-800 bg-red-950 text-red-300',
  // orders
  NEW: 'border-sky-800 bg-sky-950 text-sky-300',
  SUBMITTED: 'border-sky-800 bg-sky-950 text-sky-300',
  PARTIALLY_FILLED: 'border-amber-800 bg-amber-950 text-amber-300',
  FILLED: 'border-emerald-800 bg-emerald-950 text-emerald-300',
  CANCELED: 'border-neutral-700 bg-neutral-900 text-neutral-400',
  REJECTED: 'border-red-800 bg-red-950 text-red-300',
  EXPIRED: 'border-neutral-700 bg-neutral-900 text-neutral-400',
  // signals and the group pool's queue
  WAITING: 'border-amber-800 bg-amber-950 text-amber-300',
  PROMOTED: 'border-emerald-800 bg-emerald-950 text-emerald-300',
  // risk engine decisions
  PLANNED: 'border-sky-800 bg-sky-950 text-sky-300',
  RUNNING: 'border-amber-800 bg-amber-950 text-amber-300',
  DONE: 'border-emerald-800 bg-emerald-950 text-emerald-300',
  NOT_COVERED: 'border-amber-800 bg-amber-950 text-amber-300',
  // take-profits (and traders)
  ACTIVE: 'border-sky-800 bg-sky-950 text-sky-300',
  // traders
  PAUSED: 'border-amber-800 bg-amber-950 text-amber-300',
  HALTED: 'border-red-800 bg-red-950 text-red-300',
  // sides and actors
  LONG: 'border-emerald-800 bg-emerald-950 text-emerald-300',
  SHORT: 'border-red-800 bg-red-950 text-red-300',
  BUY: 'border-emerald-900 bg-transparent text-emerald-400',
  SELL: 'border-red-900 bg-transparent text-red-400',
  USER: 'border-violet-800 bg-violet-950 text-violet-300',
  API: 'border-violet-800 bg-violet-950 text-violet-300',
  WORKER: 'border-neutral-700 bg-neutral-900 text-neutral-300',
  SYSTEM: 'border-neutral-700 bg-neutral-900 text-neutral-300',
  PAPER: 'border-amber-800 bg-amber-950 text-amber-300',
}

/** A status, side or actor as a compact badge; unknown values get a neutral tone. */
export function StatusBadge({ value, title }: { value: string; title?: string }) {
  const tone = TONES[value] ?? 'border-neutral-700 bg-neutral-900 text-neutral-300'
  return (
    <span
      title={title}
      data-status={value}
      className={`inline-flex items-center rounded border px-1.5 py-px font-mono text-[10px] font-semibold uppercase leading-4 tracking-wide ${tone}`}
    >
      {value.replace(/_/g, ' ')}
    </span>
  )
}
