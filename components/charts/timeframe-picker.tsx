'use client'

import { TIMEFRAMES, type Timeframe } from '@/lib/domain/market/candle'

/** One button per candle length; the chosen one is pressed. */
export function TimeframePicker({ value, onChange }: { value: Timeframe; onChange: (tf: Timeframe) => void }) {
  return (
    <div role="group" aria-label="Timeframe" className="flex flex-wrap gap-1">
      {TIMEFRAMES.map((tf) => (
        <button
          key={tf}
          type="button"
          aria-pressed={tf === value}
          onClick={() => onChange(tf)}
          className={`rounded border px-1.5 py-0.5 font-mono text-[11px] ${tf === value ? 'border-emerald-700 bg-emerald-950 text-emerald-300' : 'border-neutral-700 text-neutral-400 hover:text-neutral-200'}`}
        >
          {tf}
        </button>
      ))}
    </div>
  )
}
