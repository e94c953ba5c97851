/** One level held over a span of time: a stop, or take-profit number `slot` (0 = nearest) of a plan. */
export interface LevelSegment {
  kind: 'stop' | 'target'
  slot: number
  price: string
  fromMs: number
  toMs: number
}

export interface ProtectionHistoryInput {
  side: 'LONG' | 'SHORT'
  /** The position's audit trail, oldest first (CREATED, SL_CHANGED, TP_CHANGED carry the levels). */
  events: readonly { type: string; before: unknown; after: unknown; at: string }[]
  fills: readonly { orderId: string; at: string }[]
  orders: readonly { id: string; purpose: string }[]
  /** When the levels stopped mattering: the close, or now for a live position. */
  endMs: number
}

const stopOf = (snapshot: unknown): string | null => {
  const v = (snapshot as { stopLoss?: unknown } | null)?.stopLoss
  return typeof v === 'string' && v !== '' ? v : null
}

const targetsOf = (snapshot: unknown): string[] | null => {
  const v = (snapshot as { takeProfits?: unknown } | null)?.takeProfits
  if (!Array.isArray(v)) return null
  return v.flatMap((t) => (t && typeof t === 'object' && typeof (t as { price?: unknown }).price === 'string' ? [(t as { price: string }).price] : []))
}

/**
 * Where the stop and each take-profit stood over the position's life, from its audit trail: the
 * plan at CREATED, each SL_CHANGED and TP_CHANGED (its `after`; a `before` stands in for a plan
 * missing from CREATED), and each take-profit order's first fill, which ends the nearest level still
 * open (levels trigger nearest first). A new take-profit plan replaces every open level; its
 * levels are numbered nearest first again, so a moved target reads as a step of the same line.
 */
export function protectionSegments(input: ProtectionHistoryInput): LevelSegment[] {
  const nearestFirst = (a: string, b: string) => (input.side === 'LONG' ? 1 : -1) * (Number(a) - Number(b))
  const out: LevelSegment[] = []
  const firstAt = input.events.length ? Date.parse(input.events[0]!.at) : input.endMs
  let stop: { price: string; fromMs: number } | null = null
  let targets: { slot: number; price: string; fromMs: number }[] = []

  const endStop = (at: number) => {
    if (stop) out.push({ kind: 'stop', slot: 0, price: stop.price, fromMs: stop.fromMs, toMs: at })
    stop = null
  }
  const endTargets = (at: number, which = targets) => {
    for (const t of which) out.push({ kind: 'target', slot: t.slot, price: t.price, fromMs: t.fromMs, toMs: at })
    targets = targets.filter((t) => !which.includes(t))
  }
  const startTargets = (prices: string[], at: number) => {
    targets = [...prices].sort(nearestFirst).map((price, slot) => ({ slot, price, fromMs: at }))
  }

  const purposeOf = new Map(input.orders.map((o) => [o.id, o.purpose]))
  const takeProfitFills = new Map<string, number>()
  for (const f of input.fills) {
    if (purposeOf.get(f.orderId) !== 'TAKE_PROFIT' || takeProfitFills.has(f.orderId)) continue
    takeProfitFills.set(f.orderId, Date.parse(f.at))
  }
  type Step = { at: number; order: number; apply: () => void }
  const steps: Step[] = []
  input.events.forEach((e, i) => {
    const at = Date.parse(e.at)
    if (e.type === 'CREATED') {
      steps.push({ at, order: i, apply: () => {
        const s = stopOf(e.after)
        if (s) stop = { price: s, fromMs: at }
        const t = targetsOf(e.after)
        if (t) startTargets(t, at)
      } })
    } else if (e.type === 'SL_CHANGED') {
      steps.push({ at, order: i, apply: () => {
        const before = stopOf(e.before)
        if (!stop && before) stop = { price: before, fromMs: firstAt }
        endStop(at)
        const s = stopOf(e.after)
        if (s) stop = { price: s, fromMs: at }
      } })
    } else if (e.type === 'TP_CHANGED') {
      steps.push({ at, order: i, apply: () => {
        const before = targetsOf(e.before)
        if (targets.length === 0 && before?.length && !out.some((s) => s.kind === 'target')) startTargets(before, firstAt)
        endTargets(at)
        startTargets(targetsOf(e.after) ?? [], at)
      } })
    }
  })
  for (const at of takeProfitFills.values()) {
    // After any event of the same moment: the level must exist before its fill can end it.
    steps.push({ at, order: Number.MAX_SAFE_INTEGER, apply: () => {
      const nearest = targets[0]
      if (nearest) endTargets(at, [nearest])
    } })
  }
  steps.sort((a, b) => a.at - b.at || a.order - b.order).forEach((s) => s.apply())
  const end = Math.max(input.endMs, ...steps.map((s) => s.at))
  endStop(end)
  endTargets(end)
  return out.sort((a, b) => a.fromMs - b.fromMs || (a.kind === b.kind ? a.slot - b.slot : a.kind === 'stop' ? -1 : 1))
}
