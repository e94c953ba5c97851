// Whole class names, so Tailwind finds them in the source.
const STYLES = { solid: 'border-solid', dashed: 'border-dashed', dotted: 'border-dotted' }

/** What the lines and markers of a price chart mean, and where its candles come from. */
export function ChartLegend({ source, of }: { source: string | null; of: 'position' | 'dashboard' }) {
  const line = (color: string, text: string, style: keyof typeof STYLES) => (
    <span className="inline-flex items-center gap-1">
      <span className={`inline-block w-4 border-t-2 ${STYLES[style]} ${color}`} aria-hidden />
      {text}
    </span>
  )
  return (
    <p className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-[11px] text-neutral-400">
      {of === 'position' ? (
        <>
          {line('border-neutral-200', 'entry', 'solid')}
          {line('border-red-500', 'stop', 'dashed')}
          {line('border-emerald-500', 'take-profit', 'dashed')}
          {line('border-red-400', 'stop history', 'dotted')}
          {line('border-emerald-400', 'take-profit history', 'dotted')}
          <span>▲ buy ▼ sell</span>
        </>
      ) : (
        <>
          {line('border-red-500', 'stop of a position', 'dashed')}
          <span>▲ long entry ▼ short entry</span>
        </>
      )}
      {source ? <span className="text-neutral-500">Candles: {source}, times in UTC</span> : null}
    </p>
  )
}
