'use client'

import { SelectField, TextField } from '@/components/ui/fields'
import { TRADE_SOURCES, TRADE_SOURCE_LABELS } from '@/lib/domain/performance/trade-source'
import { PERFORMANCE_MODES, PERIODS, type PerformanceFilters } from '@/lib/ui/performance-filters'

export interface TraderOption {
  id: string
  name: string
  mode: (typeof PERFORMANCE_MODES)[number]
}

const MODE_LABELS = { PAPER: 'Paper', TESTNET: 'Testnet', LIVE: 'Live' } as const

/** Mode, trader, symbol, source, period (and currency when the traders use several). */
export function PerformanceFilterBar({
  filters,
  onChange,
  traders,
  symbols,
  currencies,
  currency,
}: {
  filters: PerformanceFilters
  onChange: (change: Partial<PerformanceFilters>) => void
  traders: TraderOption[]
  symbols: string[]
  currencies: string[]
  currency: string | null
}) {
  const inMode = traders.filter((t) => t.mode === filters.mode)
  // A symbol typed into the URL that has no closed trade still shows as chosen.
  const symbolOptions = filters.symbol && !symbols.includes(filters.symbol) ? [...symbols, filters.symbol] : symbols
  return (
    <div className="grid grid-cols-1 gap-3 min-[420px]:grid-cols-2 md:grid-cols-3 xl:grid-cols-6" role="group" aria-label="Filters">
      <SelectField
        id="performance-mode"
        label="Mode"
        value={filters.mode}
        onChange={(e) => {
          const mode = e.target.value as PerformanceFilters['mode']
          const keepTrader = traders.some((t) => t.id === filters.traderId && t.mode === mode)
          onChange({ mode, traderId: keepTrader ? filters.traderId : '', currency: '' })
        }}
        options={PERFORMANCE_MODES.map((m) => ({ value: m, label: MODE_LABELS[m] }))}
        hint="Paper, testnet and live are never added up."
      />
      <SelectField
        id="performance-trader"
        label="Trader"
        value={filters.traderId}
        onChange={(e) => onChange({ traderId: e.target.value, currency: '' })}
        options={[{ value: '', label: 'All traders' }, ...inMode.map((t) => ({ value: t.id, label: t.name }))]}
      />
      <SelectField
        id="performance-symbol"
        label="Symbol"
        value={filters.symbol}
        onChange={(e) => onChange({ symbol: e.target.value })}
        options={[{ value: '', label: 'All symbols' }, ...symbolOptions.map((s) => ({ value: s, label: s }))]}
      />
      <SelectField
        id="performance-source"
        label="Source"
        value={filters.source}
        onChange={(e) => onChange({ source: e.target.value })}
        options={[{ value: '', label: 'All sources' }, ...TRADE_SOURCES.map((s) => ({ value: s, label: TRADE_SOURCE_LABELS[s] }))]}
        hint="Who opened the trade."
      />
      <SelectField id="performance-period" label="Period" value={filters.period} onChange={(e) => onChange({ period: e.target.value })} options={PERIODS.map((p) => ({ value: p.value, label: p.label }))} />
      {currencies.length > 1 ? (
        <SelectField
          id="performance-currency"
          label="Currency"
          value={filters.currency || currency || ''}
          onChange={(e) => onChange({ currency: e.target.value })}
          options={currencies.map((c) => ({ value: c, label: c }))}
          hint="Money figures are never added across currencies."
        />
      ) : null}
      {filters.period === 'custom' ? (
        <>
          <TextField id="performance-from" label="From (closed on or after)" type="date" value={filters.fromDay} max={filters.toDay || undefined} onChange={(e) => onChange({ fromDay: e.target.value })} />
          <TextField id="performance-to" label="To (closed on or before)" type="date" value={filters.toDay} min={filters.fromDay || undefined} onChange={(e) => onChange({ toDay: e.target.value })} />
        </>
      ) : null}
    </div>
  )
}
