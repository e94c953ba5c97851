'use client'

import { useState, type ReactNode } from 'react'
import { SelectField, TextField } from '@/components/ui/fields'
import type { Universe } from '@/lib/server/traders/trader-settings'
import { CheckboxField } from './settings-form'

/** Error fields these inputs show (`universe.exclude.3` is shown as `universe.exclude`). */
export const UNIVERSE_FIELDS = ['universe', 'universe.kind', 'universe.n', 'universe.excludeStablecoins', 'universe.excludeLeveraged', 'universe.exclude']

/**
 * How the watchlist is chosen: the fixed list (`fixedList`, the form's own watchlist input) or
 * the top N by 24 h quote volume with its exclusions. Read back with `universeInput`.
 */
export function UniverseFields({ idPrefix, initial, errors, fixedList }: { idPrefix: string; initial: Universe; errors: Record<string, string>; fixedList: ReactNode }) {
  const [kind, setKind] = useState(initial.kind)
  const top = initial.kind === 'TOP' ? initial : { n: 10, excludeStablecoins: true, excludeLeveraged: true, exclude: [] as string[] }
  return (
    <div className="space-y-3">
      <SelectField
        id={`${idPrefix}-universe-kind`}
        name="universe.kind"
        label="Markets"
        value={kind}
        onChange={(e) => setKind(e.target.value as Universe['kind'])}
        options={[
          { value: 'FIXED', label: 'A fixed list' },
          { value: 'TOP', label: 'Top N by 24 h quote volume' },
        ]}
        error={errors['universe.kind'] ?? errors.universe}
      />
      {kind === 'FIXED' ? (
        fixedList
      ) : (
        <div className="space-y-3">
          <TextField
            id={`${idPrefix}-universe-n`}
            name="universe.n"
            label="N"
            type="number"
            min={1}
            max={500}
            step={1}
            defaultValue={top.n}
            error={errors['universe.n']}
            hint="The N spot markets in the trader’s currency with the highest 24 h quote volume on the exchange of the trader’s account (the market-data exchange for a paper account), re-ranked every 15 minutes. A symbol leaving the list never leaves an open position unwatched."
          />
          <CheckboxField id={`${idPrefix}-universe-stable`} name="universe.excludeStablecoins" label="Leave out stablecoins and fiat (USDC, FDUSD, EUR …)" defaultChecked={top.excludeStablecoins} error={errors['universe.excludeStablecoins']} />
          <CheckboxField id={`${idPrefix}-universe-leveraged`} name="universe.excludeLeveraged" label="Leave out leveraged tokens (BTCUP, ETH3L …)" defaultChecked={top.excludeLeveraged} error={errors['universe.excludeLeveraged']} />
          <TextField
            id={`${idPrefix}-universe-exclude`}
            name="universe.exclude"
            label="Never include"
            defaultValue={top.exclude.join(', ')}
            autoComplete="off"
            error={errors['universe.exclude']}
            hint="Comma-separated symbols, e.g. DOGE/USDT, PEPE/USDT."
          />
        </div>
      )}
    </div>
  )
}

/** The universe (and, for a fixed list, the watchlist) as the trader APIs take them. */
export function universeInput(f: FormData, watchlist: string): { universe: Record<string, unknown>; watchlist?: string } {
  if (f.get('universe.kind') !== 'TOP') return { universe: { kind: 'FIXED' }, watchlist }
  return {
    universe: {
      kind: 'TOP',
      n: String(f.get('universe.n') ?? ''),
      excludeStablecoins: f.get('universe.excludeStablecoins') === 'on',
      excludeLeveraged: f.get('universe.excludeLeveraged') === 'on',
      exclude: String(f.get('universe.exclude') ?? ''),
    },
  }
}
